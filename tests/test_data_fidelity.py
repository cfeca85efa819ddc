"""The shipped dataset against the source document: every item present, verbatim, counted, and tagged in-vocabulary."""

import re
from collections import Counter

import pandas as pd
import pytest

from gift_dash.data import DATA_DIR, SOURCE_DOCUMENT, check_shipped, load_dataset
from gift_dash.schema import MULTI_VOCAB_COLUMNS, split_multi

SOURCE = SOURCE_DOCUMENT.read_text(encoding="utf-8").replace("\\$", "$")  # "\$" is a typesetting artefact

# Items per annex II list, counted by reading the document: (lettered items, roman sub-items).
EXPECTED_LISTS = {
    "kampala-2007-gen": (8, 5),
    "kampala-2007-rap": (10, 0),
    "brasilia-2007-pri": (6, 0),
    "brasilia-2007-con": (6, 0),
    "new-delhi-2007-pri": (19, 0),
    "bangkok-2007-pri": (3, 6),
    "abidjan-2007-leg": (5, 0),
    "abidjan-2007-pre": (14, 0),
    "abidjan-2007-ddr": (16, 0),
    "abidjan-2007-dat": (6, 0),
    "cape-town-2007-imp": (2, 0),
    "cape-town-2007-rel": (12, 0),
}
ANNEX_II_EVENTS = ["kampala-2007", "brasilia-2007", "new-delhi-2007", "bangkok-2007", "abidjan-2007", "cape-town-2007"]


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


@pytest.fixture(scope="module")
def annex(dataset):
    return dataset.records[dataset.records["source"] == "annex-ii"]


def parse_annex_ii(text: str) -> list[tuple[str, str]]:
    """An independent reading of annex II: (marker, item text) for every lettered and roman item, in order.

    Deliberately simpler than the way the data was built: it takes every line of annex II that starts with a
    bracketed marker, so a record missing from the CSV (or an extra one) shows up as a mismatch.
    """
    annex = text[text.index("# **Annex II") :]
    items = []
    for line in annex.splitlines():
        match = re.match(r"^\s*(?:- )?\(([a-z]+)\) (.*\S)\s*$", line)
        if match:
            items.append((match.group(1), match.group(2)))
    return items


def strip_list_punctuation(text: str) -> str:
    return re.sub(r"(;\s*and|;)$", "", text)


def test_annex_ii_has_118_records_107_lettered_and_11_roman(annex):
    assert len(annex) == 118
    assert (annex["parent_id"] == "").sum() == 107
    assert (annex["parent_id"] != "").sum() == 11


@pytest.mark.parametrize("list_id,expected", EXPECTED_LISTS.items())
def test_each_list_has_its_count(annex, list_id, expected):
    part = annex[annex["list_id"] == list_id]
    assert ((part["parent_id"] == "").sum(), (part["parent_id"] != "").sum()) == expected


def test_lists_cover_annex_ii_and_nothing_else(annex):
    assert set(annex["list_id"]) == set(EXPECTED_LISTS)
    assert list(dict.fromkeys(annex["event_id"])) == ANNEX_II_EVENTS


def test_independent_parse_matches_every_record_in_order(annex):
    parsed = parse_annex_ii(SOURCE)
    assert len(parsed) == 118
    markers = [item.split(".")[-1] for item in annex["item"]]
    assert markers == [marker for marker, _ in parsed]
    assert annex["text"].tolist() == [strip_list_punctuation(text) for _, text in parsed]


def test_every_record_text_occurs_verbatim_after_its_marker(dataset):
    for _, record in dataset.records.iterrows():
        if record["item"]:
            marker = record["item"].split(".")[-1]
            assert f"({marker}) {record['text']}" in SOURCE, record["id"]
        else:
            assert record["text"] in SOURCE, record["id"]


def test_records_are_in_document_order(dataset):
    positions = [SOURCE.index(text) for text in dataset.records["text"] if SOURCE.count(text) == 1]
    annex_start = SOURCE.index("# **Annex II")
    annex_positions = [p for p in positions if p > annex_start]
    assert annex_positions == sorted(annex_positions)


def test_section_is_the_lists_lead_in_as_worded(dataset):
    for section in dataset.records["section"].unique():
        assert section in SOURCE


def test_roman_sub_items_link_to_their_parent(annex):
    by_id = annex.set_index("id")
    subs = annex[annex["parent_id"] != ""]
    for _, sub in subs.iterrows():
        parent = by_id.loc[sub["parent_id"]]
        assert sub["item"].startswith(parent["item"] + ".")
        assert parent["text"].endswith(":")  # the parent introduces its sub-items
        assert parent["list_id"] == sub["list_id"]


def test_vienna_forum_findings_a_to_j(dataset):
    vienna = dataset.records[dataset.records["source"] == "section-vi"]
    assert vienna["item"].tolist() == list("abcdefghij")
    assert set(vienna["record_type"]) == {"finding"}
    assert set(vienna["event_id"]) == {"vienna-2008"}


