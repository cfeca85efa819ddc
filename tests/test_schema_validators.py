"""The schema's validators and helpers on small tables made by hand: every message a person is shown is written out
here in full (file, spreadsheet row, id, column, the words), with each row's verdict. Nothing is read from data/ and
nothing is computed by gift_dash.schema to build an expected value; the codebook and its rules below are made up for
these tests. Fast on purpose: scripts/mutation.sh runs this file once per mutant of gift_dash/schema.py, and every
function is called inside a test (mutmut attributes to a function only the tests that call it while they run)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gift_dash.schema import (
    EVENT_COLUMNS,
    LEXICON_COLUMNS,
    RECORD_COLUMNS,
    RESPONSE_COLUMNS,
    RULE_COLUMNS,
    WORKPLAN_COLUMNS,
    Codebook,
    Problem,
    Rules,
    Sheet,
    among,
    by_date,
    date_order,
    event_names,
    missing_columns,
    rule_breaches,
    sheet_row,
    split_multi,
    validate_events,
    validate_lexicon,
    validate_records,
    validate_responses,
    validate_workplan,
)

TOPICS_EXPECTED = (
    "legislation, training, awareness, repatriation, research, shelters, hotlines, compensation "
    "… (9 values; see the codebook)"
)
ENTRIES = [
    ("themes", "prevention", "Prevention"),
    ("themes", "protection", "Protection"),
    ("themes", "prosecution", "Prosecution"),
    ("record_type", "recommendation", "Recommendation"),
    ("record_type", "finding", "Finding"),
    ("source", "document", "The document"),
    ("source", "uploaded", "Uploaded"),
    ("ta_areas", "legal_framework", "Legal framework"),
    ("ta_areas", "capacity_building", "Capacity building"),
    ("target_groups", "children", "Children"),
    ("target_groups", "girls", "Girls"),
    ("target_groups", "women", "Women"),
    ("actors", "police", "Police"),
    ("actors", "judges", "Judges"),
    ("exploitation_forms", "labour", "Labour"),
    ("exploitation_forms", "sexual", "Sexual"),
    ("exploitation_forms", "begging", "Begging"),
    ("exploitation_forms", "organs", "Organs"),
    ("exploitation_forms", "marriage", "Marriage"),
    ("exploitation_forms", "crime", "Crime"),
    ("exploitation_forms", "servitude", "Servitude"),
    ("exploitation_forms", "other", "Other"),
    ("topics", "legislation", "Legislation"),
    ("topics", "training", "Training"),
    ("topics", "awareness", "Awareness"),
    ("topics", "repatriation", "Repatriation"),
    ("topics", "research", "Research"),
    ("topics", "shelters", "Shelters"),
    ("topics", "hotlines", "Hotlines"),
    ("topics", "compensation", "Compensation"),
    ("topics", "data", "Data"),
    ("workplan_kind", "pillar", "Pillar"),
    ("workplan_kind", "output", "Output"),
    ("workplan_kind", "activity", "Activity"),
    ("workplan_kind", "sub_item", "Sub-item"),
    ("response_strength", "explicit", "Explicit"),
    ("response_strength", "partial", "Partial"),
    ("response_strength", "thematic", "Thematic"),
]
# (rule_id, kind, column, value, then_column, then_values, list_id)
RULE_ROWS = [
    ("G1", "guideline", "themes", "", "", "", ""),
    ("I1", "implies", "target_groups", "girls", "target_groups", "children", ""),
    ("I2", "implies", "topics", "legislation", "ta_areas", "legal_framework", ""),
    ("I3", "implies", "topics", "training", "actors", "police; judges", ""),
    ("I4", "implies", "topics", "training", "themes", "prevention", ""),
    ("P1", "inherit_parent", "target_groups", "", "", "", ""),
    ("P2", "inherit_parent", "actors", "", "", "", ""),
    ("L1", "inherit_lead_in", "actors", "police", "", "", "L9"),
    ("L2", "inherit_lead_in", "target_groups", "children", "", "", "L9"),
    ("R1", "renamed", "topics", "laws", "", "legislation", ""),
    ("N1", "needs_basis", "ta_areas", "", "", "", ""),
    ("M1", "may_imply", "topics", "training", "ta_areas", "capacity_building", ""),
    ("LK1", "measure_type", "topics", "legislation", "measure_type", "law; justice", ""),
    ("LK2", "no_group_link", "actors", "police", "", "", ""),
]


# Built afresh for each test: Rules and Codebook cache what they derive, and a cache filled by another test (or
# before mutmut switches a mutant on) would hide a mutant of the code that fills it.
def rules() -> Rules:
    table = pd.DataFrame([(*row, "a rule", "") for row in RULE_ROWS], columns=RULE_COLUMNS)
    return Rules(table)


def codebook() -> Codebook:
    entries = pd.DataFrame(ENTRIES, columns=["vocabulary", "value", "label"]).assign(definition="")
    return Codebook(entries, rules())


def table(columns: list[str], rows: list[dict]) -> pd.DataFrame:
    """Rows with the given columns, every cell not given empty."""
    return pd.DataFrame([{column: row.get(column, "") for column in columns} for row in rows], columns=columns)


def said(checked) -> list[str]:
    return [str(p) for p in checked.problems]


def verdicts(checked) -> tuple[list[bool], list[bool]]:
    return checked.refused.tolist(), checked.accepted.tolist()


# ------------------------------------------------------------------------------------------------------ helpers


def test_among_says_which_values_are_allowed():
    assert among(pd.Series(["a", "b", "c", "a"]), ["c", "a"]).tolist() == [True, False, True, True]
    assert among(pd.Index(["x", "y"]), ["y"]).tolist() == [False, True]
    assert among(pd.Series(["a"]), []).tolist() == [False]


def test_event_names_and_date_order():
    events = pd.DataFrame(
        {
            "event_id": ["late", "undated", "early-z", "early-b", "early-blank", "nan-date"],
            "short_name": ["Late", "Undated", "Zanzibar", "Bamako", "", "Nan"],
            "start_date": ["2008-02-13", "", "2007-03-01", "2007-03-01", "2007-03-01", np.nan],
        }
    )
    assert event_names(events) == {
        "late": "Late",
        "undated": "Undated",
        "early-z": "Zanzibar",
        "early-b": "Bamako",
        "early-blank": "",
        "nan-date": "Nan",
    }
    # Same date: by name, a blank name last; no date (blank or missing): last, by name.
    assert date_order(events) == [3, 2, 4, 0, 5, 1]
    assert by_date(events)["event_id"].tolist() == ["early-b", "early-z", "early-blank", "late", "nan-date", "undated"]


def test_sheet_row_counts_the_header():
    assert [sheet_row(0), sheet_row(5)] == [2, 7]


def test_a_problem_as_a_person_reads_it_and_as_a_table_row():
    assert str(Problem("a.csv", None, None, "no rows")) == "a.csv: no rows"
    assert str(Problem("a.csv", None, "themes", "missing")) == "a.csv, column themes: missing"
    assert str(Problem("a.csv", 3, None, "bad")) == "a.csv, row 3: bad"
    assert str(Problem("a.csv", 3, "text", "bad", "r-1")) == "a.csv, row 3 (id r-1), column text: bad"
    assert str(Problem("a.csv", 4, "text", "odd", "", "warning")) == "a.csv, row 4, column text: warning: odd"
    assert Problem("a.csv", 4, "text", "odd", "r-2", "warning").as_dict() == {
        "severity": "warning",
        "file": "a.csv",
        "row": 4,
        "column": "text",
        "id": "r-2",
        "problem": "odd",
    }
    assert Problem("a.csv", None, None, "no rows").as_dict() == {
        "severity": "error",
        "file": "a.csv",
        "row": None,
        "column": None,
        "id": "",
        "problem": "no rows",
    }


def test_missing_columns_names_them_and_what_is_there():
    frame = pd.DataFrame(columns=["id", "text"])
    assert missing_columns(frame, ("id", "text"), "search") is None
    assert missing_columns(frame, ("id", "themes", "topics"), "the export") == (
        "missing column(s) themes, topics; the export needs at least 'id' and 'themes' and 'topics' "
        "(columns present: id, text)"
    )
    assert missing_columns(pd.DataFrame(), ("id",), "search") == (
        "missing column(s) id; search needs at least 'id' (columns present: none)"
    )
    assert missing_columns(pd.DataFrame(columns=[0]), ("id",), "search") == (
        "missing column(s) id; search needs at least 'id' (columns present: 0)"
    )


def test_split_multi():
    assert split_multi(None) == []
    assert split_multi(math.nan) == []
    assert split_multi(" a; b;; c ;") == ["a", "b", "c"]
    assert split_multi("a;b") == ["a", "b"]
    assert split_multi(7) == ["7"]
    assert split_multi(1.5) == ["1.5"]  # a number read as one, not a missing cell
    assert split_multi("") == []


def test_the_rules_by_kind():
    made = rules()
    assert made.of_kind("implies")["rule_id"].tolist() == ["I1", "I2", "I3", "I4"]
    assert made.implications == (
        ("I1", "target_groups", "girls", "target_groups", ("children",)),
        ("I2", "topics", "legislation", "ta_areas", ("legal_framework",)),
        ("I3", "topics", "training", "actors", ("police", "judges")),
        ("I4", "topics", "training", "themes", ("prevention",)),
    )
    assert made.implied_by == {
        ("target_groups", "girls"): [("I1", "target_groups", ("children",))],
        ("topics", "legislation"): [("I2", "ta_areas", ("legal_framework",))],
        ("topics", "training"): [("I3", "actors", ("police", "judges")), ("I4", "themes", ("prevention",))],
    }
    assert made.bases == {
        ("target_groups", "girls"): [("target_groups", ("children",))],
        ("topics", "legislation"): [("ta_areas", ("legal_framework",))],
        ("topics", "training"): [
            ("actors", ("police", "judges")),
            ("themes", ("prevention",)),
            ("ta_areas", ("capacity_building",)),
        ],
    }
    assert made.needs_basis == {"ta_areas": "N1"}
    assert made.inherited_columns == {"target_groups": "P1", "actors": "P2"}
    assert made.lead_ins == {"L9": [("L1", "actors", "police"), ("L2", "target_groups", "children")]}
    assert made.measure_types == {"legislation": ("law", "justice")}
    assert made.no_group_link == {("actors", "police")}
    assert made.renamed == {("topics", "laws"): ("R1", "legislation")}


def test_the_codebook_in_its_own_order():
    book = codebook()
    assert book.values("record_type") == ["recommendation", "finding"]
    assert book.values("nothing") == []
    assert book.label("source", "document") == "The document"
    assert book.label("source", "elsewhere") == "elsewhere"  # a value the codebook lacks is shown as written
    assert book.label("nothing", "x") == "x"
    labels = book.labels("actors")
    assert labels == {"police": "Police", "judges": "Judges"}
    labels["police"] = "changed"  # a copy: the codebook stays as read
    assert book.labels("actors") == {"police": "Police", "judges": "Judges"}
    assert book.labels("nothing") == {}
    assert book.vocabularies == [
        "themes",
        "record_type",
        "source",
        "ta_areas",
        "target_groups",
        "actors",
        "exploitation_forms",
        "topics",
        "workplan_kind",
        "response_strength",
    ]


def test_a_sheet_keeps_the_cells_as_written_and_stripped():
    frame = pd.DataFrame({"id": [" a ", None, "c"], "n": ["1 ", None, None]}, index=[10, 11, 12])
    sheet = Sheet.of(frame)
    assert Sheet.of(sheet) is sheet
    assert len(sheet) == 3
    assert sheet.text.to_dict("list") == {"id": [" a ", "", "c"], "n": ["1 ", "", ""]}
    assert sheet.text.index.tolist() == [0, 1, 2]
    assert sheet.cells.to_dict("list") == {"id": ["a", "", "c"], "n": ["1", "", ""]}
    assert sheet.blank.tolist() == [False, True, False]
    assert sheet.positions() == [0, 2]
    assert sheet.column("id") == ["a", "", "c"]
    assert sheet.column("absent") == ["", "", ""]
    # a value the program adds does not turn the blank row into a record
    sourced = sheet.with_value("source", "uploaded")
    assert sourced.text["source"].tolist() == ["uploaded"] * 3
    assert sourced.cells["source"].tolist() == ["uploaded"] * 3
    assert sourced.text["id"].tolist() == [" a ", "", "c"]
    assert sourced.blank.tolist() == [False, True, False]
    assert sheet.cells.columns.tolist() == ["id", "n"]  # the sheet it came from is unchanged


# ------------------------------------------------------------------------------------------------------ records

OK = {"event_id": "e1", "text": "Do it.", "themes": "prevention", "primary_theme": "prevention"}


def check_records(rows: list[dict], columns: list[str] = RECORD_COLUMNS, **options):
    return validate_records(table(columns, rows), codebook(), {"e1", "e2"}, **options)


def test_each_fault_of_a_record_is_named():
    long_id = "bad id " + "x" * 70
    long_event = "e" * 70
    rows = [
        {**OK, "id": "r1", "record_type": "finding", "source": "document"},
        {},  # a blank row: not a record, still a row of the sheet
        {**OK, "id": ""},
        {**OK, "id": long_id},
        {**OK, "id": "dup"},
        {**OK, "id": "dup"},
        {**OK, "id": "old-1"},
        {**OK, "id": "r2", "event_id": ""},
        {**OK, "id": "r3", "event_id": long_event},
        {**OK, "id": "r4", "text": ""},
        {**OK, "id": "r5", "text": "x" * 10_001},
        {**OK, "id": "r6", "text": "x" * 10_000},
        {**OK, "id": "r7", "parent_id": "r7"},
        {**OK, "id": "r8", "parent_id": "n" * 70, "ta_areas": "legal_framework"},
        {
            **OK,
            "id": "r9",
            "record_type": "advice",
            "source": "web",
            "themes": "prevention; protection",
            "primary_theme": "prosecution",
        },
        {**OK, "id": "r10", "themes": "", "primary_theme": ""},
        {**OK, "id": "r11", "primary_theme": ""},
        {**OK, "id": "r12", "topics": "laws"},
        {**OK, "id": "r13", "topics": "crime, punishment", "target_groups": "m" * 70, "exploitation_forms": "war"},
        {**OK, "id": "r14", "themes": "prevention; prevention"},
        {**OK, "id": "r15", "primary_theme": "p" * 70},
        {**OK, "id": "r16", "parent_id": "old-1", "event_id": "e2"},
        {**OK, "id": "  r17  ", "themes": " protection ; prevention", "primary_theme": "protection "},
    ]
    checked = check_records(rows, known_ids={"old-1"})
    allowed_themes = "prevention, protection, prosecution"
    assert said(checked) == [
        "recommendations.csv, row 4, column id: id is empty; expected a unique id such as kampala-2007-gen-a",
        f"recommendations.csv, row 5 (id {long_id}), column id: id '{long_id[:60]}' is not valid; expected letters, "
        "digits, '.', '_', ':' or '-', no spaces, at most 100 characters",
        "recommendations.csv, row 6 (id dup), column id: duplicate id 'dup' (appears 2 times); ids must be unique",
        "recommendations.csv, row 7 (id dup), column id: duplicate id 'dup' (appears 2 times); ids must be unique",
        "recommendations.csv, row 8 (id old-1), column id: duplicate id 'old-1': a record with this id is already "
        "loaded, with other content; give this record a new id",
        "recommendations.csv, row 9 (id r2), column event_id: event_id is empty; expected an event id from events.csv",
        f"recommendations.csv, row 10 (id r3), column event_id: unknown event '{'e' * 60}'; expected an event id from "
        "events.csv or the uploaded events",
        "recommendations.csv, row 11 (id r4), column text: text is empty; expected the recommendation's verbatim "
        "wording",
        "recommendations.csv, row 12 (id r5), column text: text has 10,001 characters; at most 10,000 are accepted",
        "recommendations.csv, row 14 (id r7), column parent_id: a record cannot be its own parent",
        # an unknown parent's values are not asked for a basis: the parent that may carry them is unknown
        f"recommendations.csv, row 15 (id r8), column parent_id: parent '{'n' * 60}' does not exist; expected the id "
        "of another record",
        "recommendations.csv, row 16 (id r9), column record_type: unknown record_type 'advice'; expected one of "
        "recommendation, finding",
        "recommendations.csv, row 16 (id r9), column source: unknown source 'web'; expected one of document, uploaded",
        "recommendations.csv, row 16 (id r9), column primary_theme: primary_theme 'prosecution' is not among this "
        "record's themes (prevention; protection)",
        f"recommendations.csv, row 17 (id r10), column themes: no theme; expected at least one of {allowed_themes}",
        "recommendations.csv, row 18 (id r11), column primary_theme: primary_theme is empty; expected one of this "
        "record's themes",
        "recommendations.csv, row 19 (id r12), column topics: topics value 'laws' was renamed 'legislation' in "
        "codebook v2 (rule R1); write legislation",
        f"recommendations.csv, row 20 (id r13), column target_groups: unknown target_groups value '{'m' * 60}'; "
        "expected children, girls, women",
        # eight values are all spelled out
        "recommendations.csv, row 20 (id r13), column exploitation_forms: unknown exploitation_forms value 'war'; "
        "expected labour, sexual, begging, organs, marriage, crime, servitude, other",
        "recommendations.csv, row 20 (id r13), column topics: unknown topics value 'crime, punishment' (separate "
        f"values with '; '); expected {TOPICS_EXPECTED}",
        "recommendations.csv, row 21 (id r14), column themes: warning: a value is repeated; list each value once",
        f"recommendations.csv, row 22 (id r15), column primary_theme: unknown primary_theme '{'p' * 60}'; expected "
        f"one of {allowed_themes}",
        f"recommendations.csv, row 22 (id r15), column primary_theme: primary_theme '{'p' * 60}' is not among this "
        "record's themes (prevention)",
    ]
    assert [p.severity for p in checked.problems].count("warning") == 1
    refused = [False, False] + [True] * 9 + [False] + [True] * 7 + [False, True, False, False]
    accepted = [True, False] + [False] * 9 + [True] + [False] * 7 + [True, False, True, True]
    assert verdicts(checked) == (refused, accepted)


def test_the_codebook_rules_a_record_breaks():
    rows = [
        {**OK, "id": "p", "actors": "police; judges", "target_groups": "women"},
        {**OK, "id": "girls", "target_groups": "girls"},
        {**OK, "id": "law", "topics": "legislation"},
        {**OK, "id": "train", "topics": "training", "themes": "protection", "primary_theme": "protection"},
        {
            **OK,
            "id": "basis",
            "ta_areas": "legal_framework; capacity_building",
            "topics": "training",
            "actors": "police",
        },
        {**OK, "id": "child", "parent_id": "p", "actors": "judges"},
        {**OK, "id": "lead", "list_id": "L9", "actors": "police"},
        {**OK, "id": "fine", "list_id": "L9", "actors": "police", "target_groups": "children"},
        {**OK, "id": "ok", "parent_id": "p", "actors": "police; judges", "target_groups": "women; girls; children"},
    ]
    checked = check_records(rows)
    assert said(checked) == [
        "recommendations.csv, row 3 (id girls), column target_groups: 'girls' implies 'children' (rule I1); "
        "add children",
        "recommendations.csv, row 4 (id law), column ta_areas: 'legislation' in topics implies 'legal_framework' in "
        "ta_areas (rule I2); add legal_framework",
        "recommendations.csv, row 5 (id train), column actors: 'training' in topics implies 'police' or 'judges' in "
        "actors (rule I3); add one of police, judges",
        "recommendations.csv, row 5 (id train), column themes: 'training' in topics implies 'prevention' in themes "
        "(rule I4); add prevention",
        "recommendations.csv, row 6 (id basis), column ta_areas: 'legal_framework' in ta_areas has no basis: no "
        "value of this record implies or may give it, and no parent item carries it (rule N1); remove "
        "legal_framework, or add the topic of the measure that asks for it",
        "recommendations.csv, row 7 (id child), column target_groups: its parent p has women: a sub-item carries its "
        "parent's tags (rule P1); add women",
        "recommendations.csv, row 7 (id child), column actors: its parent p has police: a sub-item carries its "
        "parent's tags (rule P2); add police",
        "recommendations.csv, row 8 (id lead), column target_groups: the lead-in of list L9 names 'children', which "
        "every item of the list carries (rule L2); add children",
    ]
    assert verdicts(checked)[0] == [False, True, True, True, True, True, True, False, False]


def test_a_parent_item_takes_its_basis_from_what_all_its_sub_items_share():
    rows = [
        {**OK, "id": "p", "ta_areas": "legal_framework; capacity_building"},
        {**OK, "id": "p-a", "parent_id": "p", "topics": "legislation", "ta_areas": "legal_framework"},
        {
            **OK,
            "id": "p-b",
            "parent_id": "p",
            "topics": "legislation; training",
            "actors": "police",
            "ta_areas": "legal_framework; capacity_building",
        },
        {**OK, "id": "q", "ta_areas": "legal_framework"},
        {**OK, "id": "q-a", "parent_id": "q", "topics": "legislation", "ta_areas": "legal_framework"},
    ]
    assert said(check_records(rows)) == [
        "recommendations.csv, row 2 (id p), column ta_areas: 'capacity_building' in ta_areas has no basis: no value "
        "of this record implies or may give it, and no parent item carries it (rule N1); remove capacity_building, or "
        "add the topic of the measure that asks for it",
    ]


def test_a_sub_items_values_are_asked_for_a_basis_in_a_codebook_with_no_inheritance_rule():
    """Its parent item is looked up for the basis alone: a sub-item's value its parent lacks has none."""
    only_basis = Rules(pd.DataFrame([("N1", "needs_basis", "ta_areas", "", "", "", "", "", "")], columns=RULE_COLUMNS))
    book = Codebook(codebook().entries, only_basis)
    rows = [
        {**OK, "id": "p", "ta_areas": "legal_framework"},
        {**OK, "id": "p-a", "parent_id": "p", "ta_areas": "legal_framework"},
        {**OK, "id": "p-b", "parent_id": "p", "ta_areas": "legal_framework; capacity_building"},
    ]
    assert said(validate_records(table(RECORD_COLUMNS, rows), book, {"e1"})) == [
        "recommendations.csv, row 4 (id p-b), column ta_areas: 'capacity_building' in ta_areas has no basis: no "
        "value of this record implies or may give it, and no parent item carries it (rule N1); remove "
        "capacity_building, or add the topic of the measure that asks for it",
    ]


