"""Filters: applying them to the shipped records and the URL form of untrusted input (search: test_search.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gift_dash.data import load_dataset
from gift_dash.filters import (
    MAX_QUERY_CHARS,
    MAX_VALUE_CHARS,
    MAX_VALUES_PER_KEY,
    URL_KEYS,
    Facets,
    Filters,
    apply,
    describe,
    from_query_params,
    to_query_params,
)
from tests import reference as ref

DATA = load_dataset()
RECORDS, EVENTS, CODEBOOK = DATA.records, DATA.events, DATA.codebook


def parse(params, **kw):
    return from_query_params(params, CODEBOOK, EVENTS, **kw)


def ids(frame):
    return set(frame["id"])


def test_default_filters_show_annex_ii_only():
    view = apply(RECORDS, EVENTS, Filters())
    assert len(view) == 118
    assert set(view["source"]) == {"annex-ii"}


def test_empty_sources_means_every_source():
    assert len(apply(RECORDS, EVENTS, Filters(sources=()))) == len(RECORDS)


# Whole values against substrings, theme modes, and every combination against the plain reference:
# tests/test_oracle.py.


def test_programme_selects_its_events():
    view = apply(RECORDS, EVENTS, Filters(programmes=("UN.GIFT East Africa",)))
    assert set(view["event_id"]) == {"kampala-2007"}
    assert len(view) == 23


def test_filters_combine_with_and():
    # Abidjan's 41 records less the nine whose words name no child (read in the document: ratification,
    # governance, awareness, youth, families, HIV/AIDS, small arms, a case database, data collection).
    view = apply(RECORDS, EVENTS, Filters(events=("abidjan-2007",), target_groups=("children",)))
    assert len(view) == 32
    assert set(ids(apply(RECORDS, EVENTS, Filters(events=("abidjan-2007",))))) - ids(view) == {
        "abidjan-2007-leg-a",
        "abidjan-2007-leg-b",
        "abidjan-2007-pre-b",
        "abidjan-2007-pre-f",
        "abidjan-2007-pre-l",
        "abidjan-2007-pre-m",
        "abidjan-2007-pre-n",
        "abidjan-2007-dat-e",
        "abidjan-2007-dat-f",
    }


def test_apply_returns_a_copy():
    view = apply(RECORDS, EVENTS, Filters())
    view.loc[view.index[0], "text"] = "changed"
    assert RECORDS.loc[view.index[0], "text"] != "changed"


# ------------------------------------------------------------------------------------------- URL form


def test_default_filters_have_an_empty_address():
    assert to_query_params(Filters()) == {}


def test_round_trip_of_a_full_view():
    f = Filters(
        events=("kampala-2007", "bangkok-2007"),
        programmes=("UN.GIFT South Asia",),
        themes=("protection", "prevention"),
        theme_mode="all",
        primary_themes=("protection",),
        ta_areas=("victim_protection",),
        target_groups=("children",),
        actors=("law_enforcement",),
        exploitation_forms=("forced_labour",),
        topics=("research",),
        record_types=("recommendation",),
        sources=(),
        query="training of police",
    )
    back, notices = parse(to_query_params(f))
    assert back == f
    assert notices == []


vocab_values = st.sampled_from(CODEBOOK.values("themes"))


@settings(max_examples=60, deadline=None)
@given(
    themes=st.lists(vocab_values, unique=True, max_size=4).map(tuple),
    events=st.lists(st.sampled_from(list(EVENTS["event_id"])), unique=True, max_size=3).map(tuple),
    mode=st.sampled_from(["any", "all"]),
    sources=st.lists(st.sampled_from(CODEBOOK.values("source")), unique=True, max_size=3).map(tuple),
    query=st.text(max_size=50).map(str.strip),
)
def test_round_trip_property(themes, events, mode, sources, query):
    f = Filters(themes=themes, events=events, theme_mode=mode, sources=sources, query=query)
    back, notices = parse(to_query_params(f))
    assert back == f
    assert notices == []


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"colour": "red"}, "'colour'"),
        ({"theme": "nonsense"}, "theme='nonsense'"),
        ({"event": "atlantis-2007"}, "not a known event"),
        ({"theme_mode": "most"}, "expected 'any' or 'all'"),
        ({"theme": "x" * 5000}, "too long"),
        ({"theme": [1, None]}, "expected text"),
        ({3: "x"}, "not a known setting"),
    ],
)
def test_bad_params_are_dropped_with_a_notice(params, fragment):
    f, notices = parse(params)
    assert any(fragment in n for n in notices), notices
    assert f == Filters()


def test_repeated_single_key_uses_the_first_with_a_notice():
    f, notices = parse({"q": ["one", "two"], "theme_mode": ["all", "any"]})
    assert (f.query, f.theme_mode) == ("one", "all")
    assert len(notices) == 2


def test_good_values_survive_beside_bad_ones():
    f, notices = parse({"theme": ["protection", "bogus", "protection"], "event": "kampala-2007"})
    assert f.themes == ("protection",)
    assert f.events == ("kampala-2007",)
    assert len(notices) == 1


def test_huge_value_lists_and_queries_are_capped():
    f, notices = parse({"topic": ["research"] * (MAX_VALUES_PER_KEY + 50), "q": "a" * 100_000})
    assert f.topics == ("research",)
    assert len(f.query) == MAX_QUERY_CHARS
    assert len(notices) == 2


def test_notices_do_not_repeat_huge_values():
    _, notices = parse({"actor": "z" * 150})
    assert all(len(n) < 200 for n in notices)


def test_source_all_and_bad_sources():
    assert parse({"source": "all"})[0].sources == ()
    f, notices = parse({"source": "nowhere"})
    assert f.sources == ("annex-ii",) and notices


def test_page_keys_are_left_to_the_page():
    f, notices = parse({"row": "themes", "theme": "protection"}, page_keys=("row",))
    assert notices == [] and f.themes == ("protection",)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(sorted(URL_KEYS.values())), st.text(max_size=20), st.integers()),
        st.one_of(
            st.text(max_size=300),
            st.lists(st.one_of(st.text(max_size=30), st.integers(), st.none()), max_size=5),
            st.integers(),
            st.none(),
            st.binary(max_size=10),
        ),
        max_size=8,
    )
)
def test_parser_never_raises_and_returns_only_known_values(params):
    f, notices = parse(params)
    assert all(isinstance(n, str) and n for n in notices)
    if any(isinstance(k, str) and k not in URL_KEYS.values() for k in params):
        assert any("not a known setting" in n for n in notices)
    assert set(f.themes) <= set(CODEBOOK.values("themes"))
    assert set(f.events) <= set(EVENTS["event_id"])
    assert f.theme_mode in ("any", "all")
    apply(RECORDS, EVENTS, f)  # whatever was parsed can be applied


# ------------------------------------------------------------------------------------------- in words


def test_describe_no_filters():
    assert describe(Filters(), CODEBOOK, EVENTS) == "All annex II records"


def test_describe_uses_labels_and_names():
    text = describe(Filters(themes=("protection",), events=("kampala-2007",), query="training"), CODEBOOK, EVENTS)
    assert text == "Event: Kampala · Theme: Protection · Search: 'training'"


def test_describe_mentions_theme_mode_and_sources():
    text = describe(Filters(themes=("protection", "prevention"), theme_mode="all", sources=()), CODEBOOK, EVENTS)
    assert text == "Theme (all of): Protection, Prevention · Source: all sources"


@pytest.mark.parametrize(
    "params, key, value, problem",
    [
        ({"colour": "red"}, "colour", None, "not a known setting"),
        ({"theme": ["protection", "nonsense"]}, "theme", "nonsense", "not a known theme"),
        ({"event": "atlantis-2007"}, "event", "atlantis-2007", "not a known event"),
        ({"theme_mode": "most"}, "theme_mode", "most", "expected 'any' or 'all'"),
        ({"q": ["one", "two"]}, "q", None, "given 2 times; it takes one value"),
        ({"theme_mode": ["all", "any", "all"]}, "theme_mode", None, "given 3 times; it takes one value"),
        ({"theme": "x" * 5000}, "theme", "x" * 40 + "…", "5,000 characters is too long; at most 200"),
        ({"q": "y" * 250}, "q", "y" * 40 + "…", "250 characters is too long; at most 200"),
        ({"theme": [1]}, "theme", None, "expected text, got int"),
        ({"topic": ["research"] * 101}, "topic", None, "101 values; at most 100"),
    ],
)
def test_each_notice_names_its_key_value_and_problem(params, key, value, problem):
    # What the data over HTTP answers a 400 with (gift_dash.api); the page shows the notice's text, as before.
    _, notices = parse(params)
    assert [(n.key, n.value, n.problem) for n in notices] == [(key, value, problem)]


# ------------------------------------------------------------------------------------------- edges (mutation testing)


def test_a_key_after_one_that_is_dropped_or_read_specially_is_still_read():
    # Each of these keys is handled and the loop goes on to the next key: the theme after it is kept.
    for first in ({3: "x"}, {"q": "children"}, {"theme_mode": "all"}, {"colour": "red"}, {"row": "event"}):
        f, _ = parse({**first, "theme": "protection"}, page_keys=("row",))
        assert f.themes == ("protection",), first


def test_source_all_beside_a_source_keeps_the_source():
    assert parse({"source": ["all", "section-v"]})[0].sources == ("section-v",)
    assert parse({"source": ["section-v", "all"]})[0].sources == ("section-v",)


def test_values_at_the_limits_are_kept_without_a_notice():
    f, notices = parse({"theme": "x" * MAX_VALUE_CHARS})
    assert [n.problem for n in notices] == ["not a known theme"]  # long, but not too long to be read
    f, notices = parse({"topic": ["research"] * MAX_VALUES_PER_KEY, "q": "a" * MAX_QUERY_CHARS})
    assert notices == [] and f.topics == ("research",) and len(f.query) == MAX_QUERY_CHARS


@pytest.mark.parametrize(
    "params, text",
    [
        ({3: "x"}, "Ignored '3' in the address: not a known setting."),
        ({"q": ["one", "two"]}, "'q' appears 2 times in the address; used the first."),
        ({"q": "y" * 250}, "The search in the address was cut to its first 200 characters."),
        ({"topic": ["research"] * 101}, "Ignored values of 'topic' beyond the first 100."),
        ({"theme": [1]}, "Ignored a value of 'theme' in the address: expected text, got int."),
        ({"q": [1]}, "Ignored a value of 'q' in the address: expected text, got int."),
        ({"theme_mode": [1]}, "Ignored a value of 'theme_mode' in the address: expected text, got int."),
        ({"theme_mode": ["all", "any"]}, "'theme_mode' appears 2 times in the address; used the first."),
        ({"event": "x" * 40}, f"Ignored event='{'x' * 40}' in the address: not a known event."),
        ({"event": "x" * 41}, f"Ignored event='{'x' * 40}…' in the address: not a known event."),
    ],
)
def test_each_notice_says_what_was_ignored_in_words(params, text):
    _, notices = parse(params)
    assert [str(n) for n in notices] == [text]


def test_an_address_that_cannot_be_read_is_the_default_view_with_a_notice():
    class Unreadable(dict):
        def items(self):
            raise RuntimeError("no")

    f, notices = parse(Unreadable())
    assert f == Filters()
    assert [(str(n), n.key, n.value, n.problem) for n in notices] == [
        ("The address could not be read; showing the default view.", "", None, "unreadable")
    ]


def test_describe_says_any_of_and_names_the_sources():
    text = describe(Filters(themes=("protection", "prevention"), sources=("section-v", "section-vi")), CODEBOOK, EVENTS)
    labels = [CODEBOOK.label("source", s) for s in ("section-v", "section-vi")]
    assert text == f"Theme (any of): Protection, Prevention · Source: {', '.join(labels)}"


def test_facets_of_part_of_the_records_keep_its_index():
    part = RECORDS.iloc[10:20]
    facets = Facets(part, EVENTS)
    assert facets.holds("themes", ["protection"]).index.equals(part.index)
    nobody = facets.holds("themes", ["protection", "no-such-theme"], require_all=True)
    assert nobody.index.equals(part.index) and nobody.dtype == bool and not nobody.any()
    # without require_all, one of the values is enough
    either = facets.holds("themes", ["protection", "prevention"])
    assert list(part["id"][either]) == [
        r["id"] for r in ref.select(list(ref.RECORDS[10:20]), {"theme": ["protection", "prevention"]})
    ]


def test_no_records_give_no_facets_and_an_empty_view():
    facets = Facets(RECORDS.iloc[:0], EVENTS)
    assert not facets.holds("themes", ["protection"]).any()
    assert apply(RECORDS.iloc[:0], EVENTS, Filters(themes=("protection",))).empty


def test_a_single_valued_cell_is_one_value_whatever_it_holds():
    events = EVENTS.copy()
    events.loc[events["event_id"] == "kampala-2007", "programme"] = "UN.GIFT; East Africa"
    view = apply(RECORDS, events, Filters(programmes=("UN.GIFT; East Africa",)))
    assert len(view) == 23 and set(view["event_id"]) == {"kampala-2007"}


def test_the_search_mask_from_given_matches_is_the_one_scored_here():
    from gift_dash.filters import masks
    from gift_dash.search import search

    f = Filters(themes=("protection",), query="children")
    scored = masks(RECORDS, EVENTS, f, codebook=CODEBOOK)
    given = masks(RECORDS, EVENTS, f, codebook=CODEBOOK, matches=search(RECORDS, "children", CODEBOOK))
    assert set(scored) == set(given) == {"sources", "themes", "query"}
    assert given["query"].index.equals(RECORDS.index) and given["query"].dtype == bool
    assert given["query"].equals(scored["query"]) and 0 < given["query"].sum() < len(RECORDS)
    # A part of the records keeps its own index (10, 11, ...), so the mask can select from that part.
    part = RECORDS.iloc[10:20]
    given = masks(part, EVENTS, f, codebook=CODEBOOK, matches=search(part, "children", CODEBOOK))
    assert given["query"].index.equals(part.index)


def test_combine_ands_the_masks_over_the_rows_given_leaving_out_skip():
    from gift_dash.filters import combine

    index = pd.Index([10, 20, 30])
    in_force = {
        "themes": pd.Series([True, True, False], index=index),
        "query": pd.Series([True, False, True], index=index),
    }
    frame = pd.DataFrame({"id": ["a", "b", "c"]}, index=index)
    pd.testing.assert_series_equal(combine(index, in_force), pd.Series([True, False, False], index=index))
    pd.testing.assert_series_equal(combine(frame, in_force), pd.Series([True, False, False], index=index))
    pd.testing.assert_series_equal(combine(frame, in_force, skip="query"), pd.Series([True, True, False], index=index))


def test_with_values_replaces_one_field_without_repeats():
    from gift_dash.filters import field_names, with_values

    f = with_values(Filters(themes=("protection",), query="x"), "themes", ["prevention", "cooperation", "prevention"])
    assert f == Filters(themes=("prevention", "cooperation"), query="x")
    assert field_names()[-2:] == ("theme_mode", "query") and "themes" in field_names()


def test_rejoined_facets_count_the_joined_status_and_keep_the_rest():
    records = RECORDS.assign(followup_status=["planned" if i % 3 == 0 else "no_entry" for i in range(len(RECORDS))])
    facets = Facets(RECORDS, EVENTS)
    rejoined = facets.rejoined(records, EVENTS)
    everyone = pd.Series(True, index=RECORDS.index)
    assert rejoined.counts("statuses", everyone) == {"planned": 44, "no_entry": len(RECORDS) - 44}
    assert facets.counts("statuses", everyone) == {"no_entry": len(RECORDS)}, "the facets it came from are unchanged"
    assert rejoined.counts("themes", everyone) == facets.counts("themes", everyone)