def test_section_v_outcomes_only_for_events_absent_from_annex_ii(dataset):
    outcomes = dataset.records[dataset.records["source"] == "section-v"]
    assert sorted(outcomes["event_id"]) == ["bishkek-2007", "egypt-2007", "istanbul-2007", "vilnius-2007"]
    assert set(outcomes["record_type"]) == {"outcome"}


def test_shipped_data_validates_without_problems():
    assert [str(p) for p in check_shipped()] == []


@pytest.mark.parametrize("column,vocabulary", MULTI_VOCAB_COLUMNS.items())
def test_tag_vocabularies_are_closed(dataset, column, vocabulary):
    allowed = set(dataset.codebook.values(vocabulary))
    used = {value for cell in dataset.records[column] for value in split_multi(cell)}
    assert used <= allowed
    assert not any("," in cell for cell in dataset.records[column])  # values are separated by "; " only


def test_every_record_has_a_theme_and_its_primary_theme_among_them(dataset):
    for _, record in dataset.records.iterrows():
        themes = split_multi(record["themes"])
        assert themes, record["id"]
        assert record["primary_theme"] in themes, record["id"]
        assert split_multi(record["topics"]) or record["text"].endswith(":"), record["id"]


def test_each_theme_is_a_primary_theme_somewhere(annex):
    assert Counter(annex["primary_theme"]).keys() == {"prevention", "protection", "prosecution", "cooperation"}


def test_ids_are_readable_unique_and_derived_from_list_and_item(dataset):
    records = dataset.records
    assert records["id"].is_unique
    itemised = records[records["item"] != ""]
    expected = itemised["list_id"] + "-" + itemised["item"].str.replace(".", "-", regex=False)
    assert (itemised["id"] == expected).all()
    assert records["id"].str.fullmatch(r"[a-z0-9-]+").all()


def test_ids_are_stable(dataset):
    """Ids are quoted in citations and shared links: once published, an id never changes or disappears."""
    published = (DATA_DIR.parent / "tests" / "data" / "published_ids.txt").read_text(encoding="utf-8").split()
    assert set(published) <= set(dataset.records["id"])


def test_codebook_defines_every_value_with_a_rule(dataset):
    entries = dataset.codebook.entries
    assert (entries[["label", "definition", "inclusion_rule"]] != "").all().all()
    assert set(dataset.codebook.values("themes")) == {"prevention", "protection", "prosecution", "cooperation"}
    assert len(dataset.codebook.values("ta_areas")) == 7


def test_ta_needs_table_is_the_section_vii_4_table(dataset):
    needs = dataset.ta_needs
    assert set(needs["ta_area"]) == set(dataset.codebook.values("ta_areas"))
    for _, row in needs.iterrows():
        assert f"{row['label_as_stated']}\t{row['percentage']:.2f}" in SOURCE


class TestEvents:
    def test_ten_preparatory_events_and_the_vienna_forum(self, dataset):
        events = dataset.events
        assert len(events) == 11
        assert (events["in_annex_ii"] == "yes").sum() == 6
        assert set(dataset.records["event_id"]) == set(events["event_id"])

    def test_stated_fields_are_verbatim(self, dataset):
        # Where section V is silent the field is empty ("not stated" on screen); everything else is its words.
        silent = {
            ("bangkok-2007", "outcome"),
            ("vilnius-2007", "title"),
            ("vilnius-2007", "outcome"),
            ("egypt-2007", "title"),
            ("bishkek-2007", "outcome"),
            ("vienna-2008", "outcome"),
        }
        empty = set()
        for _, event in dataset.events.iterrows():
            for column in ("title", "focus", "outcome", "date_as_stated"):
                if event[column]:
                    assert len(event[column]) > 10 and event[column] in SOURCE, (event["event_id"], column)
                else:
                    empty.add((event["event_id"], column))
        assert empty == silent

    def test_dates_agree_with_the_wording(self, dataset):
        for _, event in dataset.events.iterrows():
            if not event["start_date"]:
                continue
            start, end = pd.Timestamp(event["start_date"]), pd.Timestamp(event["end_date"])
            stated = event["date_as_stated"]
            assert str(start.day) in stated and str(end.day) in stated and start.strftime("%B") in stated
            assert end.strftime("%Y") in stated and end >= start

    def test_what_the_document_does_not_say_stays_empty(self, dataset):
        egypt = dataset.events.set_index("event_id").loc["egypt-2007"]
        assert egypt["city"] == "" and egypt["start_date"] == "" and egypt["end_date"] == ""
        assert egypt["latitude"] == "" and egypt["longitude"] == ""
        assert egypt["date_as_stated"] == "At the end of October 2007"

    def test_annex_ii_titles_are_the_headings(self, dataset):
        annex_events = dataset.events[dataset.events["in_annex_ii"] == "yes"]
        for _, event in annex_events.iterrows():
            assert f"**{event['title']}, held in {event['city']}" in SOURCE
