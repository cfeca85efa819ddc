"""The view-state model (gift_dash.filters, gift_dash.view) and the dimension registry it derives from: any sequence
of a person's operations round-trips through the address unchanged; option counts say what a pick would give;
every part of the product (filters, URL, CLI, cross-tab, headings, README) names the same dimensions."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from gift_dash import cli, tabulate
from gift_dash import filters as flt
from gift_dash.data import load_dataset
from gift_dash.dimensions import BY_FIELD, DIMENSIONS, available
from gift_dash.followup import summary
from gift_dash.followup.store import ENTRY_COLUMNS
from gift_dash.present import COLUMN_HEADINGS
from gift_dash.search import search
from gift_dash.view import View, export_scope

DATA = load_dataset()
RECORDS, EVENTS, CODEBOOK = DATA.records, DATA.events, DATA.codebook
FACETS = flt.Facets(RECORDS, EVENTS)
VALUES = {key: dim.values(CODEBOOK, EVENTS) for key, dim in DIMENSIONS.items()}
NO_ENTRIES = pd.DataFrame(columns=list(ENTRY_COLUMNS))  # an empty follow-up store (store.entries_frame)
README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def parse(params):
    return flt.from_query_params(params, CODEBOOK, EVENTS)


# ------------------------------------------------------------------------------------------- the registry


def test_every_dimension_is_a_filter_a_url_key_a_cli_option_a_crosstab_and_a_heading():
    filter_fields = {f.name for f in fields(flt.Filters)}
    options = {a.dest for a in cli.build_parser()._subparsers._group_actions[0].choices["export"]._actions}
    for key, dim in DIMENSIONS.items():
        assert dim.field in filter_fields and flt.URL_KEYS[dim.field] == key
        assert key in options, f"the CLI has no {dim.cli_option}"
        table = tabulate.crosstab(RECORDS, EVENTS, CODEBOOK, key, "theme")
        assert table.index.name == dim.label and table.to_numpy().sum() > 0
        if dim.joined:  # not a records column: exports carry it among the follow-up columns, under its heading
            assert dim.heading in summary.export_columns(RECORDS, NO_ENTRIES).columns
        elif not dim.event_column:
            assert COLUMN_HEADINGS[dim.column] == dim.heading
    assert filter_fields == {d.field for d in DIMENSIONS.values()} | {"theme_mode", "query"}


def test_the_follow_up_status_is_joined_from_the_store_then_filtered_counted_and_said_like_any_dimension():
    entries = NO_ENTRIES.copy()
    for n, (record_id, status) in enumerate(
        [("kampala-2007-gen-a", "planned"), ("kampala-2007-gen-b", "planned"), ("kampala-2007-gen-c", "completed")]
    ):
        entries.loc[n] = {**dict.fromkeys(ENTRY_COLUMNS, ""), "target_kind": "record", "target_id": record_id}
        entries.loc[n, ["status", "withdrawn", "target_date", "version"]] = [status, False, None, 1]
    assert "status" not in available(RECORDS)  # nothing joined, nothing offered
    records = summary.joined(RECORDS, entries)
    assert "status" in available(records) and len(records) == len(RECORDS)
    filters, notices = flt.from_query_params({"status": "planned", "event": "kampala-2007"}, CODEBOOK, EVENTS)
    assert not notices and filters.statuses == ("planned",)
    shown = flt.apply(records, EVENTS, filters, CODEBOOK)
    assert list(shown["id"]) == ["kampala-2007-gen-a", "kampala-2007-gen-b"]
    facets = flt.Facets(records, EVENTS)
    counts = flt.option_counts(
        facets, filters, flt.masks(records, EVENTS, filters, facets), "statuses", ["planned", "completed", "no_entry"]
    )
    in_kampala = int((RECORDS["event_id"] == "kampala-2007").sum())
    assert counts == {"planned": 2, "completed": 3, "no_entry": 2 + in_kampala - 3}
    assert flt.describe(filters, CODEBOOK, EVENTS) == "Event: Kampala · Follow-up status: Planned"
    table = tabulate.crosstab(records, EVENTS, CODEBOOK, "status", "event")
    assert table.loc["Planned", "Kampala"] == 2 and table.loc["No entry yet"].sum() == len(RECORDS) - 3
    # The facets a page keeps per dataset are rebuilt for the joined column alone.
    rejoined = flt.Facets(RECORDS, EVENTS).rejoined(records, EVENTS)
    assert rejoined.counts("statuses", rejoined.holds("events", ["kampala-2007"])) == facets.counts(
        "statuses", facets.holds("events", ["kampala-2007"])
    )


def test_the_readme_table_of_url_keys_is_the_registry():
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| `([^`]+)` \|", README, flags=re.MULTILINE)
    assert [key for key, _, _ in rows] == [*DIMENSIONS, flt.THEME_MODE_KEY, flt.QUERY_KEY]
    for key, label, option in rows:
        if key in DIMENSIONS:
            assert (label.strip(), option) == (DIMENSIONS[key].label, DIMENSIONS[key].cli_option)


def test_source_values_are_the_codebooks():
    assert set(VALUES["source"]) == {"annex-ii", "section-v", "section-vi", "uploaded"}


# ------------------------------------------------------------------------------------------- option counts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_each_option_count_is_the_view_that_option_stands_for(data):
    chosen = {}
    for key in data.draw(
        st.lists(st.sampled_from(["event", "theme", "target_group", "topic", "source"]), max_size=3, unique=True)
    ):
        chosen[DIMENSIONS[key].field] = tuple(
            data.draw(st.lists(st.sampled_from(VALUES[key]), min_size=1, max_size=2, unique=True))
        )
    filters = flt.Filters(**chosen, theme_mode=data.draw(st.sampled_from(flt.THEME_MODES)))
    masks_in_force = flt.masks(RECORDS, EVENTS, filters, FACETS)
    view = flt.apply(RECORDS, EVENTS, filters)
    key = data.draw(st.sampled_from(["event", "theme", "target_group", "topic"]))
    dim = DIMENSIONS[key]
    counts = flt.option_counts(FACETS, filters, masks_in_force, dim.field, VALUES[key])
    current = getattr(filters, dim.field)
    for value in VALUES[key]:
        if value in current:  # what it contributes: the records in view that hold it
            expected = int(flt.Facets(view, EVENTS).holds(dim.field, [value]).sum())
        else:  # the view with it added
            expected = len(flt.apply(RECORDS, EVENTS, flt.with_values(filters, dim.field, current + (value,))))
        assert counts[value] == expected, (key, value, filters)


def test_a_pick_under_another_filter_is_counted_in_the_view_it_gives():
    """The defect that started the filters issue: "Children (0)" beside "Showing 23"."""
    filters = flt.Filters(themes=("protection",), target_groups=("women", "children"))
    masks_in_force = flt.masks(RECORDS, EVENTS, filters, FACETS)
    counts = flt.option_counts(FACETS, filters, masks_in_force, "target_groups", ["women", "children", "girls"])
    view = flt.apply(RECORDS, EVENTS, filters)
    assert counts["children"] == int(view["target_groups"].str.contains(r"\bchildren\b").sum()) > 0
    with_girls = flt.with_values(filters, "target_groups", ("women", "children", "girls"))
    assert counts["girls"] == len(flt.apply(RECORDS, EVENTS, with_girls)) >= len(view)


# ------------------------------------------------------------------------------------------- the address


class PersonAtTheSidebar(RuleBasedStateMachine):
    """A person's operations on the view state; after each, the state survives the trip through the address."""

    def __init__(self):
        super().__init__()
        self.filters = flt.Filters()

    @rule(key=st.sampled_from(list(DIMENSIONS)), data=st.data())
    def pick(self, key, data):
        dim = DIMENSIONS[key]
        value = data.draw(st.sampled_from(VALUES[key]))
        before = self.filters
        self.filters = flt.with_values(before, dim.field, getattr(before, dim.field) + (value,))
        self._only_changed(before, dim.field)

    @precondition(lambda self: any(getattr(self.filters, d.field) for d in DIMENSIONS.values()))
    @rule(data=st.data())
    def remove(self, data):
        field = data.draw(st.sampled_from([d.field for d in DIMENSIONS.values() if getattr(self.filters, d.field)]))
        value = data.draw(st.sampled_from(getattr(self.filters, field)))
        before = self.filters
        self.filters = flt.with_values(before, field, [v for v in getattr(before, field) if v != value])
        self._only_changed(before, field)

    @rule(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
    def search(self, text):
        before = self.filters
        self.filters = replace(before, query=text.strip()[: flt.MAX_QUERY_CHARS])
        self._only_changed(before, "query")

    @rule(mode=st.sampled_from(flt.THEME_MODES))
    def theme_mode(self, mode):
        self.filters = replace(self.filters, theme_mode=mode)

    @rule()
    def reset(self):
        self.filters = flt.Filters()
        assert flt.to_query_params(self.filters) == {}

    def _only_changed(self, before, field):
        for f in fields(flt.Filters):
            if f.name != field:
                assert getattr(self.filters, f.name) == getattr(before, f.name)

    @invariant()
    def round_trips_through_the_address(self):
        params = flt.to_query_params(self.filters)
        assert set(params) <= set(flt.URL_KEYS.values())
        back, notices = parse(params)
        assert back == self.filters and notices == []
        assert flt.to_query_params(back) == params


PersonAtTheSidebar.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
test_any_sequence_of_operations_round_trips_through_the_address = PersonAtTheSidebar.TestCase


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"q": ["a", "b"]}, "'q' appears 2 times"),
        ({"theme_mode": ["all", "any"]}, "'theme_mode' appears 2 times"),
        ({"source": ["nonsense"]}, "not a known source"),
    ],
)
def test_repeated_or_bad_single_keys_are_named(params, notice):
    _, notices = parse(params)
    assert any(notice in n for n in notices), notices


