"""The palette and the plotly charts of the analysis pages: one colour per theme, every chart titled with its n, dark
legible text, values written only where they fit. (The Overview's Vega-Lite charts: tests/test_vega.py.)"""

from __future__ import annotations

import re

import pytest

from gift_dash import charts, palette
from gift_dash.data import load_dataset
from gift_dash.filters import Filters, apply
from gift_dash.tabulate import crosstab, needs_vs_records

DATA = load_dataset()
EVENTS, CODEBOOK = DATA.events, DATA.codebook
ANNEX = apply(DATA.records, EVENTS, Filters())


def subtitle(fig) -> str:
    return fig.layout.title.subtitle.text


def test_palette_has_one_distinct_colour_per_theme():
    assert set(palette.THEME_COLOURS) == set(CODEBOOK.values("themes"))
    assert len(set(palette.THEME_COLOURS.values())) == len(palette.THEME_COLOURS)


def test_event_kinds_differ_in_colour_and_shape():
    annex, other = palette.EVENT_KIND_STYLE[True], palette.EVENT_KIND_STYLE[False]
    assert annex["colour"] != other["colour"] and annex["symbol"] != other["symbol"]


def test_no_chart_borrows_a_theme_colour_for_something_else():
    others = {
        palette.EVENT_KIND_STYLE[True]["colour"],
        palette.EVENT_KIND_STYLE[False]["colour"],
        palette.NEUTRAL,
        palette.SECOND_SERIES,
    }
    assert not others & set(palette.THEME_COLOURS.values())


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


def test_the_needs_chart_states_its_n_in_large_type():
    # (The heatmap and the response flow show the n their page gives them: tests/apptest.)
    fig = charts.needs_vs_records(needs_vs_records(ANNEX, DATA.ta_needs, CODEBOOK), len(ANNEX))
    assert fig.layout.title.text and subtitle(fig).startswith("n = 118 records")
    assert fig.layout.font.size >= 16


def test_data_text_in_charts_is_escaped():
    # plotly renders <b>, <a> and the like in labels: data text reaches it escaped
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme").rename(index={"Kampala": "<i>K</i>"})
    assert "&lt;i&gt;K&lt;/i&gt;" in charts.heatmap(table, "t", "n = 1", False).data[0].y
    needs = needs_vs_records(ANNEX, DATA.ta_needs, CODEBOOK)
    needs.loc[0, "label"] = "<b>x</b>"
    assert "&lt;b&gt;x&lt;/b&gt;" in charts.needs_vs_records(needs, 1).data[0].y


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


def test_chart_text_is_dark():
    heat = charts.heatmap(crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme"), "t", "n = 1", False)
    needs = charts.needs_vs_records(needs_vs_records(ANNEX, DATA.ta_needs, CODEBOOK), len(ANNEX))
    for figure in (heat, needs):
        assert figure.layout.font.color == palette.INK
        assert figure.layout.xaxis.tickfont.color == figure.layout.yaxis.tickfont.color == palette.INK
        assert figure.layout.xaxis.tickfont.size >= 14
