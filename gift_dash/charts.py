"""Plotly figures for the analysis pages (frame in, figure out), in the one palette (gift_dash.palette): the
cross-tab's heatmap, needs against records, the response flow. The Overview's charts are Vega-Lite
(gift_dash.vega), which draws without loading plotly.js on a projector's first page."""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from gift_dash.palette import (
    EVENT_KIND_STYLE,
    FONT_FAMILY,
    FONT_SIZE,
    GRID,
    HEATMAP_SCALE,
    INK,
    NEUTRAL,
    SECOND_SERIES,
    SOFT_INK,
    TICK_SIZE,
    TITLE_SIZE,
)
from gift_dash.response import NO_RESPONSE

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
        font={"size": FONT_SIZE, "color": INK, "family": FONT_FAMILY},
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


def _legend_below(fig: go.Figure, bottom: int = 110) -> go.Figure:
    """Legend under the plot, for charts whose legend entries are too long to sit beside the subtitle."""
    fig.update_layout(
        legend={"orientation": "v", "yref": "container", "y": 0, "yanchor": "bottom"}, margin={"t": 90, "b": bottom}
    )
    return fig


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
    fig.update_xaxes(title=None, ticksuffix="%", range=[0, 105], showgrid=True, gridcolor=GRID)
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
    """Break a long label onto lines of about ``width`` characters, at spaces (plotly reads <br>)."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))
