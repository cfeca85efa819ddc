"""Chart builders: one colour and pattern per theme, every chart titled with its n, maps that need no internet."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gift_dash import charts
from gift_dash.data import load_dataset
from gift_dash.filters import Filters, apply
from gift_dash.tabulate import crosstab, needs_vs_records, theme_mix

DATA = load_dataset()
EVENTS, CODEBOOK = DATA.events, DATA.codebook
ANNEX = apply(DATA.records, EVENTS, Filters())
IN_VIEW = ANNEX["event_id"].value_counts()


def subtitle(fig) -> str:
    return fig.layout.title.subtitle.text


def test_palette_has_one_distinct_colour_and_pattern_per_theme():
    assert set(charts.THEME_COLOURS) == set(CODEBOOK.values("themes"))
    assert len(set(charts.THEME_COLOURS.values())) == len(charts.THEME_COLOURS)
    assert len(set(charts.THEME_PATTERNS.values())) == len(charts.THEME_PATTERNS)


def test_event_kinds_differ_in_colour_and_shape():
    annex, other = charts.EVENT_KIND_STYLE[True], charts.EVENT_KIND_STYLE[False]
    assert annex["colour"] != other["colour"] and annex["symbol"] != other["symbol"]


def test_no_chart_borrows_a_theme_colour_for_something_else():
    others = {
        charts.EVENT_KIND_STYLE[True]["colour"],
        charts.EVENT_KIND_STYLE[False]["colour"],
        charts.NEUTRAL,
        charts.SECOND_SERIES,
    }
    assert not others & set(charts.THEME_COLOURS.values())


def test_map_leaves_out_events_without_coordinates_and_counts_the_rest():
    fig = charts.event_map(EVENTS, IN_VIEW)
    placed = sum(len(trace.lat) for trace in fig.data)
    assert placed == (EVENTS["latitude"] != "").sum() == 10
    assert "n = 10" in subtitle(fig)
    assert {trace.marker.symbol for trace in fig.data} == {"circle", "diamond"}
    assert not re.search(r"https?://", fig.to_json())  # nothing in the figure points at the internet


def test_map_and_timeline_show_the_records_in_view_in_words_and_fade_events_without():
    kampala_only = pd.Series({"kampala-2007": 23})
    for fig in (charts.event_map(EVENTS, kampala_only), charts.timeline(EVENTS, kampala_only)):
        points = [
            (text, opacity)
            for trace in fig.data
            for text, opacity in zip(trace.text, trace.marker.opacity, strict=True)
        ]
        assert any(t.endswith("(23)") and o == 1.0 for t, o in points)
        assert all(o < 1 for t, o in points if t.endswith("(0)"))
        assert sum(o == 1.0 for _, o in points) == 1


def test_timeline_has_every_dated_event():
    fig = charts.timeline(EVENTS, IN_VIEW)
    names = [name for trace in fig.data for name in trace.y]
    assert "Egypt (LAS)" not in names and len(names) == 10


def test_theme_mix_uses_the_theme_colours_and_patterns():
    fig = charts.theme_mix(theme_mix(ANNEX, EVENTS, CODEBOOK), len(ANNEX))
    by_name = {trace.name: trace for trace in fig.data}
    assert by_name["Protection"].marker.color == charts.THEME_COLOURS["protection"]
    assert by_name["Protection"].marker.pattern.shape == charts.THEME_PATTERNS["protection"]
    assert by_name["Protection"].marker.pattern.fillmode == "overlay"  # "replace" would hide the bar
    assert "n = 118 records" in subtitle(fig)


@pytest.mark.parametrize("percent", [False, True])
def test_heatmap_writes_every_value_in_its_cell(percent):
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme", "row" if percent else "count")
    fig = charts.heatmap(table, "Event by theme", "n = 118", percent)
    cells = [c for row in fig.data[0].text for c in row]
    assert len(cells) == table.size
    assert all(c.endswith("%") == percent for c in cells)


def test_needs_chart_tells_the_series_apart_without_colour():
    fig = charts.needs_vs_records(needs_vs_records(ANNEX, DATA.ta_needs, CODEBOOK), len(ANNEX))
    assert len({trace.marker.pattern.shape for trace in fig.data}) == 2
    assert all(trace.text is not None for trace in fig.data)


def test_every_chart_states_its_n():
    figures = [
        charts.event_map(EVENTS, IN_VIEW),
        charts.timeline(EVENTS, IN_VIEW),
        charts.theme_mix(theme_mix(ANNEX, EVENTS, CODEBOOK), len(ANNEX)),
        charts.needs_vs_records(needs_vs_records(ANNEX, DATA.ta_needs, CODEBOOK), len(ANNEX)),
    ]
    for fig in figures:
        assert fig.layout.title.text and subtitle(fig).startswith("n = ")
        assert fig.layout.font.size >= 16


def test_data_text_in_charts_is_escaped():
    events = EVENTS.copy()
    events.loc[0, ["short_name", "city"]] = ["<b>Kampala</b>", "<a href='x'>K</a>"]
    for fig in (charts.event_map(events, IN_VIEW), charts.timeline(events, IN_VIEW)):
        labels = [
            str(v)
            for trace in fig.data
            for part in (trace.text, getattr(trace, "y", None))
            if part is not None
            for v in part
        ]
        assert not any("<" in v for v in labels)
        assert any("&lt;" in v for v in labels)
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme").rename(index={"Kampala": "<i>K</i>"})
    assert "&lt;i&gt;K&lt;/i&gt;" in charts.heatmap(table, "t", "n = 1", False).data[0].y


def test_heatmap_with_many_columns_writes_only_what_fits_and_turns_its_labels():
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "target_group", "row")
    assert len(table.columns) >= 12
    fig = charts.heatmap(table, "Event by target group", "n = 118", True)
    heat = fig.data[0]
    cell_px = charts.PLOT_WIDTH / len(table.columns)
    written = [t for row in heat.text for t in row]
    # Nothing wider than its cell ("8.7%17.4%0.0%" ran together); shortened where "17%" fits, left out where not.
    assert all(len(t) * charts.CHAR_WIDTH * heat.textfont.size + 6 <= cell_px for t in written)
    assert all(t == "" or re.fullmatch(r"\d+(\.\d%|%)?", t) for t in written)
    assert "17.4%" not in written  # Kampala × Children: too wide at one decimal
    assert sum(bool(t) for t in written) > len(written) / 2
    # Every value, unrounded, is still in the hover.
    assert [v for row in heat.customdata for v in row] == [f"{v:.1f}%" for v in table.to_numpy().ravel()]
    assert fig.layout.xaxis.tickangle != 0
    assert fig.data[0].colorbar.title.text == "% of row"


def test_map_labels_that_would_run_off_the_east_edge_face_west_and_chart_text_is_dark():
    fig = charts.event_map(EVENTS, IN_VIEW)
    sides = {
        text.split(" (")[0]: side
        for trace in fig.data
        for text, side in zip(trace.text, trace.textposition, strict=True)
    }
    assert sides["Bangkok"] == sides["New Delhi"] == "middle left"  # "Bangkok (9)" touched the frame's edge
    assert sides["Brasilia"] == "middle right"
    for trace in fig.data:
        assert trace.textfont.color == charts.INK and trace.textfont.size >= 14
    heat = charts.heatmap(crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme"), "t", "n = 1", False)
    for figure in (fig, heat, charts.theme_mix(theme_mix(ANNEX, EVENTS, CODEBOOK), len(ANNEX))):
        assert figure.layout.font.color == charts.INK
    assert heat.layout.xaxis.tickfont.color == heat.layout.yaxis.tickfont.color == charts.INK
    assert heat.layout.xaxis.tickfont.size >= 14