def test_a_sub_item_of_a_loaded_record_inherits_its_codebook_values_only():
    known = pd.DataFrame({"id": [" old-1 "], "actors": ["judges; sheriffs"], "text": ["Old."]})
    rows = [{**OK, "id": "new", "parent_id": "old-1"}, {**OK, "id": "new-b", "parent_id": "old-1", "actors": "judges"}]
    checked = check_records(rows, known_ids={"old-1"}, known_records=known)
    assert said(checked) == [
        "recommendations.csv, row 2 (id new), column actors: its parent old-1 has judges: a sub-item carries its "
        "parent's tags (rule P2); add judges",
    ]
    # Loaded records without ids name no parent's values: nothing to inherit.
    unnamed = check_records(rows, known_ids={"old-1"}, known_records=pd.DataFrame({"actors": ["judges"]}))
    assert said(unnamed) == []
    # The first of two rows with one id is the parent whose values a sub-item carries.
    twice = [
        {**OK, "id": "p", "actors": "judges"},
        {**OK, "id": "p", "actors": "police"},
        {**OK, "id": "p-a", "parent_id": "p", "actors": "judges"},
    ]
    assert said(check_records(twice)) == [
        "recommendations.csv, row 2 (id p), column id: duplicate id 'p' (appears 2 times); ids must be unique",
        "recommendations.csv, row 3 (id p), column id: duplicate id 'p' (appears 2 times); ids must be unique",
    ]


