"""data/workplan.csv against annex I of the source document: every pillar, output, activity and lettered sub-item,
verbatim, counted, linked; and the validator's messages for a damaged copy."""

import csv
import re

import pandas as pd
import pytest

from gift_dash.data import DATA_DIR, SOURCE_DOCUMENT, load_dataset
from gift_dash.schema import WORKPLAN_COLUMNS, validate_workplan

DATA = load_dataset()
SOURCE = SOURCE_DOCUMENT.read_text(encoding="utf-8")
ANNEX_I = SOURCE[SOURCE.index("# Annex I Workplan") : SOURCE.index("# **Annex II")]
SECTION_VII = SOURCE[SOURCE.index("## VII. Implementation phase") : SOURCE.index("## **VIII.")]

# Counted by reading annex I: (outputs, activities, lettered sub-items) per pillar.
EXPECTED = {"1": (1, 1, 0), "2": (1, 5, 0), "3": (3, 6, 0), "4": (4, 9, 11)}


def untypeset(text: str) -> str:
    """The table's words without its typesetting: tags and footnote marks removed, runs of spaces as one."""
    text = re.sub(r"<sup>.*?</sup>", "", text)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


TABLE_WORDS = untypeset(ANNEX_I)


@pytest.fixture(scope="module")
def workplan():
    return load_dataset().workplan


def test_counts_per_pillar(workplan):
    counts = {
        pillar: tuple(int((part["kind"] == kind).sum()) for kind in ("output", "activity", "sub_item"))
        for pillar, part in workplan.groupby("pillar")
    }
    assert counts == EXPECTED
    assert (workplan["kind"] == "pillar").sum() == 4
    assert (workplan["kind"] == "activity").sum() == 21
    assert (workplan["kind"] == "sub_item").sum() == 11


def test_independent_count_of_the_table():
    """Counted from the source, not from the CSV: bold-titled paragraphs in the Activity column and <li> items."""
    paragraphs = re.findall(r"<p><b>", ANNEX_I)
    pillar_1 = re.findall(r"OUTPUT 1 <sup>a</sup>\tIncreased awareness of human trafficking\t<b>", ANNEX_I)
    pillar_2_first = re.findall(r"OUTPUT 1\tIncreased knowledge base on human trafficking\t<b>", ANNEX_I)
    assert len(paragraphs) + len(pillar_1) + len(pillar_2_first) == 21
    assert len(re.findall(r"<li>\([a-e]\) ", ANNEX_I)) == 11
    assert len(re.findall(r"<li>", ANNEX_I)) == 11


def test_every_row_is_verbatim(workplan):
    for _, row in workplan.iterrows():
        assert row["text"] in TABLE_WORDS, row["workplan_id"]
        if row["kind"] == "sub_item":
            assert f"{row['marker']} {row['text']}" in TABLE_WORDS, row["workplan_id"]
        assert row["text"].startswith(row["title"]) or row["kind"] == "pillar", row["workplan_id"]
        assert row["title"] in TABLE_WORDS, row["workplan_id"]
    assert not workplan["text"].str.contains("<|>", regex=True).any()


def test_rows_follow_the_table_order(workplan):
    """Each row's words are found after the previous row's (outputs repeat under pillars 3 and 4, so search on)."""
    position = 0
    for _, row in workplan.iterrows():
        found = TABLE_WORDS.find(row["title"] if row["kind"] == "pillar" else row["text"], position)
        assert found >= position, row["workplan_id"]
        position = found


@pytest.mark.parametrize(
    "workplan_id,title,text_start",
    [
        (
            "p1-a1",
            "Awareness-raising to support prevention efforts",
            "Awareness-raising to support prevention efforts. Engaging public opinion",
        ),
        ("p3-a1", "Ownership by Member States", "Ownership by Member States of UN.GIFT efforts"),
        ("p4-a3-d", "Law enforcement “first aid kit”", "Law enforcement “first aid kit”"),
        (
            "p4-a7-b",
            "Health and human trafficking, including HIV/AIDS",
            "Health and human trafficking, including HIV/AIDS",
        ),
        ("p4-a9", "Ensure standard agreements for repatriation of trafficked victims", "Ensure standard agreements"),
    ],
)
def test_items_read_as_in_annex_i(workplan, workplan_id, title, text_start):
    row = workplan.set_index("workplan_id").loc[workplan_id]
    assert row["title"] == title
    assert row["text"].startswith(text_start)


def test_outputs_with_no_activity_are_kept(workplan):
    by_id = workplan.set_index("workplan_id")
    for output in ("p3-o4", "p4-o2"):
        assert by_id.loc[output, "kind"] == "output"
        assert not (workplan["parent_id"] == output).any()
    assert by_id.loc["p3-o4", "title"].startswith("A global conference is organized")


def test_output_definitions_are_the_footnote(workplan):
    footnote = untypeset(ANNEX_I[ANNEX_I.index("<sup>a</sup> The UN.GIFT") :])
    outputs = workplan[workplan["kind"] == "output"]
    for _, row in outputs.iterrows():
        letter = "abcde"[int(row["output"]) - 1]
        assert f"({letter}) {row['definition']}" in footnote, row["workplan_id"]
    assert outputs.set_index("workplan_id").loc["p4-o5", "definition"].startswith("increase support to victims")


def test_pillars_are_defined_and_headed_by_section_vii(workplan):
    pillars = workplan[workplan["kind"] == "pillar"]
    for letter, (_, row) in zip("abcd", pillars.iterrows(), strict=True):
        assert f"({letter}) {row['definition']};" in SECTION_VII or f"({letter}) {row['definition']}." in SECTION_VII
        assert f"{row['pillar']}. {row['short_title']}**" in SECTION_VII


