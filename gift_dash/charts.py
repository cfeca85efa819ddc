"""Plotly figure builders (frame in, figure out) and the one palette every chart and page uses."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from gift_dash.response import NO_RESPONSE

# Okabe & Ito (2008) colour-blind-safe palette. One colour AND one bar pattern per theme, so a theme never
# depends on colour alone (patterns survive greyscale printing and colour-vision deficiency).
THEME_COLOURS = {
    "prevention": "#0072B2",  # blue
    "protection": "#009E73",  # bluish green
    "prosecution": "#D55E00",  # vermillion
    "cooperation": "#E69F00",  # orange
}
# Patterns are drawn in white OVER the colour (fillmode "overlay"); plotly's default "replace" would leave the
# background transparent and the bar invisible.
THEME_PATTERNS = {"prevention": "", "protection": "/", "prosecution": "x", "cooperation": "."}
# Colours that are not about themes come from the rest of the Okabe–Ito set, so no chart borrows a theme's colour.
# Annex II events vs the other preparatory events: told apart by colour and marker shape.
EVENT_KIND_STYLE = {
    True: {"name": "Annex II regional event", "colour": "#56B4E9", "symbol": "circle"},
    False: {"name": "Other preparatory event", "colour": "#CC79A7", "symbol": "diamond"},
}
NEUTRAL = "#555555"
SECOND_SERIES = "#56B4E9"  # sky blue
HEATMAP_SCALE = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]  # one hue, light to dark

FONT_SIZE = 17  # readable from the back of a room on a projector
TITLE_SIZE = 21
TICK_SIZE = 15  # axis ticks, map labels, legends: never under 14 px
# Every text colour is set on the figure: Streamlit's chart theme would otherwise draw ticks, axis titles and
# legends in its own light grey, which a projector washes out.
INK = "#111111"
SOFT_INK = "#333333"  # subtitles (the n), still 12.6:1 on white
NOTE = " (a record with several values counts under each)"


def _escaped(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy with data text HTML-escaped: plotly renders <b>, <a> and the like in labels, and names come from
    data (uploaded events too). Plotly shows the entities as the original characters."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].fillna("").astype(str).map(html.escape)
    return out


def _layout(fig: go.Figure, title: str, n: str, height: int) -> go.Figure:
    """Common look; ``n`` is the subtitle saying what was counted (every chart states its n)."""
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": TITLE_SIZE, "color": INK},
            "x": 0.01,
            "xanchor": "left",
            "xref": "container",
            "subtitle": {"text": n, "font": {"size": TICK_SIZE, "color": SOFT_INK}},
        },
        font={"size": FONT_SIZE, "color": INK, "family": "system-ui, Segoe UI, Roboto, Helvetica, Arial, sans-serif"},
        height=height,
        margin={"l": 10, "r": 30, "t": 120, "b": 40},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.01,
            "xanchor": "left",
            "x": 0,
            "title": None,
            "font": {"size": TICK_SIZE, "color": INK},
        },
        hoverlabel={"font_size": FONT_SIZE - 2},
    )
    axis_text = {"tickfont": {"size": TICK_SIZE, "color": INK}, "title_font": {"size": FONT_SIZE - 1, "color": INK}}
    fig.update_xaxes(**axis_text)
    fig.update_yaxes(**axis_text)
    return fig


_POSITIONS = ("middle right", "top center", "middle left", "bottom center")


def _label_positions(
    part: pd.DataFrame, placed: pd.DataFrame, edges: tuple[float, float], degrees_per_char: float
) -> list[str]:
    """Labels of points within 15 degrees of an earlier point turn to another side, so close cities stay legible;
    a label that would run past the map's east edge (``edges``: west and east, in degrees; a character is about
    ``degrees_per_char`` wide at the map's scale) or over an earlier point faces west, or goes under its point
    when the west edge is too close, so none is cut off or hidden."""
    west_edge, east_edge = edges
    coords = list(
        zip(placed["latitude"].astype(float), placed["longitude"].astype(float), placed["event_id"], strict=True)
    )
    positions = []
    for event_id, label in zip(part["event_id"], part["label"], strict=True):
        index = next(i for i, c in enumerate(coords) if c[2] == event_id)
        lat, lon, _ = coords[index]
        crowd = sum(abs(lat - a) < 15 and abs(lon - b) < 15 for a, b, _ in coords[:index])
        span = (len(label) + 2) * degrees_per_char
        overflows = lon + span > east_edge
        covers = any(abs(lat - a) < 8 and lon < b < lon + span for a, b, _ in coords[:index])  # an earlier point
        if crowd or not (overflows or covers):
            positions.append(_POSITIONS[crowd % len(_POSITIONS)])
        else:  # west if there is room before the west edge, else under the point
            positions.append("middle left" if lon - span > west_edge else "bottom center")
    return positions


def _legend_below(fig: go.Figure, bottom: int = 110) -> go.Figure:
    """Legend under the plot, for charts whose legend entries are too long to sit beside the subtitle."""
    fig.update_layout(
        legend={"orientation": "v", "yref": "container", "y": 0, "yanchor": "bottom"}, margin={"t": 90, "b": bottom}
    )
    return fig


def _with_counts(events: pd.DataFrame, in_view: pd.Series) -> pd.DataFrame:
    """Events with ``n`` (records in view, from ``in_view``: event_id -> count) and a marker opacity: events with
    none in view are faded, and their label says (0), so the filters show on the map without relying on colour."""
    out = events.copy()
    out["n"] = out["event_id"].map(in_view).fillna(0).astype(int)
    out["opacity"] = out["n"].map(lambda n: 1.0 if n else 0.3)
    return out


IN_VIEW_NOTE = "(number) = records in view; faded = none in view"


def event_map(events: pd.DataFrame, in_view: pd.Series, height: int = 380) -> go.Figure:
    """Events with coordinates as labelled points; annex II events and the others in different colour and shape.
    Events without coordinates are left out (the page lists them). The frame spans the points with room for a
    label on every side, so no label ("Bangkok (9)") touches the map's edge."""
    fig = go.Figure()
    placed = _escaped(events[events["latitude"].astype(str).str.strip() != ""], ["city"])
    placed = _with_counts(placed, in_view)
    placed["label"] = placed["city"] + " (" + placed["n"].astype(str) + ")"
    lats, lons = placed["latitude"].astype(float), placed["longitude"].astype(float)
    # Room around the points for their markers and for labels above or below them.
    lat_range = [lats.min() - 12, lats.max() + 20] if len(placed) else [-40, 62]
    lon_range = [lons.min() - 15, lons.max() + 15] if len(placed) else [-60, 125]
    # The frame's height sets the scale (plotly crops longitudes rather than shrink): pixels per degree of
    # latitude, and a label character is ~9 px.
    degrees_per_char = 9 / max((height - 170) / (lat_range[1] - lat_range[0]), 0.5)
    for in_annex, style in EVENT_KIND_STYLE.items():
        part = placed[(placed["in_annex_ii"] == "yes") == in_annex]
        if part.empty:
            continue
        fig.add_trace(
            go.Scattergeo(
                lat=part["latitude"].astype(float),
                lon=part["longitude"].astype(float),
                text=part["label"],
                customdata=part["event_id"],
                mode="markers+text",
                textposition=_label_positions(part, placed, (lon_range[0], lon_range[1]), degrees_per_char),
                textfont={"size": TICK_SIZE, "color": INK},
                marker={
                    "size": 15,
                    "color": style["colour"],
                    "symbol": style["symbol"],
                    "opacity": part["opacity"],
                    "line": {"width": 1.5, "color": "white"},
                },
                name=f"{style['name']}s ({len(part)})",
                hovertemplate="%{text}<extra>" + style["name"] + "</extra>",
            )
        )
    fig.update_geos(
        projection_type="natural earth",
        showcountries=True,
        countrycolor="#bbbbbb",
        showland=True,
        landcolor="#eeeeee",
        showocean=True,
        oceancolor="#f7fbff",
        coastlinecolor="#999999",
        lataxis_range=lat_range,
        lonaxis_range=lon_range,
    )
    # Sized for half the overview's width: the subtitle on two lines, the legend close under the map.
    _layout(
        fig, "Where the events took place", f"n = {len(placed)} events with a stated city<br>{IN_VIEW_NOTE}", height
    )
    _legend_below(fig, bottom=70)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 100})
    return fig