def test_a_row_without_an_id_is_no_ones_parent():
    """Records without a parent_id have no parent: not the row whose id is empty (its own error), whose values they
    would otherwise be told to carry."""
    rows = [{**OK, "id": "", "actors": "police"}, {**OK, "id": "r1"}, {**OK, "id": "r2", "parent_id": "r1"}]
    checked = check_records(rows)
    assert said(checked) == [
        "recommendations.csv, row 2, column id: id is empty; expected a unique id such as kampala-2007-gen-a",
    ]
    assert verdicts(checked) == ([True, False, False], [False, True, True])


def test_a_codebook_without_a_vocabulary_makes_its_values_unknown():
    book = codebook()
    lacking = Codebook(book.entries[~book.entries["vocabulary"].isin(["source", "actors"])], rules())
    rows = [{**OK, "id": "p", "source": "web", "actors": "police"}, {**OK, "id": "p-a", "parent_id": "p"}]
    records = validate_records(table(RECORD_COLUMNS, rows), lacking, {"e1"})
    # the parent's 'police' is not a codebook value, so its sub-item is not told to carry it
    assert said(records) == [
        "recommendations.csv, row 2 (id p), column source: unknown source 'web'; expected one of (none: the "
        "codebook lists no source values)",
        "recommendations.csv, row 2 (id p), column actors: unknown actors value 'police'; expected (none: the "
        "codebook lists no actors values)",
    ]
    plan = [
        {"workplan_id": "p1", "kind": "pillar", "pillar": "1", "title": "T", "text": "W"},
        {"workplan_id": "p1-o1", "kind": "output", "pillar": "1", "title": "T", "text": "W", "parent_id": "p1"},
        {
            "workplan_id": "p1-o1-a1",
            "kind": "activity",
            "pillar": "1",
            "title": "T",
            "text": "W",
            "parent_id": "p1-o1",
            "actors": "judges",
        },
    ]
    assert said(validate_workplan(table(WORKPLAN_COLUMNS, plan), lacking)) == [
        "workplan.csv, row 4 (id p1-o1-a1), column actors: unknown actors value 'judges'; expected (none: the "
        "codebook lists no actors values)",
    ]


