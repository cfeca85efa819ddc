"""Counting records: facet counts, cross-tabs over multi-valued columns, the overview's figures, needs vs records;
and the readable record tables built on them."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gift_dash.data import load_dataset
from gift_dash.filters import Filters, apply
from gift_dash.present import display_frame, events_table, tags
from gift_dash.schema import split_multi
from gift_dash.tabulate import (
    DIMENSIONS,
    NOT_STATED,
    cell_records,
    crosstab,
    event_span,
    exploded,
    facet_counts,
    headline,
    needs_vs_records,
    recurring_ideas,
    story,
    theme_mix,
    value_counts,
)
from tests import reference as ref

DATA = load_dataset()
EVENTS, CODEBOOK = DATA.events, DATA.codebook
ANNEX = apply(DATA.records, EVENTS, Filters())


def tiny(rows):
    base = {c: "" for c in DATA.records.columns}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_facet_counts_count_a_multi_valued_record_under_each_value():
    frame = tiny([{"themes": "protection; prevention"}, {"themes": "protection"}, {"themes": ""}])
    counts = facet_counts(frame, "themes", multi=True)
    assert counts.to_dict() == {"protection": 2, "prevention": 1}


def test_facet_counts_of_nothing_is_empty():
    assert facet_counts(ANNEX.iloc[:0], "themes", multi=True).empty


def test_crosstab_counts_match_a_hand_count():
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme")
    kampala = ANNEX[ANNEX["event_id"] == "kampala-2007"]
    for value in CODEBOOK.values("themes"):
        expected = sum(value in split_multi(c) for c in kampala["themes"])
        assert table.loc["Kampala", CODEBOOK.label("themes", value)] == expected


def test_crosstab_rows_follow_dates_and_columns_the_codebook():
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme")
    assert list(table.index) == ["Kampala", "Bangkok", "Brasilia", "Cape Town", "New Delhi", "Abidjan"]
    assert list(table.columns) == ["Prevention", "Protection", "Prosecution", "Cooperation"]


def test_row_percent_divides_by_distinct_records_so_multi_valued_rows_can_exceed_100():
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme", "row")
    n_kampala = (ANNEX["event_id"] == "kampala-2007").sum()
    counts = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme")
    assert table.loc["Kampala", "Prevention"] == round(counts.loc["Kampala", "Prevention"] / n_kampala * 100, 1)
    assert table.loc["Kampala"].sum() > 100  # several themes per record


def test_column_percent_of_a_single_valued_pair_sums_to_100():
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "record_type", "event", "column")
    assert table.sum(axis=0).round(0).eq(100).all()


def test_blank_values_are_not_stated_last():
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "exploitation_form")
    assert table.columns[-1] == NOT_STATED


@pytest.mark.parametrize("row", list(DIMENSIONS))
@pytest.mark.parametrize("column", ["theme", "topic", "source"])
def test_every_pair_of_dimensions_tabulates(row, column):
    table = crosstab(DATA.records, EVENTS, CODEBOOK, row, column)
    # a record counts once in each of its (row value, column value) cells, "not stated" where it has none
    assert table.to_numpy().sum() == sum(ref.crosstab(ref.RECORDS, row, column).values())


def test_unknown_measure_is_refused():
    message = "unknown measure 'median'; expected one of count, row, column"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme", "median")


def test_cell_records_are_the_ones_counted():
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "target_group", "theme")
    inside = cell_records(ANNEX, EVENTS, CODEBOOK, "target_group", "Children", "theme", "Protection")
    assert len(inside) == table.loc["Children", "Protection"]
    assert all(
        "children" in split_multi(t) and "protection" in split_multi(h)
        for t, h in zip(inside["target_groups"], inside["themes"], strict=True)
    )


def test_headline_of_annex_ii():
    assert headline(ANNEX, EVENTS) == {"events": 6, "records": 118, "countries": 6, "lists": 12}


def test_theme_mix_counts_the_references_records_per_event_and_theme():
    mix = theme_mix(ANNEX, EVENTS, CODEBOOK)
    counts = ref.crosstab(ref.select(), "event", "theme")
    # Events by date (then name), each event's themes in the codebook's order, as the cross-tab reads.
    events = sorted({e for e, _ in counts}, key=lambda e: (ref.EVENTS[e]["start_date"], ref.EVENTS[e]["short_name"]))
    themes = ["prevention", "protection", "prosecution", "cooperation"]
    expected = [(ref.EVENTS[e]["short_name"], t, counts[e, t]) for e in events for t in themes if (e, t) in counts]
    assert list(zip(mix["event"], mix["theme_value"], mix["records"], strict=True)) == expected
    assert list(mix.columns) == ["event", "theme", "records", "theme_value"]


def test_recurring_ideas_need_two_events_and_name_them():
    summary = pd.DataFrame(
        {
            "label": ["A", "B"],
            "n_events": [3, 1],
            "n_members": [4, 2],
            "representative_text": ["t", "u"],
            "events": [["kampala-2007", "bangkok-2007", "abidjan-2007"], ["kampala-2007"]],
        }
    )
    ideas = recurring_ideas(ANNEX, EVENTS, summary)
    assert list(ideas["idea"]) == ["A"]
    assert ideas.loc[0, "event_names"] == "Kampala, Bangkok, Abidjan"


def test_needs_vs_records_shares():
    needs = needs_vs_records(ANNEX, DATA.ta_needs, CODEBOOK).set_index("ta_area")
    assert needs.loc["international_cooperation", "needs_pct"] == pytest.approx(78.57)
    expected = facet_counts(ANNEX, "ta_areas", multi=True)["victim_protection"]
    assert needs.loc["victim_protection", "records"] == expected
    assert needs.loc["victim_protection", "records_pct"] == round(expected / 118 * 100, 1)


def test_needs_vs_no_records_is_zero_not_an_error():
    needs = needs_vs_records(ANNEX.iloc[:0], DATA.ta_needs, CODEBOOK)
    assert (needs["records_pct"] == 0).all()


def test_display_frame_keeps_text_verbatim_and_labels_tags():
    shown = display_frame(ANNEX, EVENTS, CODEBOOK)
    assert shown["Text (verbatim)"].tolist() == ANNEX["text"].tolist()
    assert shown.loc[ANNEX.index[3], "Themes"] == "Prosecution; Protection; Cooperation"
    assert (shown["Target groups"] == NOT_STATED).any()


def test_tags_cover_every_tag_column():
    record = ANNEX.set_index("id").loc["kampala-2007-gen-d"]
    assert dict(tags(record, CODEBOOK))["Exploitation forms"] == NOT_STATED
    assert dict(tags(record, CODEBOOK))["Primary theme"] == "Prosecution"


def test_events_table_says_not_stated_and_puts_undated_last():
    table = events_table(EVENTS)
    egypt = table.iloc[-1]
    assert egypt["Event"] == "Egypt (LAS)" and egypt["City"] == NOT_STATED


def test_exploded_reads_multi_valued_cells_as_the_validator_does():
    # "a; a" is one value and "a;;b" two: a cross-tab counts a record once per value, never an empty part.
    cells = pd.Series(["prevention; prevention", "prevention;;protection", "", " cooperation "])
    assert exploded(cells, multi=True).tolist() == [
        "prevention",
        "prevention",
        "protection",
        "not stated",
        "cooperation",
    ]
    assert exploded(cells, multi=True).index.tolist() == [0, 1, 1, 2, 3]


def test_theme_mix_lists_events_in_the_cross_tabs_order():
    # Bangkok has no prevention record: its first row in a theme-by-theme frame would come late.
    mix = theme_mix(ANNEX, EVENTS, CODEBOOK)
    table = crosstab(ANNEX, EVENTS, CODEBOOK, "event", "theme")
    assert list(dict.fromkeys(mix["event"])) == list(table.index)


def test_the_overview_story_counts_what_is_in_view_and_says_which_events_have_no_date():
    told = story(ANNEX, EVENTS, CODEBOOK)
    assert (told["records"], told["events"], told["period"], told["undated"]) == (118, 6, "June–November 2007", 0)
    assert sum(n for _, n in told["record_types"]) == 118
    assert dict(told["themes"])["Prevention"] == 63  # tests/test_oracle.py counts every theme (v3: 63)
    everything = apply(DATA.records, EVENTS, Filters(sources=()))
    told = story(everything, EVENTS, CODEBOOK)
    # The Vienna Forum (February 2008) widens the period; the Egypt workshop ("At the end of October 2007") has none.
    assert told["period"] == "June 2007–February 2008" and told["undated"] == 1


def test_the_overview_and_the_briefing_state_one_period_counting_end_dates():
    from gift_dash.briefing import _period

    # An event that starts in November and ends in December: both must say the period runs to December.
    data = load_dataset()
    events = data.events[data.events["in_annex_ii"] == "yes"].iloc[:2].copy()
    events["start_date"], events["end_date"] = ["2007-06-04", "2007-11-28"], ["2007-06-06", "2007-12-02"]
    records = data.records[data.records["event_id"].isin(events["event_id"])]
    assert story(records, events, data.codebook)["period"] == "June–December 2007"
    assert _period(events) == "June 2007 to December 2007"


def test_theme_mix_gives_records_without_a_theme_no_theme_value():
    records = tiny([{"event_id": "kampala-2007", "themes": "protection; prevention"}, {"event_id": "kampala-2007"}])
    mix = theme_mix(records, EVENTS, CODEBOOK)
    assert mix.to_dict("list") == {
        "event": ["Kampala", "Kampala", "Kampala"],
        "theme": ["Prevention", "Protection", NOT_STATED],
        "records": [1, 1, 1],
        "theme_value": ["prevention", "protection", ""],
    }


def test_a_single_valued_cell_is_one_value_even_with_a_semicolon():
    frame = tiny([{"list_id": "a; b"}, {"list_id": " a; b "}, {"list_id": ""}])
    assert facet_counts(frame, "list_id").to_dict() == {"a; b": 2}
    assert value_counts(frame["list_id"]).to_dict() == {"a; b": 2}


def test_recurring_ideas_table_keeps_the_first_eight_ideas_of_two_events_or_more():
    # Eleven ideas, the third in one event only: the first eight of the other ten, in the summary's order.
    n_events = [2, 3, 1, 2, 2, 2, 2, 2, 2, 2, 2]
    ids = [["bangkok-2007", "somewhere-1999"]] + [["kampala-2007", "vienna-2008"]] * 10
    summary = pd.DataFrame(
        {
            "label": list("ABCDEFGHIJK"),
            "n_events": n_events,
            "n_members": list(range(10, 21)),
            "representative_text": list("abcdefghijk"),
            "events": ids,
        },
        index=range(100, 111),
    )
    ideas = recurring_ideas(ANNEX, EVENTS, summary)
    assert ideas.to_dict("list") == {
        "idea": list("ABDEFGHI"),
        "events": [2, 3, 2, 2, 2, 2, 2, 2],
        "members": [10, 11, 13, 14, 15, 16, 17, 18],
        # an event the events table lacks is named by its id
        "event_names": ["Bangkok, somewhere-1999"] + ["Kampala, Vienna Forum"] * 7,
        "representative_text": list("abdefghi"),
    }
    assert list(ideas.index) == list(range(8))


def test_needs_vs_records_columns():
    needs = needs_vs_records(ANNEX, DATA.ta_needs, CODEBOOK)
    assert list(needs.columns) == ["ta_area", "label", "needs_pct", "records", "records_pct"]
    assert list(needs.index) == list(range(len(DATA.ta_needs)))


def test_story_of_one_event_says_its_month_and_of_undated_events_no_period():
    kampala = ANNEX[ANNEX["event_id"] == "kampala-2007"]  # 19-22 June 2007
    assert story(kampala, EVENTS, CODEBOOK)["period"] == "June 2007"
    everything = apply(DATA.records, EVENTS, Filters(sources=()))
    egypt = everything[everything["event_id"] == "egypt-2007"]  # no stated date
    assert len(egypt) > 0
    told = story(egypt, EVENTS, CODEBOOK)
    assert (told["period"], told["undated"]) == ("", 1)


def span(starts, ends):
    return event_span(pd.DataFrame({"start_date": starts, "end_date": ends}))


def test_event_span_reads_only_the_schemas_date_form():
    # "04/06/2007" is no stated date: read as another form it would move the start to April.
    assert span(["04/06/2007", "2007-06-05"], ["", ""]) == (pd.Timestamp("2007-06-05"), pd.Timestamp("2007-06-05"))
    assert span(["2007-06-05", ""], ["12/31/2007", "2007-06-09"]) == (
        pd.Timestamp("2007-06-05"),
        pd.Timestamp("2007-06-09"),
    )


def test_event_span_without_end_dates_ends_at_the_last_start_and_without_starts_is_none():
    assert span(["2007-10-02", "2007-06-19"], ["", ""]) == (pd.Timestamp("2007-06-19"), pd.Timestamp("2007-10-02"))
    assert span(["", ""], ["2007-06-22", ""]) is None
