"""The Overview's Vega-Lite charts: valid specs, the figures of the records in view, every chart with its n, dark
legible text, labels that stay inside the map, data text kept as text, and nothing that points at the internet."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

import jsonschema
import pandas as pd
import pytest

from gift_dash import palette, similarity, tabulate, vega
from gift_dash.data import load_dataset
from gift_dash.filters import Filters, apply

DATA = load_dataset()
EVENTS, CODEBOOK = DATA.events, DATA.codebook
ANNEX = apply(DATA.records, EVENTS, Filters())
IN_VIEW = ANNEX["event_id"].value_counts()
TOPOJSON = "/app/static/world_110m.json"


@cache
def validator() -> jsonschema.protocols.Validator:
    # The Vega-Lite 6 schema that Altair ships (Streamlit's Vega bundle is Vega-Lite 6).
    schema = json.loads(resources.files("altair.vegalite.v6.schema").joinpath("vega-lite-schema.json").read_text())
    return jsonschema.validators.validator_for(schema)(schema)


def theme_spec(records: pd.DataFrame = ANNEX) -> dict:
    mix = tabulate.theme_mix(records, EVENTS, CODEBOOK)
    return vega.theme_panels(mix, len(records), CODEBOOK.values("themes"))


def ideas_spec() -> dict:
    groups = similarity.groups(similarity.build_index(DATA.records, codebook=CODEBOOK), similarity.DEFAULT_THRESHOLD)
    ideas = tabulate.recurring_ideas(ANNEX, EVENTS, similarity.group_summary(ANNEX, groups))
    return vega.ranked_bars(ideas, "idea", "events", "Ideas", "n = 118 records", detail="event_names")


def every_spec() -> dict[str, dict]:
    return {
        "themes": theme_spec(),
        "map": vega.event_map(EVENTS, IN_VIEW, TOPOJSON),
        "timeline": vega.timeline(EVENTS, IN_VIEW),
        "ideas": ideas_spec(),
    }


def layer_values(spec: dict, mark: str) -> list[dict]:
    """The data rows of the layers drawn with ``mark`` (a layer's own data, else the spec's)."""
    return [
        row
        for layer in spec["layer"]
        if layer["mark"]["type"] == mark
        for row in layer.get("data", spec.get("data", {})).get("values", [])
    ]


@pytest.mark.parametrize("name", ["themes", "map", "timeline", "ideas"])
def test_every_spec_is_valid_vega_lite_and_fetches_only_the_apps_own_topojson(name):
    spec = every_spec()[name]
    errors = list(validator().iter_errors(json.loads(json.dumps(spec))))
    assert not errors, [e.message[:300] for e in errors]
    urls = re.findall(r'"url": "([^"]*)"', json.dumps(spec))
    assert urls == ([TOPOJSON] if name == "map" else [])
    assert not re.search(r"https?://", json.dumps(spec))
    # Every chart states its n (the Overview gives ranked_bars its n: tests/apptest/test_pages.py), in dark text of a
    # size a projector shows.
    expected_n = {"themes": "n = 118 records", "map": "n = 10 events", "timeline": "n = 10 events", "ideas": "n = "}
    assert spec["title"]["text"] and spec["title"]["subtitle"][0].startswith(expected_n[name])
    assert spec["title"]["limit"] == 0  # never cut: Streamlit cuts a title without a limit to the chart's width
    config = spec["config"]
    assert config["title"]["color"] == config["axis"]["labelColor"] == config["text"]["color"] == palette.INK
    assert min(config["axis"]["labelFontSize"], config["text"]["fontSize"], config["legend"]["labelFontSize"]) >= 14
    assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"  # text stays text, for screen readers and axe


def test_theme_panels_count_each_theme_under_its_name_and_colour():
    spec = theme_spec()
    rows = spec["data"]["values"]
    crosstab = tabulate.crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme")
    assert {(r["event"], r["theme"]): r["records"] for r in rows} == {
        (event, theme): n for (event, theme), n in crosstab.stack().items() if n
    }
    # A panel per theme, in the codebook's order, headed by its name and its number of records.
    headings = spec["facet"]["column"]["sort"]
    prevention = int(ANNEX["themes"].str.contains(r"\bprevention\b").sum())
    assert headings[0] == f"Prevention{vega.WRAP}{prevention} records" and len(headings) == 4
    colours = spec["spec"]["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(colours["domain"], colours["range"], strict=True)) == {
        CODEBOOK.label("themes", v): c for v, c in palette.THEME_COLOURS.items()
    }
    # Filtered to one event, only its bars are drawn.
    kampala = ANNEX[ANNEX["event_id"] == "kampala-2007"]
    assert {r["event"] for r in theme_spec(kampala)["data"]["values"]} == {"Kampala"}


def test_map_places_the_events_with_a_city_and_says_how_many_of_each_kind():
    spec = vega.event_map(EVENTS, IN_VIEW, TOPOJSON)
    points = layer_values(spec, "point")
    assert len(points) == (EVENTS["latitude"] != "").sum() == 10
    assert "Egypt (LAS)" not in {p["short_name"] for p in points}
    assert spec["title"]["subtitle"][0] == "n = 10 events with a stated city"
    assert set(spec["layer"][1]["encoding"]["color"]["scale"]["domain"]) == {
        "Annex II regional events (6)",
        "Other preparatory events (4)",
    }
    assert spec["layer"][1]["encoding"]["shape"]["scale"]["range"] == ["circle", "diamond"]
    # Every point has its label, saying its records in view; the labels are the points' own.
    assert sorted(r["label"] for r in layer_values(spec, "text")) == sorted(p["label"] for p in points)


def test_map_and_timeline_show_the_records_in_view_in_words_and_fade_events_without():
    kampala_only = pd.Series({"kampala-2007": 23})
    for spec in (vega.event_map(EVENTS, kampala_only, TOPOJSON), vega.timeline(EVENTS, kampala_only)):
        marks = layer_values(spec, "point")
        assert [(m["short_name"], m["opacity"]) for m in marks if m["opacity"] == 1] == [("Kampala", 1.0)]
        assert all(m["label"].endswith("(0)") for m in marks if m["opacity"] < 1)
        assert next(m["label"] for m in marks if m["short_name"] == "Kampala").endswith("(23)")


def test_map_labels_that_would_run_off_the_east_edge_face_west():
    sides = {p["short_name"]: p["side"] for p in layer_values(vega.event_map(EVENTS, IN_VIEW, TOPOJSON), "point")}
    assert sides["Bangkok"] == sides["New Delhi"] == "left"  # "Bangkok (9)" touched the frame's edge
    assert sides["Brasilia"] == "right"
    # Close cities (Vienna, Vilnius, Istanbul, Bishkek) do not all put their labels on the same side.
    assert len({sides[c] for c in ("Vienna Forum", "Vilnius", "Istanbul")}) == 3


def test_timeline_has_every_dated_event_and_late_labels_face_west():
    spec = vega.timeline(EVENTS, IN_VIEW)
    rows = spec["data"]["values"]
    assert len(rows) == 10 and "Egypt (LAS)" not in {r["short_name"] for r in rows}
    assert spec["encoding"]["y"]["sort"] == [r["short_name"] for r in sorted(rows, key=lambda r: r["start_date"])]
    left = next(layer for layer in spec["layer"] if layer["mark"].get("align") == "right")
    assert {r["short_name"] for r in left["data"]["values"]} == {"Abidjan", "Bishkek", "Vienna Forum"}


def test_ranked_bars_keep_equal_labels_apart_and_wrap_instead_of_cutting():
    frame = pd.DataFrame({"idea": ["Same idea", "Same idea", "x " * 40], "events": [4, 3, 2], "names": ["a", "b", "c"]})
    spec = vega.ranked_bars(frame, "idea", "events", "t", "n = 3", detail="names")
    keys = spec["encoding"]["y"]["sort"]
    assert len(set(keys)) == 3  # two bars for the two groups that read alike
    assert [key.split(vega.WRAP, 1)[1] for key in keys[:2]] == ["Same idea", "Same idea"]
    assert all(len(line) <= 34 for line in keys[2].split(vega.WRAP)[1:])
    assert [r["words"] for r in spec["data"]["values"]][:2] == [f"4 events:{vega.WRAP}a", f"3 events:{vega.WRAP}b"]


def test_data_text_is_kept_as_written_for_vega_to_draw_as_text():
    # Vega draws labels and tooltips as text, never as HTML: escaping here would show "&lt;b&gt;" to people.
    events = EVENTS.copy()
    events.loc[0, ["short_name", "city"]] = ["<b>Kampala</b>", "<img src=x onerror=alert(1)>"]
    assert any(p["short_name"] == "<b>Kampala</b>" for p in layer_values(vega.timeline(events, IN_VIEW), "point"))
    labels = [r["label"] for r in layer_values(vega.event_map(events, IN_VIEW, TOPOJSON), "text")]
    assert "<img src=x onerror=alert(1)> (23)" in labels and not any("&lt;" in label for label in labels)


def test_a_theme_the_palette_does_not_know_is_drawn_in_the_neutral_colour():
    # The codebook is data (another data folder may add a theme): its panel is drawn, not a KeyError.
    mix = tabulate.theme_mix(ANNEX, EVENTS, CODEBOOK)
    extra = mix.head(1).assign(theme="Partnership", theme_value="partnership", records=5)
    spec = vega.theme_panels(pd.concat([mix, extra]), len(ANNEX), [*CODEBOOK.values("themes"), "partnership"])
    colours = spec["spec"]["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(colours["domain"], colours["range"], strict=True))["Partnership"] == palette.NEUTRAL
    assert spec["facet"]["column"]["sort"][-1] == f"Partnership{vega.WRAP}5 records"


def test_the_timeline_spans_the_events_months_and_names_their_years():
    events = EVENTS.copy()
    events.loc[events["event_id"] == "kampala-2007", "start_date"] = "2008-09-01"  # e.g. an uploaded later event
    spec = vega.timeline(events, IN_VIEW)
    assert spec["encoding"]["x"]["scale"]["domain"] == ["2007-09-01", "2008-10-01"]
    assert spec["title"]["text"] == "When the events took place, 2007–2008"
    shipped = vega.timeline(EVENTS, IN_VIEW)
    assert shipped["encoding"]["x"]["scale"]["domain"] == ["2007-05-01", "2008-03-01"]
    one_year = vega.timeline(EVENTS[EVENTS["start_date"].str.startswith("2007")], IN_VIEW)
    assert one_year["title"]["text"] == "When the events took place, 2007"


def test_labels_fall_back_to_the_name_and_date_when_the_city_or_stated_dates_are_blank():
    events = EVENTS.copy()
    kampala = events["event_id"] == "kampala-2007"
    events.loc[kampala, ["city", "date_as_stated"]] = ["", ""]
    assert "Kampala (23)" in [p["label"] for p in layer_values(vega.event_map(events, IN_VIEW, TOPOJSON), "point")]
    assert "2007-06-19 (23)" in [p["label"] for p in layer_values(vega.timeline(events, IN_VIEW), "point")]


def test_ranked_bars_of_nothing_is_an_empty_chart_not_an_error():
    spec = vega.ranked_bars(pd.DataFrame({"idea": [], "events": []}), "idea", "events", "Ideas", "n = 0 records")
    assert spec["data"]["values"] == [] and not list(validator().iter_errors(json.loads(json.dumps(spec))))