def test_a_record_file_without_some_columns():
    columns = [c for c in RECORD_COLUMNS if c not in ("actors", "ta_areas")] + ["notes"]
    rows = [{**OK, "id": "r1", "topics": "legislation; training", "notes": "n"}]
    checked = check_records(rows, columns)
    assert said(checked) == [
        "recommendations.csv, column notes: warning: unknown column, ignored",
        "recommendations.csv, column actors: warning: the file has no actors column, so the values the codebook's "
        "implications give there are not checked; its rows will not appear under actors filters",
        "recommendations.csv, column ta_areas: warning: the file has no ta_areas column, so the values the "
        "codebook's implications give there are not checked; its rows will not appear under ta_areas filters",
    ]
    assert [p.severity for p in checked.problems] == ["warning"] * 3
    assert verdicts(checked) == ([False], [True])

    lacking = [c for c in RECORD_COLUMNS if c not in ("themes", "text")]
    refused = check_records([{**OK, "id": "r1"}], lacking, file="upload.xlsx")
    assert said(refused) == [
        "upload.xlsx, column text: required column 'text' is missing; expected columns include id, event_id, text, "
        "themes",
        "upload.xlsx, column themes: required column 'themes' is missing; expected columns include id, event_id, "
        "text, themes",
    ]
    assert verdicts(refused) == ([False], [False])
    blank = check_records([{}, {"id": " "}])
    assert said(blank) == ["recommendations.csv: no records: the file has a header but no rows"]
    assert verdicts(blank) == ([False, False], [False, False])


