"""The core's counts against the plain reference (tests/reference.py) and against counts made by hand from the
document: filters, option counts, cross-tabs and the overview's figures."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gift_dash import filters as flt
from gift_dash.data import load_dataset
from gift_dash.dimensions import DIMENSIONS
from gift_dash.tabulate import crosstab, facet_counts, headline, needs_vs_records, story, theme_mix
from tests import reference as ref

DATA = load_dataset()
RECORDS, EVENTS, CODEBOOK = DATA.records, DATA.events, DATA.codebook
FACETS = flt.Facets(RECORDS, EVENTS)
KEYS = [key for key in DIMENSIONS if key != "status"]  # status: tests/test_followup_summary.py, the status walk


def model(chosen: dict[str, list[str]], theme_mode: str = "any") -> flt.Filters:
    fields = {DIMENSIONS[key].field: tuple(values) for key, values in chosen.items()}
    return flt.Filters(**fields, theme_mode=theme_mode)


def ids(records) -> list[str]:
    return [r["id"] for r in records] if isinstance(records, list) else list(records["id"])


# ------------------------------------------------------------------------------ the reference against the document


def test_the_reference_agrees_with_counts_made_by_hand_from_the_document():
    # Annex II: six events, 118 lettered items and sub-items; Kampala's lists hold 23 of them, Bangkok's 9.
    annex = ref.select()
    assert len(annex) == 118 and len({r["event_id"] for r in annex}) == 6
    assert ref.count(annex, "event") == {
        "kampala-2007": 23,
        "bangkok-2007": 9,
        "brasilia-2007": 12,
        "cape-town-2007": 14,
        "new-delhi-2007": 19,
        "abidjan-2007": 41,
    }
    assert len(ref.select(chosen={"source": []})) == 132  # with section V's 4 outcomes and section VI's 10 findings
    # Kampala (d): "... facilitate prosecution of traffickers and assistance to and protection of victims"
    assert ref.values_of(next(r for r in annex if r["id"] == "kampala-2007-gen-d"), "theme") == {
        "prosecution",
        "protection",
        "cooperation",
    }


# ------------------------------------------------------------------------------ whole values, not substrings


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        # "communities" is inside "religious_communities" (14 Cape Town records, none also "communities").
        (
            {"actor": ["communities"], "source": []},
            [
                "kampala-2007-rap-b",
                "new-delhi-2007-pri-j",
                "new-delhi-2007-pri-o",
                "abidjan-2007-ddr-d",
                "abidjan-2007-ddr-m",
                "abidjan-2007-ddr-o",
            ],
        ),
        # "section-v" is inside "section-vi": section V's four outcomes, not section VI's ten findings.
        (
            {"source": ["section-v"]},
            ["istanbul-2007-outcome", "vilnius-2007-outcome", "egypt-2007-outcome", "bishkek-2007-outcome"],
        ),
    ],
)
def test_a_value_inside_another_value_selects_only_its_own_records(chosen, expected):
    assert ids(ref.select(chosen=chosen)) == expected
    assert ids(flt.apply(RECORDS, EVENTS, model(chosen))) == expected


def test_a_value_inside_another_is_not_counted_for_it():
    actors = flt.option_counts(FACETS, flt.Filters(sources=()), {}, "actors", ["communities"])
    assert actors == {"communities": 6}
    assert facet_counts(RECORDS, "actors", multi=True)["communities"] == 6


def test_a_crafted_dataset_where_substring_matching_would_give_more():
    # children ⊂ children_without_care ⊂ "children_without_care_x"; "protection" ⊂ "victim_protection".
    base = {column: "" for column in RECORDS.columns} | {"event_id": "kampala-2007", "source": "annex-ii"}
    rows = [
        {"id": "r1", "target_groups": "children_without_care", "themes": "prevention"},
        {"id": "r2", "target_groups": "children; women", "themes": "protection"},
        {"id": "r3", "target_groups": "women", "themes": "prevention; prosecution"},
        {"id": "r4", "target_groups": " children ", "themes": "victim_protection"},
    ]
    crafted = pd.DataFrame([base | row for row in rows])
    records = [base | row for row in rows]
    for chosen in ({"target_group": ["children"]}, {"theme": ["protection"]}, {"theme": ["prevention"]}):
        expected = ids(ref.select(records, chosen))
        assert ids(flt.apply(crafted, EVENTS, model(chosen))) == expected
    assert ids(ref.select(records, {"target_group": ["children"]})) == ["r2", "r4"]
    assert ids(ref.select(records, {"theme": ["protection"]})) == ["r2"]
    counts = facet_counts(crafted, "target_groups", multi=True).to_dict()
    assert counts == ref.count(records, "target_group") == {"children_without_care": 1, "children": 2, "women": 2}


# ------------------------------------------------------------------------------ theme modes


def test_all_themes_keeps_every_record_holding_them_whatever_else_it_holds():
    chosen = {"theme": ["protection", "prosecution"]}
    shown = ids(flt.apply(RECORDS, EVENTS, model(chosen, "all")))
    assert shown == ids(ref.select(chosen=chosen, theme_mode="all"))
    assert len(shown) == 4
    # three themes, two of them chosen: "all" is "at least these", not "exactly these"
    assert "kampala-2007-gen-d" in shown
    any_shown = ids(flt.apply(RECORDS, EVENTS, model(chosen, "any")))
    assert any_shown == ids(ref.select(chosen=chosen, theme_mode="any")) and len(any_shown) == 53


def test_all_of_a_theme_nobody_holds_is_nothing_and_any_of_it_is_the_rest():
    chosen = {"theme": ["protection", "prosecution", "prevention", "cooperation"]}
    assert ids(flt.apply(RECORDS, EVENTS, model(chosen, "all"))) == ids(ref.select(chosen=chosen, theme_mode="all"))
    assert len(flt.apply(RECORDS, EVENTS, model(chosen, "any"))) == 118


# ------------------------------------------------------------------------------ filters and options, at random


def chosen_strategy():
    def values(key):
        return st.lists(st.sampled_from(DIMENSIONS[key].values(CODEBOOK, EVENTS)), unique=True, max_size=3)

    keys = st.lists(st.sampled_from(KEYS), unique=True, min_size=1, max_size=3)
    return keys.flatmap(lambda ks: st.fixed_dictionaries({k: values(k) for k in ks}))


@settings(max_examples=150, deadline=None)
@given(chosen=chosen_strategy(), theme_mode=st.sampled_from(["any", "all"]))
def test_any_combination_of_filters_shows_the_references_records(chosen, theme_mode):
    shown = flt.apply(RECORDS, EVENTS, model(chosen, theme_mode))
    assert ids(shown) == ids(ref.select(chosen=chosen, theme_mode=theme_mode))


VIEWS = [
    ({}, "any"),
    ({"theme": ["protection"]}, "any"),
    ({"theme": ["protection", "prevention"]}, "all"),
    ({"theme": ["protection", "prevention"]}, "any"),
    ({"event": ["abidjan-2007", "kampala-2007"], "target_group": ["children"]}, "any"),
    ({"topic": ["research"], "source": []}, "any"),
    ({"actor": ["communities"], "theme": ["prevention"]}, "all"),
    ({"source": ["uploaded"]}, "any"),  # a value no record holds: its chip reads 0
]


@pytest.mark.parametrize(("chosen", "theme_mode"), VIEWS)
@pytest.mark.parametrize("key", KEYS)
def test_every_option_reads_what_choosing_it_would_show(chosen, theme_mode, key):
    filters = model(chosen, theme_mode)
    masks = flt.masks(RECORDS, EVENTS, filters, FACETS)
    values = DIMENSIONS[key].values(CODEBOOK, EVENTS)
    counts = flt.option_counts(FACETS, filters, masks, DIMENSIONS[key].field, values)
    assert counts == {v: ref.option_count(chosen, key, v, theme_mode) for v in values}


def test_a_search_combines_with_the_filters_as_one_more_restriction():
    from gift_dash.search import search

    matched = set(search(RECORDS, "children", CODEBOOK)["id"])
    chosen = {"theme": ["protection"]}
    shown = flt.apply(RECORDS, EVENTS, flt.Filters(themes=("protection",), query="children"), CODEBOOK)
    assert ids(shown) == ids(ref.select(chosen=chosen, ids=matched))


# ------------------------------------------------------------------------------ cross-tabs and figures


PAIRS = [("event", "theme"), ("target_group", "theme"), ("topic", "actor"), ("record_type", "exploitation_form")]


@pytest.mark.parametrize(("row", "column"), PAIRS)
@pytest.mark.parametrize("chosen", [{}, {"source": []}, {"theme": ["protection"]}])
def test_every_cross_tab_cell_is_the_references_count(row, column, chosen):
    records = flt.apply(RECORDS, EVENTS, model(chosen))
    table = crosstab(records, EVENTS, CODEBOOK, row, column)
    labels = {key: DIMENSIONS[key].labels(CODEBOOK, EVENTS) for key in (row, column)}
    expected = ref.crosstab(ref.select(chosen=chosen), row, column)

    def name(key, value):
        return ref.NOT_STATED if value == ref.NOT_STATED else labels[key].get(value, value)

    cells = {(name(row, r), name(column, c)): n for (r, c), n in expected.items()}
    got = {(r, c): int(table.loc[r, c]) for r in table.index for c in table.columns if table.loc[r, c]}
    assert got == cells


@pytest.mark.parametrize(
    ("measure", "cell", "expected"),
    [
        # Children: 44 annex II records; 20 of them hold protection. 20/44 = 45.5 %.
        ("row", ("target_group", "theme", "children", "protection"), 45.5),
        # Protection: 34 annex II records; 20 of them are about children. 20/34 = 58.8 %.
        ("column", ("target_group", "theme", "children", "protection"), 58.8),
        ("count", ("target_group", "theme", "children", "protection"), 20),
    ],
)
def test_percentages_divide_by_the_records_of_the_row_or_column(measure, cell, expected):
    row, column, row_value, column_value = cell
    table = crosstab(flt.apply(RECORDS, EVENTS, flt.Filters()), EVENTS, CODEBOOK, row, column, measure)
    assert table.loc["Children", "Protection"] == expected
    annex = ref.select()
    if measure == "row":
        assert ref.row_percent(annex, row, column, row_value, column_value) == expected
    elif measure == "column":
        assert ref.row_percent(annex, column, row, column_value, row_value) == expected
    else:
        assert ref.crosstab(annex, row, column)[row_value, column_value] == expected


@pytest.mark.parametrize("key", ["row", "column"])
def test_every_percentage_of_a_cross_tab_is_the_references(key):
    annex = ref.select()
    table = crosstab(flt.apply(RECORDS, EVENTS, flt.Filters()), EVENTS, CODEBOOK, "event", "topic", key)
    events = {v: n for v, n in DIMENSIONS["event"].labels(CODEBOOK, EVENTS).items()}
    topics = DIMENSIONS["topic"].labels(CODEBOOK, EVENTS)
    for event, event_label in events.items():
        if event_label not in table.index:
            continue
        for topic, topic_label in topics.items():
            if topic_label not in table.columns:
                continue
            if key == "row":
                expected = ref.row_percent(annex, "event", "topic", event, topic)
            else:
                expected = ref.row_percent(annex, "topic", "event", topic, event)
            assert table.loc[event_label, topic_label] == expected, (event, topic)


@pytest.mark.parametrize("chosen", [{}, {"theme": ["prosecution"]}, {"event": ["bangkok-2007"]}, {"source": []}])
def test_the_overview_figures_are_the_references(chosen):
    records = flt.apply(RECORDS, EVENTS, model(chosen))
    selected = ref.select(chosen=chosen)
    held = {r["event_id"] for r in selected}
    assert headline(records, EVENTS) == {
        "events": len(held),
        "records": len(selected),
        "countries": len({ref.EVENTS[e]["country"] for e in held if ref.EVENTS[e]["country"]}),
        "lists": len({r["list_id"] for r in selected if r["list_id"]}),
    }
    told = story(records, EVENTS, CODEBOOK)
    themes = ref.count(selected, "theme")
    assert dict(told["themes"]) == {ref.label("themes", v): n for v, n in themes.items()}
    types = ref.count(selected, "record_type")
    assert dict(told["record_types"]) == {ref.label("record_type", v): n for v, n in types.items()}


def test_the_overview_of_annex_ii_as_counted_by_hand():
    told = story(flt.apply(RECORDS, EVENTS, flt.Filters()), EVENTS, CODEBOOK)
    assert (told["records"], told["events"], told["countries"], told["lists"]) == (118, 6, 6, 12)
    # Prevention: 65 before codebook v3, which took it from Cape Town's rel-g and rel-l (G18, data/changes/v3.csv).
    assert dict(told["themes"]) == {"Prevention": 63, "Protection": 34, "Prosecution": 23, "Cooperation": 42}


def test_needs_beside_records_counts_the_references_records():
    needs = needs_vs_records(flt.apply(RECORDS, EVENTS, flt.Filters()), DATA.ta_needs, CODEBOOK)
    counts = ref.count(ref.select(), "ta_area")
    for _, row in needs.iterrows():
        assert row["records"] == counts.get(row["ta_area"], 0)
        assert row["records_pct"] == round(100 * counts.get(row["ta_area"], 0) / 118, 1)
    needs_file = {r["ta_area"]: float(r["percentage"]) for r in ref.read_csv("ta_needs.csv")}
    assert dict(zip(needs["ta_area"], needs["needs_pct"], strict=True)) == needs_file
    # Labels as the codebook gives them (read with the csv module); an area no record holds counts 0, as an int.
    assert dict(zip(needs["ta_area"], needs["label"], strict=True)) == {
        area: ref.label("ta_areas", area) for area in needs_file
    }
    none = needs_vs_records(flt.apply(RECORDS, EVENTS, flt.Filters()).iloc[:0], DATA.ta_needs, CODEBOOK)
    assert none["records"].tolist() == [0] * len(needs_file) and none["records"].dtype.kind == "i"
    assert none.index.tolist() == list(range(len(needs_file)))


def test_facet_counts_most_first_against_the_reference():
    counts = facet_counts(RECORDS, "themes", multi=True)
    assert counts.to_dict() == ref.count(ref.RECORDS, "theme")
    assert counts.tolist() == sorted(counts.tolist(), reverse=True)  # most first
    assert list(counts.index[:2]) == ["prevention", "cooperation"]  # most first


def test_theme_mix_against_the_reference():
    """One row per (event, theme) with records, events by date as the cross-tab lists them, the theme's value."""
    annex = flt.apply(RECORDS, EVENTS, flt.Filters())
    mix = theme_mix(annex, EVENTS, CODEBOOK)
    pairs = ref.crosstab(ref.select(), "event", "theme")
    assert {(e, t): n for e, t, n in zip(mix["event"], mix["theme"], mix["records"], strict=True)} == {
        (ref.EVENTS[e]["short_name"], ref.label("themes", t)): n for (e, t), n in pairs.items()
    }
    assert (mix["theme_value"] == mix["theme"].map({ref.label("themes", v): v for _, v in pairs})).all()
    by_date = sorted(ref.EVENTS.values(), key=lambda e: (e["start_date"], e["short_name"]))  # then by name
    order = [e["short_name"] for e in by_date if e["short_name"] in set(mix["event"])]
    assert list(dict.fromkeys(mix["event"])) == order
    assert mix.index.tolist() == list(range(len(mix)))