def timeline(events: pd.DataFrame, in_view: pd.Series) -> go.Figure:
    """Events with stated dates on a time axis, one row each, annex II and the others told apart."""
    dated = _escaped(events[events["start_date"].astype(str).str.strip() != ""], ["short_name", "date_as_stated"])
    dated = _with_counts(dated, in_view)
    dated["start"] = pd.to_datetime(dated["start_date"])
    dated = dated.sort_values("start")
    fig = go.Figure()
    for in_annex, style in EVENT_KIND_STYLE.items():
        part = dated[(dated["in_annex_ii"] == "yes") == in_annex]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["start"],
                y=part["short_name"],
                mode="markers+text",
                text=part["date_as_stated"] + " (" + part["n"].astype(str) + ")",
                textposition="middle right",
                textfont={"size": TICK_SIZE - 1, "color": INK},
                marker={"size": 16, "color": style["colour"], "symbol": style["symbol"], "opacity": part["opacity"]},
                name=f"{style['name']}s ({len(part)})",
                customdata=part["event_id"],
                hovertemplate="%{y}: %{text}<extra></extra>",
            )
        )
    fig.update_yaxes(categoryorder="array", categoryarray=list(dated["short_name"])[::-1], title=None)
    fig.update_xaxes(
        title=None,
        showgrid=True,
        gridcolor="#e5e5e5",
        dtick="M2",
        tickformat="%b %Y",
        range=[pd.Timestamp("2007-05-01"), pd.Timestamp("2008-07-01")],
    )
    return _layout(
        fig,
        "When the events took place, 2007–2008",
        f"n = {len(dated)} events with stated dates · {IN_VIEW_NOTE}",
        170 + 42 * len(dated),
    )