def test_bad_source_values_never_widen_the_scope():
    filters, _ = parse({"source": ["nonsense"]})
    assert filters.sources == flt.DEFAULT_SOURCES
    assert parse({"source": ["all"]})[0].sources == ()


# ------------------------------------------------------------------------------------------- the view


def test_a_view_says_its_scope_and_which_part_a_table_holds():
    view = View.of(DATA, flt.Filters())
    assert len(view.records) == 118 and view.description == "All annex II records"
    part = view.records.head(3)
    assert export_scope(view, view.records) == "All annex II records"
    assert export_scope(view, part) == "All annex II records · the 3 record(s) listed in one table of the page"
    assert export_scope(view, part, "Recurring idea: Demand") == "All annex II records · Recurring idea: Demand"
    every = View.of(DATA, flt.Filters(sources=()))
    assert every.shows_other_sources and every.description == "Source: all sources"
    assert len(every.records) == len(RECORDS)


def test_the_scope_in_words_names_every_dimension_chosen():
    chosen = {d.field: (VALUES[k][0],) for k, d in DIMENSIONS.items() if k != "source"}
    text = flt.describe(flt.Filters(**chosen), CODEBOOK, EVENTS)
    for key, dim in DIMENSIONS.items():
        if key != "source":
            assert re.search(re.escape(dim.label) + r": ", text), key
    assert BY_FIELD["themes"].label == "Theme"