def test_a_file_refused_for_a_missing_column_keeps_its_warnings_and_is_not_also_empty():
    checked = check_records([{}], ["id", "extra"])
    assert said(checked) == [
        "recommendations.csv, column event_id: required column 'event_id' is missing; expected columns include id, "
        "event_id, text, themes",
        "recommendations.csv, column text: required column 'text' is missing; expected columns include id, "
        "event_id, text, themes",
        "recommendations.csv, column themes: required column 'themes' is missing; expected columns include id, "
        "event_id, text, themes",
        "recommendations.csv, column extra: warning: unknown column, ignored",
    ]
    assert [p.row for p in checked.problems] == [None] * 4


def test_rule_breaches_leaves_a_value_whose_parent_is_unknown_and_takes_a_parents_values_as_basis():
    made = rules()
    tags = {"ta_areas": ["legal_framework"], "topics": []}
    assert rule_breaches(tags, "", "p", None, made) == []
    assert rule_breaches(tags, "", "p", {"ta_areas": ["legal_framework"]}, made) == []
    assert rule_breaches(tags, "", "", None, made, {"ta_areas": {"legal_framework"}}) == []
    assert rule_breaches({"topics": ["training"]}, "", "", None, made) == []  # columns not coded are not asked
    assert rule_breaches({"themes": [], "topics": ["training"]}, "", "", None, made) == [
        ("themes", "'training' in topics implies 'prevention' in themes (rule I4); add prevention")
    ]
    # a parent's column the record does not code is not asked of it; the ones it codes are, all values named
    assert rule_breaches({"topics": []}, "", "p", {"actors": ["police"]}, made) == []
    assert rule_breaches({"actors": []}, "", "p", {"actors": ["police", "judges"]}, made) == [
        (
            "actors",
            "its parent p has police, judges: a sub-item carries its parent's tags (rule P2); add police, judges",
        )
    ]