def test_hierarchy(workplan):
    by_id = workplan.set_index("workplan_id")
    expected_parent = {"output": "pillar", "activity": "output", "sub_item": "activity"}
    for _, row in workplan[workplan["kind"] != "pillar"].iterrows():
        parent = by_id.loc[row["parent_id"]]
        assert parent["kind"] == expected_parent[row["kind"]]
        assert parent["pillar"] == row["pillar"]
    subs = workplan[workplan["kind"] == "sub_item"]
    assert subs.groupby("parent_id").size().to_dict() == {"p4-a3": 5, "p4-a4": 4, "p4-a7": 2}
    assert (subs["workplan_id"] == subs["parent_id"] + "-" + subs["marker"].str.strip("()")).all()
    assert by_id.loc[["p4-a3", "p4-a4", "p4-a7"], "text"].str.endswith(":").all()


def test_shipped_workplan_validates(workplan):
    assert validate_workplan(workplan, load_dataset().codebook).problems == []


def test_validator_names_file_row_and_column(workplan):
    codebook = load_dataset().codebook
    bad = workplan.copy()
    bad.loc[2, "kind"] = "task"
    bad.loc[3, "workplan_id"] = bad.loc[4, "workplan_id"]
    bad.loc[6, "parent_id"] = "p9"
    bad.loc[7, "text"] = ""
    problems = [str(p) for p in validate_workplan(bad, codebook).problems]
    assert any(p.startswith("workplan.csv, row 4 (id p1-a1), column kind: unknown kind 'task'") for p in problems)
    assert any("row 5" in p and "column workplan_id: duplicate workplan_id" in p for p in problems)
    assert any("row 8" in p and "column parent_id: parent 'p9' is not a" in p for p in problems)
    assert any("row 9" in p and "column text: text is empty" in p for p in problems)


def test_validator_reports_a_missing_column(workplan):
    problems = validate_workplan(workplan.drop(columns="kind"), load_dataset().codebook).problems
    assert [(p.row, p.column) for p in problems] == [(None, "kind")]
    assert list(workplan.columns) == WORKPLAN_COLUMNS


def test_codebook_defines_the_kinds(workplan):
    codebook = load_dataset().codebook
    assert set(workplan["kind"]) == set(codebook.values("workplan_kind"))
    assert pd.Series(codebook.values("response_strength")).tolist() == ["explicit", "thematic"]


# ------------------------------------------------------------------------------------- the workplan's tags (v3)


def _tags(workplan_id: str) -> dict[str, set[str]]:
    with open(DATA_DIR / "workplan.csv", encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["workplan_id"] == workplan_id)
    return {
        c: {v.strip() for v in row[c].split(";") if v.strip()}
        for c in ("ta_areas", "target_groups", "actors", "topics")
    }


@pytest.mark.parametrize(
    ("workplan_id", "column", "expected"),
    [
        # Read by hand in annex I (rules W1, W2 of codebook v3).
        ("p4-a8", "topics", {"civil_society_partnership", "victim_assistance"}),  # 'for the protection of victims'
        ("p4-a8", "actors", {"ngos_civil_society", "law_enforcement"}),  # 'non-governmental … law enforcement'
        ("p4-a3-b", "target_groups", {"children"}),  # 'Training resources on child trafficking'
        ("p4-a3-d", "actors", {"law_enforcement"}),
        ("p4-a7-b", "target_groups", {"victims"}),  # from its lead-in 'tools to support victims' (W2)
        ("p4-a7-b", "topics", {"health_hiv"}),
        ("p4-a4-b", "target_groups", set()),  # names no group: the field stays empty
        ("p4-a4-b", "topics", {"research"}),
        ("p1-a1", "actors", set()),  # 'such as law enforcement, media, sports, youth' are examples (W1)
        ("p2-a1", "target_groups", set()),  # victims only as what the indicators count (W1)
        ("p4-a5", "actors", {"parliamentarians", "international_organizations"}),
    ],
)
def test_workplan_rows_are_tagged_as_their_words_say(workplan_id, column, expected):
    assert _tags(workplan_id)[column] == expected


def test_every_activity_and_sub_item_is_tagged_and_pillars_and_outputs_are_not():
    for row in DATA.workplan.to_dict("records"):
        tagged = any(row[c] for c in ("ta_areas", "target_groups", "actors", "topics"))
        assert tagged == (row["kind"] in ("activity", "sub_item")), row["workplan_id"]


def test_the_validator_checks_workplan_tags():
    bad = DATA.workplan.copy()
    bad.loc[bad["workplan_id"] == "p4-a8", "topics"] = "victim_assistance; nonsense"
    bad.loc[bad["workplan_id"] == "p4-a7-b", "target_groups"] = ""  # loses its lead-in's victims (W2)
    bad.loc[bad["workplan_id"] == "p4-a3-d", "ta_areas"] = ""  # training_law_enforcement implies criminal_justice
    bad.loc[bad["workplan_id"] == "p1", "topics"] = "research"  # a pillar carries no tags
    problems = validate_workplan(bad, DATA.codebook).problems
    by_id = {(p.record_id, p.column) for p in problems}
    assert by_id >= {("p4-a8", "topics"), ("p4-a7-b", "target_groups"), ("p4-a3-d", "ta_areas"), ("p1", "topics")}
    assert {p.record_id for p in problems} == {"p4-a8", "p4-a7-b", "p4-a3-d", "p1"}