def theme_mix(mix: pd.DataFrame, n_records: int) -> go.Figure:
    """Stacked horizontal bars: records per theme for each event (from tabulate.theme_mix), sized for half the
    overview's width, beside the map, on the first screen at 1280×720 (legend below, subtitle on two lines)."""
    fig = go.Figure()
    mix = _escaped(mix, ["event", "theme"])
    events = list(dict.fromkeys(mix["event"]))
    for value, colour in THEME_COLOURS.items():
        part = mix[mix["theme_value"] == value]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                y=part["event"],
                x=part["records"],
                orientation="h",
                name=part["theme"].iloc[0],
                marker={
                    "color": colour,
                    "pattern": {
                        "shape": THEME_PATTERNS[value],
                        "fgcolor": "white",
                        "size": 10,
                        "fillmode": "overlay",
                        "solidity": 0.15,
                    },
                },
                text=part["records"],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": "white", "size": FONT_SIZE - 2},
                hovertemplate="%{y} · " + part["theme"].iloc[0] + ": %{x} records<extra></extra>",
            )
        )
    # A number too small to be read in its segment (under 14 px) is left out; the hover and the data have it.
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"}, uniformtext={"minsize": 14, "mode": "hide"})
    fig.update_yaxes(categoryorder="array", categoryarray=events[::-1], title=None)
    fig.update_xaxes(title="Records", showgrid=True, gridcolor="#e5e5e5")
    _layout(fig, "Themes by event", f"n = {n_records} records<br>{NOTE.strip(' ()')}", 190 + 44 * max(len(events), 1))
    fig.update_layout(
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"t": 100, "b": 90},
    )
    return fig