def test_each_column_that_needs_a_basis_is_checked_after_one_not_coded():
    two = pd.DataFrame(
        [
            ("N1", "needs_basis", "ta_areas", "", "", "", "", "", ""),
            ("N2", "needs_basis", "topics", "", "", "", "", "", ""),
        ],
        columns=RULE_COLUMNS,
    )
    assert rule_breaches({"topics": ["training"]}, "", "", None, Rules(two)) == [
        (
            "topics",
            "'training' in topics has no basis: no value of this record implies or may give it, and no parent item "
            "carries it (rule N2); remove training, or add the topic of the measure that asks for it",
        )
    ]


# ------------------------------------------------------------------------------------------------------- events


def test_each_fault_of_an_event_is_named():
    good = {"short_name": "Kampala"}
    rows = [
        {
            **good,
            "event_id": "e1",
            "start_date": "2007-03-05",
            "end_date": "2007-03-05",
            "latitude": "90",
            "longitude": "-180",
            "in_annex_ii": "yes",
        },
        {},
        {**good, "event_id": ""},
        {"event_id": "bad id " + "x" * 70},
        {**good, "event_id": "dup"},
        {**good, "event_id": "dup"},
        {**good, "event_id": "old"},
        {**good, "event_id": "e3", "start_date": "2007-13-01", "end_date": "d" * 50},
        {**good, "event_id": "e4", "start_date": "2007-03-05", "end_date": "2007-03-01"},
        {**good, "event_id": "e5", "latitude": "1"},
        {**good, "event_id": "e6", "latitude": "-90.5", "longitude": "180.5"},
        {**good, "event_id": "e7", "latitude": "north" * 10, "longitude": "180", "in_annex_ii": "no"},
        {**good, "event_id": "e8", "longitude": "-200", "in_annex_ii": "maybe" * 10},
        {**good, "event_id": "e9", "end_date": "2007-01-01", "latitude": "-90", "longitude": "-180.5"},
    ]
    checked = validate_events(table(EVENT_COLUMNS, rows), known_ids={"old"})
    long_id = "bad id " + "x" * 70
    assert said(checked) == [
        "events.csv, row 4, column event_id: event_id is empty; expected a unique id such as kampala-2007",
        f"events.csv, row 5 (id {long_id}), column event_id: event_id '{long_id[:60]}' is not valid; expected "
        "letters, digits, '.', '_', ':' or '-', no spaces",
        f"events.csv, row 5 (id {long_id}), column short_name: short_name is empty; expected the name charts show, "
        "e.g. Kampala",
        "events.csv, row 6 (id dup), column event_id: duplicate event_id 'dup'; ids must be unique",
        "events.csv, row 7 (id dup), column event_id: duplicate event_id 'dup'; ids must be unique",
        "events.csv, row 8 (id old), column event_id: duplicate event_id 'old': an event with this id is already "
        "loaded",
        "events.csv, row 9 (id e3), column start_date: '2007-13-01' is not a date; expected YYYY-MM-DD, or empty "
        "when the source does not state it",
        f"events.csv, row 9 (id e3), column end_date: '{'d' * 40}' is not a date; expected YYYY-MM-DD, or empty "
        "when the source does not state it",
        "events.csv, row 10 (id e4), column end_date: end_date 2007-03-01 is before start_date 2007-03-05",
        "events.csv, row 11 (id e5), column latitude: latitude and longitude must both be given or both be empty",
        "events.csv, row 12 (id e6), column latitude: '-90.5' is not a latitude; expected a number from -90 to 90",
        "events.csv, row 12 (id e6), column longitude: '180.5' is not a longitude; expected a number from -180 to 180",
        f"events.csv, row 13 (id e7), column latitude: '{'north' * 8}' is not a latitude; expected a number from -90 "
        "to 90",
        "events.csv, row 14 (id e8), column latitude: latitude and longitude must both be given or both be empty",
        # a blank latitude is not checked, the longitude after it still is
        "events.csv, row 14 (id e8), column longitude: '-200' is not a longitude; expected a number from -180 to 180",
        f"events.csv, row 14 (id e8), column in_annex_ii: '{'maybe' * 8}' is not allowed; expected yes or no",
        "events.csv, row 15 (id e9), column longitude: '-180.5' is not a longitude; expected a number from -180 to 180",
    ]
    assert verdicts(checked) == ([False, False] + [True] * 12, [True, False] + [False] * 12)
    named = validate_events(table(EVENT_COLUMNS, [{"event_id": "e1"}]), file="mine.csv")
    assert said(named) == [
        "mine.csv, row 2 (id e1), column short_name: short_name is empty; expected the name charts show, e.g. Kampala"
    ]
    assert said(validate_events(table(EVENT_COLUMNS, [{}]))) == [
        "events.csv: no events: the file has a header but no rows"
    ]
    only_required = validate_events(pd.DataFrame({"event_id": ["a"], "short_name": ["A"]}))
    assert said(only_required) == [] and verdicts(only_required) == ([False], [True])


# ----------------------------------------------------------------------------------------------------- workplan