def test_the_search_filter_given_its_matches_selects_what_it_selects_scoring_itself():
    # The app scores a query once and hands the matches to the masks and the view; the records must be those the
    # search filter would select on its own, with any other filter beside it.
    chosen = flt.Filters(query="training police", themes=("prevention",))
    matches = search(RECORDS, chosen.query, CODEBOOK, fill=None)  # every candidate, as the app keeps them
    given_matches = View.of(DATA, chosen, matches=matches)
    scored_alone = flt.apply(RECORDS, DATA.events, chosen, CODEBOOK)
    assert given_matches.records["id"].tolist() == scored_alone["id"].tolist() and len(scored_alone) > 0
    assert View.of(DATA, chosen).matches.equals(matches)


def test_a_view_orders_its_records_as_the_address_says():
    from gift_dash.view import ranked

    view = View.of(DATA, flt.Filters(query="training police"))
    best, reasons = ranked(view)
    ranking = search(RECORDS, "training police", CODEBOOK)["id"]
    assert best["id"].tolist() == ranking[ranking.isin(view.records["id"])].tolist()
    assert len(best) == len(view.records)  # the table holds what "Showing N" counts
    by_event, same_reasons = ranked(view, "event")
    order = {e: i for i, e in enumerate(VALUES["event"])}
    assert by_event["event_id"].map(order).is_monotonic_increasing
    assert sorted(by_event["id"]) == sorted(best["id"])
    assert dict(zip(by_event["id"], same_reasons, strict=True)) == dict(zip(best["id"], reasons, strict=True))
    plain, none = ranked(View.of(DATA, flt.Filters()), "primary_theme")
    assert (
        none is None
        and plain["primary_theme"].map({t: i for i, t in enumerate(CODEBOOK.values("themes"))}).is_monotonic_increasing
    )