def ranked_bars(frame: pd.DataFrame, label: str, value: str, title: str, n: str, hover: str | None = None) -> go.Figure:
    """Horizontal bars, largest at the top, each labelled with its value."""
    frame = _escaped(frame, [label] + ([hover] if hover else []))
    fig = go.Figure(
        go.Bar(
            y=frame[label],
            x=frame[value],
            orientation="h",
            marker={"color": NEUTRAL},
            text=frame[value].astype(str) + (" · " + frame[hover] if hover else ""),
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "white", "size": TICK_SIZE},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(categoryorder="array", categoryarray=list(frame[label])[::-1], title=None, automargin=True)
    fig.update_xaxes(title=value.replace("_", " ").capitalize(), showgrid=True, gridcolor="#e5e5e5", dtick=1)
    fig.update_layout(showlegend=False)
    return _layout(fig, title, n, 170 + 42 * max(len(frame), 1))


PLOT_WIDTH = 540  # px the cells can count on: the cross-tab's plot area at 1280 px with the sidebar open (measured)
CHAR_WIDTH = 0.6  # an average character's width, in font sizes


def _cell_text(value: float, percent: bool, cell_px: float, size: int) -> str:
    """The value as written in its cell, or "" when it would not fit the cell's width (the hover and the table
    beside the chart hold every value): "17.4%", then "17%", then "17" (the colour bar says "% of row")."""
    if not percent:
        options = [f"{int(value)}"]
    else:
        options = [f"{value:.1f}%", f"{value:.0f}%", f"{value:.0f}"]
    return next((t for t in options if len(t) * CHAR_WIDTH * size + 6 <= cell_px), "")


def heatmap(table: pd.DataFrame, title: str, n: str, percent: bool) -> go.Figure:
    """A cross-tab as a heatmap with each value written in its cell where it fits (so colour is never the only
    cue; the hover and the table beside it have every value). Column labels wrap, and turn when the columns are
    too narrow for them (turned labels stay on one line: wrapped ones would run into their neighbours)."""
    size = TICK_SIZE - 1
    cell_px = PLOT_WIDTH / max(len(table.columns), 1)
    values = table.map(lambda v: f"{v:.1f}%" if percent else f"{int(v)}")
    shown = table.map(lambda v: _cell_text(v, percent, cell_px, size))
    table = table.rename(index=lambda v: html.escape(str(v)), columns=lambda v: html.escape(str(v)))
    turned = cell_px < 110  # a wrapped label of ~12 characters a line needs ~110 px
    columns = [str(c) if turned else _wrap(str(c), 12) for c in table.columns]
    lines = max((c.count("<br>") + 1 for c in columns), default=1)
    fig = go.Figure(
        go.Heatmap(
            z=table.values,
            x=columns,
            y=[str(i) for i in table.index],
            text=shown.values,
            customdata=values.values,
            texttemplate="%{text}",
            textfont={"size": size},
            colorscale=HEATMAP_SCALE,
            showscale=True,
            xgap=2,
            ygap=2,
            colorbar={
                "title": {
                    "text": "% of row" if percent else "Records",
                    "side": "top",
                    "font": {"size": TICK_SIZE, "color": INK},
                },
                "tickfont": {"size": TICK_SIZE, "color": INK},
                "ticksuffix": "%" if percent else "",
                "thickness": 14,
                "len": 1,
                "y": 0.5,
                "yanchor": "middle",
            },
            hovertemplate=f"{table.index.name}: %{{y}}<br>{table.columns.name}: %{{x}}<br>%{{customdata}}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title=table.index.name, automargin=True)
    fig.update_xaxes(side="bottom", title=table.columns.name, automargin=True, tickangle=-45 if turned else 0)
    label_px = (
        max((len(c) for c in table.columns), default=0) * 0.71 * CHAR_WIDTH * TICK_SIZE
        if turned
        else lines * 1.3 * TICK_SIZE
    )
    return _layout(fig, title, n, int(260 + 40 * max(len(table), 1) + label_px))


def needs_vs_records(frame: pd.DataFrame, n_records: int) -> go.Figure:
    """Paired bars per TA area: share of field offices naming it a priority vs share of records in view."""
    fig = go.Figure()
    frame = _escaped(frame, ["label"])
    series = [
        ("needs_pct", "Field offices naming it a priority (section VII.4)", NEUTRAL, ""),
        ("records_pct", f"Records in view tagged with it (of {n_records})", SECOND_SERIES, "/"),
    ]
    for column, name, colour, pattern in series:  # second series hatched, so the pair differs without colour
        fig.add_trace(
            go.Bar(
                y=frame["label"],
                x=frame[column],
                orientation="h",
                name=name,
                marker={
                    "color": colour,
                    "pattern": {"shape": pattern, "fgcolor": "white", "fillmode": "overlay", "solidity": 0.15},
                },
                text=frame[column].map(lambda v: f"{v:.0f}%"),
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(categoryorder="array", categoryarray=list(frame["label"])[::-1], title=None, automargin=True)
    # The unit on the ticks, not in an axis title that would sit on the legend below.
    fig.update_xaxes(title=None, ticksuffix="%", range=[0, 105], showgrid=True, gridcolor="#e5e5e5")
    _layout(
        fig, "Priority needs vs recommendations, by TA area", f"n = {n_records} records{NOTE}", 260 + 62 * len(frame)
    )
    return _legend_below(fig)


def response_flow(flow: pd.DataFrame, title: str, n: str) -> go.Figure:
    """A sankey from events or themes (the flow's first column) to the pillars that respond and to "No planned
    response" (gift_dash.response.flow); band widths are records, their numbers in the hover and the data table."""
    source_col, target_col = flow.columns[0], flow.columns[1]
    flow = _escaped(flow, [source_col, target_col])
    sources = list(dict.fromkeys(flow[source_col]))
    targets = list(dict.fromkeys(flow[target_col]))
    nodes = sources + targets
    index = {name: i for i, name in enumerate(nodes)}
    # Gaps in a colour of their own (and named), the labels wrapped so that two never run into each other.
    gap = html.escape(NO_RESPONSE)
    colours = [NEUTRAL] * len(sources) + [
        EVENT_KIND_STYLE[False]["colour"] if t == gap else SECOND_SERIES for t in targets
    ]
    labels = [_wrap(name) for name in nodes]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": colours,
                "pad": 18,
                "thickness": 18,
                "line": {"width": 0},
                "hovertemplate": "%{label}<extra></extra>",
            },
            link={
                "source": flow[source_col].map(index).tolist(),
                "target": flow[target_col].map(index).tolist(),
                "value": flow["Records"].tolist(),
                "color": ["rgba(204,121,167,0.35)" if t == gap else "rgba(86,180,233,0.35)" for t in flow[target_col]],
                "hovertemplate": "%{source.label} → %{target.label}: %{value} records<extra></extra>",
            },
            textfont={"size": FONT_SIZE - 2, "color": INK},
        )
    )
    return _layout(fig, title, n, max(480, 160 + 40 * max(len(sources), len(targets))))


def _wrap(text: str, width: int = 42) -> str:
    """Break a long node label onto lines of about ``width`` characters (plotly reads <br>)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])