def test_each_fault_of_a_workplan_row_is_named():
    words = {"title": "T", "text": "Words."}
    long_id = "bad id " + "x" * 70
    rows = [
        {**words, "workplan_id": "p1", "kind": "pillar", "pillar": "1"},
        {**words, "workplan_id": "p1-o1", "kind": "output", "pillar": "1", "parent_id": "p1"},
        {
            **words,
            "workplan_id": "p1-o1-a1",
            "kind": "activity",
            "pillar": "1",
            "parent_id": "p1-o1",
            "target_groups": "children; girls",
            "actors": "police",
            "topics": "training",
        },
        {
            **words,
            "workplan_id": "p1-o1-a1-a",
            "kind": "sub_item",
            "pillar": "1",
            "parent_id": "p1-o1-a1",
            "target_groups": "children; girls; women",
            "actors": "police",
        },
        {
            **words,
            "workplan_id": "p1-o1-a1-b",
            "kind": "sub_item",
            "pillar": "1",
            "parent_id": "p1-o1-a1",
            "target_groups": "women",
        },
        {**words, "workplan_id": "p2", "kind": "pillar", "pillar": "2", "parent_id": "p1"},
        {**words, "workplan_id": "p1-o2", "kind": "output", "pillar": "1"},
        {**words, "workplan_id": "p1-o1-a2", "kind": "activity", "pillar": "1", "parent_id": "p1"},
        {**words, "workplan_id": "p1-o1-a3", "kind": "activity", "pillar": "2", "parent_id": "p1-o1"},
        {"workplan_id": long_id, "kind": "k" * 70},
        {**words, "workplan_id": "p3", "kind": "pillar", "pillar": "3"},
        {**words, "workplan_id": "p3", "kind": "pillar", "pillar": "3"},
        {
            **words,
            "workplan_id": "p1-o3",
            "kind": "output",
            "pillar": "1",
            "parent_id": "p1",
            "target_groups": "women",
            "topics": "training",
            "actors": "judges",
        },
        {
            **words,
            "workplan_id": "p1-o1-a4",
            "kind": "activity",
            "pillar": "1",
            "parent_id": "p1-o1",
            "topics": "m" * 70,
            "ta_areas": "legal_framework",
        },
        {**words, "workplan_id": "", "kind": "pillar", "pillar": "4"},
        {**words, "workplan_id": "p1-o1-a5", "kind": "sub_item", "pillar": "1", "parent_id": "q" * 70},
    ]
    checked = validate_workplan(table(WORKPLAN_COLUMNS, rows), codebook())
    assert said(checked) == [
        "workplan.csv, row 6 (id p1-o1-a1-b), column target_groups: its lead-in p1-o1-a1 names children, girls: a "
        "sub-item carries the groups and actors its lead-in names (rule W2); add children, girls",
        "workplan.csv, row 6 (id p1-o1-a1-b), column actors: its lead-in p1-o1-a1 names police: a sub-item carries "
        "the groups and actors its lead-in names (rule W2); add police",
        "workplan.csv, row 7 (id p2), column parent_id: a pillar has no parent; expected parent_id empty",
        "workplan.csv, row 8 (id p1-o2), column parent_id: parent_id is empty; expected the id of the pillar this "
        "output belongs to",
        "workplan.csv, row 9 (id p1-o1-a2), column parent_id: parent 'p1' is not a output of the workplan; expected "
        "the id of the output this activity belongs to",
        "workplan.csv, row 10 (id p1-o1-a3), column pillar: pillar 2 differs from pillar 1 of parent 'p1-o1'",
        f"workplan.csv, row 11 (id {long_id}), column workplan_id: workplan_id '{long_id[:60]}' is not valid; "
        "expected a unique id such as p4-a3-b",
        f"workplan.csv, row 11 (id {long_id}), column kind: unknown kind '{'k' * 60}'; expected one of activity, "
        "output, pillar, sub_item",
        f"workplan.csv, row 11 (id {long_id}), column pillar: pillar is empty; expected the pillar number 1 to 4",
        f"workplan.csv, row 11 (id {long_id}), column title: title is empty; expected the workplan's verbatim words",
        f"workplan.csv, row 11 (id {long_id}), column text: text is empty; expected the workplan's verbatim words",
        "workplan.csv, row 12 (id p3), column workplan_id: duplicate workplan_id 'p3' (appears 2 times); ids must be "
        "unique",
        "workplan.csv, row 13 (id p3), column workplan_id: duplicate workplan_id 'p3' (appears 2 times); ids must be "
        "unique",
        "workplan.csv, row 14 (id p1-o3), column target_groups: a output carries no tags; only activities and "
        "lettered sub-items are read with the codebook (W1)",
        f"workplan.csv, row 15 (id p1-o1-a4), column topics: unknown topics value '{'m' * 60}'; expected "
        f"{TOPICS_EXPECTED}",
        "workplan.csv, row 15 (id p1-o1-a4), column ta_areas: 'legal_framework' in ta_areas has no basis: no value "
        "of this record implies or may give it, and no parent item carries it (rule N1); remove legal_framework, or "
        "add the topic of the measure that asks for it",
        "workplan.csv, row 16, column workplan_id: workplan_id '' is not valid; expected a unique id such as p4-a3-b",
        f"workplan.csv, row 17 (id p1-o1-a5), column parent_id: parent '{'q' * 60}' is not a activity of the "
        "workplan; expected the id of the activity this sub_item belongs to",
    ]
    assert verdicts(checked)[0] == [False] * 4 + [True] * 12


def test_a_workplan_without_tag_columns_and_one_with_only_its_header():
    columns = ["workplan_id", "kind", "pillar", "title", "text", "parent_id"]
    rows = [
        {"workplan_id": "p1", "kind": "pillar", "pillar": "1", "title": "T", "text": "W"},
        {"workplan_id": "p1-o1", "kind": "output", "pillar": "1", "title": "T", "text": "W", "parent_id": "p1"},
        {"workplan_id": "p1-o1-a1", "kind": "activity", "pillar": "1", "title": "T", "text": "W", "parent_id": "p1-o1"},
        {
            "workplan_id": "p1-o1-a1-a",
            "kind": "sub_item",
            "pillar": "1",
            "title": "T",
            "text": "W",
            "parent_id": "p1-o1-a1",
        },
    ]
    checked = validate_workplan(table(columns, rows), codebook(), file="plan.csv")
    assert said(checked) == [] and verdicts(checked) == ([False] * 4, [True] * 4)
    assert said(validate_workplan(table(columns, [{}]), codebook(), file="plan.csv")) == [
        "plan.csv: no workplan rows: the file has a header but no rows"
    ]


# ---------------------------------------------------------------------------------------------------- responses

WORKPLAN = pd.DataFrame({"workplan_id": ["p1", "a1", "a1-a"], "kind": ["pillar", "activity", "sub_item"]})


def test_each_fault_of_a_response_link_is_named():
    links = [
        {"record_id": "r1", "activity_id": "a1", "strength": "explicit", "basis": "shared words"},
        {"record_id": "r1", "activity_id": "a1-a", "strength": "partial", "basis": "some"},
        {"record_id": "r" * 70, "activity_id": "a1", "strength": "explicit", "basis": "b"},
        {"record_id": "r1", "activity_id": "p1", "strength": "explicit", "basis": "b"},
        {"record_id": "r1", "activity_id": "p" * 70, "strength": "explicit", "basis": "b"},
        {"record_id": "r2", "activity_id": "a1", "strength": "explicit", "basis": "b"},
        {"record_id": "r2", "activity_id": "a1", "strength": "explicit", "basis": "b"},
        {"record_id": "r2", "activity_id": "a1-a", "strength": "s" * 70, "basis": "b"},
        {"record_id": "r3", "activity_id": "a1", "strength": "thematic", "basis": "b"},
        {"record_id": "r3", "activity_id": "a1-a", "strength": "explicit", "basis": ""},
        {},
    ]
    checked = validate_responses(table(RESPONSE_COLUMNS, links), codebook(), {"r1", "r2", "r3"}, WORKPLAN)
    assert said(checked) == [
        f"responses.csv, row 4 (id {'r' * 70}), column record_id: unknown record '{'r' * 60}'; expected an id from "
        "recommendations.csv",
        "responses.csv, row 5 (id r1), column activity_id: 'p1' is not an activity or lettered sub-item of "
        "workplan.csv; expected an id such as p4-a3 or p4-a3-e",
        f"responses.csv, row 6 (id r1), column activity_id: '{'p' * 60}' is not an activity or lettered sub-item of "
        "workplan.csv; expected an id such as p4-a3 or p4-a3-e",
        "responses.csv, row 7 (id r2), column activity_id: the link r2 -> a1 appears 2 times; list each link once",
        "responses.csv, row 8 (id r2), column activity_id: the link r2 -> a1 appears 2 times; list each link once",
        f"responses.csv, row 9 (id r2), column strength: unknown strength '{'s' * 60}'; expected one of explicit, "
        "partial, thematic",
        "responses.csv, row 10 (id r3), column strength: 'thematic' links are derived from the tags by the "
        "codebook's link rule (codebook v3, LK1-LK2), not written by hand; list only explicit links here",
        "responses.csv, row 11 (id r3), column basis: basis is empty; expected in words what the recommendation and "
        "the activity share",
    ]
    assert verdicts(checked) == ([False, False] + [True] * 8 + [False], [True, True] + [False] * 9)
    assert said(validate_responses(table(RESPONSE_COLUMNS, [{}]), codebook(), {"r1"}, WORKPLAN)) == [
        "responses.csv: no response links: the file has a header but no rows"
    ]
    # A workplan without kinds has no activity to link to.
    kindless = validate_responses(
        table(RESPONSE_COLUMNS, links[:1]), codebook(), {"r1"}, WORKPLAN[["workplan_id"]], file="links.csv"
    )
    assert said(kindless) == [
        "links.csv, row 2 (id r1), column activity_id: 'a1' is not an activity or lettered sub-item of workplan.csv; "
        "expected an id such as p4-a3 or p4-a3-e"
    ]


# ------------------------------------------------------------------------------------------------------ lexicon


def test_each_fault_of_a_lexicon_concept_is_named():
    rows = [
        {"concept": "awareness", "label": "Awareness", "kind": "measure", "family": "outreach", "phrases": "campaign"},
        {"concept": "media", "label": "Media", "kind": "actor", "family": "outreach", "phrases": "media; press"},
        {"concept": "Bad Key", "label": "B", "kind": "group", "phrases": "b"},
        {"concept": "police", "label": "P", "kind": "actor", "phrases": "police"},
        {"concept": "police", "label": "", "kind": "t" * 70, "phrases": "police"},
        {"concept": "alone", "label": "A", "kind": "setting", "family": "l" * 70, "phrases": ""},
        {"concept": "drills", "label": "D", "kind": "form", "phrases": "Train; train; drill; drill; x"},
        {"concept": "a" + "b" * 59, "label": "L", "kind": "approach", "phrases": "long"},
        {"concept": "a" + "b" * 60, "label": "L", "kind": "approach", "phrases": "longer"},
    ]
    checked = validate_lexicon(table(LEXICON_COLUMNS, rows))
    too_long = "a" + "b" * 60
    assert said(checked) == [
        "lexicon.csv, row 4 (id Bad Key), column concept: concept 'Bad Key' is not valid; expected lower-case "
        "letters, digits and _",
        "lexicon.csv, row 5 (id police), column concept: duplicate concept 'police' (appears 2 times); each concept "
        "once",
        "lexicon.csv, row 6 (id police), column concept: duplicate concept 'police' (appears 2 times); each concept "
        "once",
        "lexicon.csv, row 6 (id police), column label: label is empty; expected the words people read for this concept",
        f"lexicon.csv, row 6 (id police), column kind: unknown kind '{'t' * 60}'; expected one of measure, actor, "
        "group, setting, form, approach",
        f"lexicon.csv, row 7 (id alone), column family: family '{'l' * 60}' has no other concept; name a family two "
        "concepts share or leave it empty",
        "lexicon.csv, row 7 (id alone), column phrases: no phrase; expected the words that name the concept, "
        "separated by '; '",
        "lexicon.csv, row 8 (id drills), column phrases: warning: phrase(s) drill, train repeated; list each phrase "
        "once",
        f"lexicon.csv, row 10 (id {too_long}), column concept: concept '{too_long[:60]}' is not valid; expected "
        "lower-case letters, digits and _",
    ]
    assert verdicts(checked) == (
        [False, False, True, True, True, True, False, False, True],
        [True, True, False, False, False, False, True, True, False],
    )
    assert said(validate_lexicon(table(LEXICON_COLUMNS, [{}]), file="words.csv")) == [
        "words.csv: no concepts: the file has a header but no rows"
    ]


def test_a_file_of_only_its_header_has_boolean_verdicts_to_select_rows_with():
    header_only = pd.DataFrame(columns=LEXICON_COLUMNS)
    checked = validate_lexicon(header_only)
    assert said(checked) == ["lexicon.csv: no concepts: the file has a header but no rows"]
    assert (checked.refused.dtype, checked.accepted.dtype) == (np.dtype(bool), np.dtype(bool))
    assert header_only[checked.refused].empty and header_only[checked.accepted].empty
