"""The codebook's rules as data (data/codebook_rules.csv): the shipped records keep them, a corrupted copy is
reported by row and column (shipped data and uploads alike), suggestions follow them, and the change list of
codebook v2 describes the data as shipped."""

import csv
import shutil

import pandas as pd
import pytest

from gift_dash.data import DATA_DIR, check_shipped, load_dataset
from gift_dash.rules import closed
from gift_dash.schema import MULTI_VOCAB_COLUMNS, split_multi
from gift_dash.suggest import suggest_tags
from gift_dash.upload import check_files, verdict


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


@pytest.fixture(scope="module")
def records(dataset):
    return dataset.records.set_index("id", drop=False)


def tags(record) -> dict[str, set[str]]:
    return {column: set(split_multi(record[column])) for column in MULTI_VOCAB_COLUMNS}


def corrupted_copy(tmp_path, edit):
    """A copy of the data folder with recommendations.csv changed by ``edit(frame)``."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    frame = pd.read_csv(folder / "recommendations.csv", dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(folder / "recommendations.csv", index=False)
    return folder


def drop_value(frame, record_id, column, value):
    row = frame.index[frame["id"] == record_id][0]
    frame.loc[row, column] = "; ".join(v for v in split_multi(frame.loc[row, column]) if v != value)
    return row + 2  # the spreadsheet row


def test_the_rules_name_the_issues_implications(dataset):
    implications = {(c, v, t, vs) for _, c, v, t, vs in dataset.codebook.rules.implications}
    for value in ("girls", "boys", "children_armed_conflict"):
        assert ("target_groups", value, "target_groups", ("children",)) in implications
    assert dataset.codebook.rules.inherited_columns.keys() == set(MULTI_VOCAB_COLUMNS)


@pytest.mark.parametrize("kind", ["implies", "inherit_parent", "inherit_lead_in"])
def test_every_shipped_record_keeps_every_rule(dataset, records, kind):
    """Checked here on the data itself, independently of the validator's code."""
    rules = dataset.codebook.rules
    checked = 0
    for _, record in records.iterrows():
        mine = tags(record)
        if kind == "implies":
            for rule_id, column, value, then_column, then_values in rules.implications:
                if value in mine[column]:
                    checked += 1
                    assert set(then_values) & mine[then_column], (record["id"], rule_id)
        elif kind == "inherit_parent" and record["parent_id"]:
            parent = tags(records.loc[record["parent_id"]])
            checked += 1
            for column in rules.inherited_columns:
                assert parent[column] <= mine[column], (record["id"], column)
        elif kind == "inherit_lead_in":
            for rule_id, column, value in rules.lead_ins.get(record["list_id"], []):
                checked += 1
                assert value in mine[column], (record["id"], rule_id)
    assert checked >= {"implies": 200, "inherit_parent": 11, "inherit_lead_in": 40}[kind]


def test_the_shipped_data_validates():
    assert [str(p) for p in check_shipped()] == []


def test_a_girls_record_without_children_is_reported_by_row_and_column(tmp_path):
    folder = corrupted_copy(tmp_path, lambda f: drop_value(f, "new-delhi-2007-pri-g", "target_groups", "children"))
    problems = check_shipped(folder)
    assert [str(p) for p in problems] == [
        "recommendations.csv, row 43 (id new-delhi-2007-pri-g), column target_groups: 'girls' implies 'children' "
        "(rule R1); add children"
    ]
    assert problems[0].severity == "error"


def test_the_same_record_uploaded_is_rejected_with_the_same_message(tmp_path, dataset):
    """The corrupted copy as an upload: the shipped rows are skipped as repeats, the changed row would be a second
    record under a shipped id, so it goes under a new id, as a person adding a record would write it."""

    def edit(frame):
        drop_value(frame, "new-delhi-2007-pri-g", "target_groups", "children")
        frame.loc[frame["id"] == "new-delhi-2007-pri-g", "id"] = "my-girls-record"

    folder = corrupted_copy(tmp_path, edit)
    merge = check_files(dataset, folder / "recommendations.csv", records_name="mine.csv")
    errors = [p for p in merge.problems if p.severity == "error"]
    assert [str(p) for p in errors] == [
        "mine.csv, row 43 (id my-girls-record), column target_groups: 'girls' implies 'children' (rule R1); "
        "add children"
    ]
    assert verdict(merge.problems) == 1
    assert merge.rejected_rows["row"].tolist() == [43]


def test_a_sub_item_missing_its_parents_tag_and_an_item_missing_its_lead_ins_actor(tmp_path):
    def edit(frame):
        drop_value(frame, "kampala-2007-gen-h-ii", "actors", "private_sector")
        drop_value(frame, "cape-town-2007-rel-h", "actors", "ngos_civil_society")

    folder = corrupted_copy(tmp_path, edit)
    problems = {(p.record_id, p.column): p.message for p in check_shipped(folder)}
    assert "its parent kampala-2007-gen-h has private_sector" in problems[("kampala-2007-gen-h-ii", "actors")]
    assert "(rule I1); add private_sector" in problems[("kampala-2007-gen-h-ii", "actors")]
    assert problems[("cape-town-2007-rel-h", "actors")] == (
        "the lead-in of list cape-town-2007-rel names 'ngos_civil_society', which every item of the list carries "
        "(rule L2); add ngos_civil_society"
    )
    # codes_of_conduct implies private_sector too (R20): the same cell, two rules
    assert len(problems) == 2


def test_an_uploaded_sub_item_of_a_shipped_parent_inherits_its_tags(tmp_path, dataset):
    upload = tmp_path / "mine.csv"
    upload.write_text(
        "id,event_id,parent_id,text,themes,primary_theme,ta_areas,target_groups,actors,exploitation_forms,topics\n"
        "my-1,kampala-2007,kampala-2007-gen-g,Radio messages,prevention,prevention,prevention_awareness,"
        "children_armed_conflict; children,,child_soldiering,awareness_raising; child_recruitment\n",
        encoding="utf-8",
    )
    merge = check_files(dataset, upload)
    messages = {p.column: p.message for p in merge.problems}
    assert "its parent kampala-2007-gen-g has governments" in messages["actors"]
    assert "add conflict_settings" in messages["topics"]


def test_the_renamed_topic_says_what_to_write(tmp_path, dataset):
    upload = tmp_path / "mine.csv"
    upload.write_text(
        "id,event_id,text,themes,topics\nmy-1,kampala-2007,Punish offenders,prosecution,law_enforcement\n",
        encoding="utf-8",
    )
    merge = check_files(dataset, upload)
    assert any(
        "'law_enforcement' was renamed 'enforcement_impunity'" in p.message and p.row == 2 and p.column == "topics"
        for p in merge.problems
    )


def test_no_value_name_is_in_two_vocabularies(dataset):
    entries = dataset.codebook.entries
    tag_entries = entries[entries["vocabulary"].isin(MULTI_VOCAB_COLUMNS.values())]
    assert not tag_entries["value"].duplicated().any()


def test_suggestions_keep_the_implications(dataset):
    text = "Protect girls and former child soldiers during demobilization and reintegration"
    suggested = suggest_tags(text, dataset.codebook)
    rules = dataset.codebook.rules
    assert closed(suggested, rules) == suggested  # nothing left to add
    assert "girls" in suggested["target_groups"] and "children" in suggested["target_groups"]


def test_closure_adds_the_implied_values_transitively(dataset):
    out = closed(
        {"topics": ["ddr"], "target_groups": [], "themes": [], "ta_areas": [], "actors": [], "exploitation_forms": []},
        dataset.codebook.rules,
    )
    assert {"children_armed_conflict", "children", "victims"} <= set(out["target_groups"])
    assert out["exploitation_forms"] == ["child_soldiering"] and out["themes"] == ["protection"]


def test_every_rule_example_is_a_shipped_record(dataset, records):
    """Examples are records; the rules for reading the workplan (W) take a workplan row as their example."""
    table = dataset.codebook.rules.table
    examples = {e for e, r in zip(table["example_id"], table["rule_id"], strict=True) if e and not r.startswith("W")}
    assert examples <= set(records.index)
    assert set(table.loc[table["rule_id"].str.startswith("W"), "example_id"]) <= set(dataset.workplan["workplan_id"])
    written = dataset.codebook.rules.of_kind("guideline")
    assert written["example_id"].ne("").all()


def test_the_change_lists_describe_the_shipped_data(dataset, records):
    changes = dataset.codebook.changes
    assert len(changes) > 100 and list(dict.fromkeys(changes["version"])) == ["v3", "v2.1", "v2"]  # newest first
    rule_ids = set(dataset.codebook.rules.table["rule_id"])
    for change in changes.itertuples():
        kept = change.field.startswith("link ") and "LK9" in change.rule  # a person's link the rule disagrees with
        assert (
            set(split_multi(change.before)) != set(split_multi(change.after)) or change.field == "primary_theme" or kept
        )
        assert set(split_multi(change.rule)) <= rule_ids and change.rule, change
        assert change.version != "v3" or change.why, change  # from v3 on every change says why
    changes = changes[~changes["field"].str.startswith("link ")]  # links: tests/test_response.py
    # Versions chain: a record's (or a workplan row's) newest change ends at the shipped value, and each older change
    # ends where the next one starts, so a user can follow a tag from v1 to now.
    workplan = dataset.workplan.set_index("workplan_id")
    for (record, field), chain in changes.groupby(["record", "field"], sort=False):
        shipped = records.loc[record, field] if record in records.index else workplan.loc[record, field]
        assert set(split_multi(chain["after"].iloc[0])) == set(split_multi(shipped)), record
        for newer, older in zip(chain.iloc[:-1].itertuples(), chain.iloc[1:].itertuples(), strict=True):
            assert set(split_multi(newer.before)) == set(split_multi(older.after)), (record, field)


def test_children_filter_finds_every_record_about_child_soldiers(records):
    """The issue's pattern: 19 of 26 child-soldier records lacked children."""
    child_soldiers = records[records["target_groups"].str.contains("children_armed_conflict")]
    assert len(child_soldiers) >= 26
    assert child_soldiers["target_groups"].map(lambda c: "children" in split_multi(c)).all()


def test_closure_adds_the_first_alternative_only_when_none_is_there(dataset):
    rules = dataset.codebook.rules  # R22: training_law_enforcement implies one of four actors
    empty = {"topics": ["training_law_enforcement"], "actors": []}
    assert closed(empty, rules) == {"topics": ["training_law_enforcement"], "actors": ["law_enforcement"]}
    one = {"topics": ["training_law_enforcement"], "actors": ["military_peacekeepers"]}
    assert closed(one, rules) == one
    assert one["actors"] == ["military_peacekeepers"], "the tags given are left as they are"
    # a column the tags do not have is not added (an upload may lack it)
    assert closed({"topics": ["training_law_enforcement"]}, rules) == {"topics": ["training_law_enforcement"]}


def test_the_rules_tables_say_each_rule_as_the_file_has_it(dataset):
    from gift_dash.rules import rules_tables
    from tests import reference as ref

    rows = ref.read_csv("codebook_rules.csv")
    texts = {r["id"]: r["text"] for r in ref.RECORDS}
    tables = rules_tables(dataset.codebook.rules, dataset.records)
    assert tables["implications"].to_dict("records") == [
        {
            "rule": r["rule_id"],
            "if": f"{r['column']} has {r['value']}",
            "then": f"{r['then_column']} has " + " or ".join(v.strip() for v in r["then_values"].split(";")),
            "why": r["rule"],
        }
        for r in rows
        if r["kind"] == "implies"
    ]
    assert tables["lead-ins"].to_dict("records") == [
        {
            "rule": r["rule_id"],
            "list": r["list_id"],
            "column": r["column"],
            "every item carries": r["value"],
            "why": r["rule"],
            "example record": r["example_id"],
        }
        for r in rows
        if r["kind"] == "inherit_lead_in"
    ]
    written, seen = [], set()
    for r in rows:
        if r["kind"] in ("implies", "inherit_lead_in") or r["rule_id"] in seen:
            continue
        seen.add(r["rule_id"])
        written.append(
            {
                "rule": r["rule_id"],
                "applies to": "every tag column but primary_theme" if r["kind"] == "inherit_parent" else r["column"],
                "rule in words": r["rule"],
                "example record": r["example_id"],
                "example text (verbatim)": texts.get(r["example_id"], ""),
            }
        )
    assert tables["written rules"].to_dict("records") == written
    assert any(w["example text (verbatim)"] for w in written)
    assert (
        rules_tables(dataset.codebook.rules, dataset.records.iloc[:0])["written rules"]["example text (verbatim)"]
        .eq("")
        .all()
    )


def test_the_measure_types_table_says_each_topics_types_as_the_file_has_it(dataset):
    from gift_dash.rules import rules_tables
    from tests import reference as ref

    tables = rules_tables(dataset.codebook.rules, dataset.records)
    assert list(tables) == ["written rules", "lead-ins", "implications", "measure types (link rule LK1)"]
    expected = [
        {"topic": r["value"], "measure type(s)": " and ".join(v.strip() for v in r["then_values"].split(";"))}
        for r in ref.read_csv("codebook_rules.csv")
        if r["kind"] == "measure_type"
    ]
    assert len(expected) == 43  # counted in the file
    assert tables["measure types (link rule LK1)"].to_dict("records") == expected
    assert any(" and " in row["measure type(s)"] for row in expected)
    for table in tables.values():
        assert table.index.tolist() == list(range(len(table)))


def test_measure_types_and_broad_groups_are_not_written_rules_whatever_the_files_order(dataset):
    """LK1's measure types and LK2's broad groups are tables of their own; with the link rules' written rows left
    out of the file (so nothing else carries those ids), the written rules hold no LK row at all."""
    from gift_dash.rules import rules_tables
    from gift_dash.schema import Rules

    table = dataset.codebook.rules.table
    rules = Rules(table[table["kind"] != "link"].reset_index(drop=True))
    written = rules_tables(rules, dataset.records)["written rules"]
    assert not written["rule"].str.startswith("LK").any()
    assert len(written) == len(
        {
            r
            for r, k in zip(table["rule_id"], table["kind"], strict=True)
            if k in ("guideline", "inherit_parent", "renamed")
        }
    )


def test_may_imply_and_needs_basis_rows_are_not_written_rules_whatever_the_files_order(dataset):
    """G7 and G13 have a guideline row and rule rows of kinds may_imply and needs_basis (G13 both); with those rule
    rows first in the file, the written rules still read each id's guideline sentence."""
    from gift_dash.rules import rules_tables
    from gift_dash.schema import Rules

    with open(DATA_DIR / "codebook_rules.csv", newline="", encoding="utf-8") as f:
        guideline = {row["rule_id"]: row["rule"] for row in csv.DictReader(f) if row["kind"] == "guideline"}
    table = dataset.codebook.rules.table
    first = table["kind"].isin(["needs_basis", "may_imply"])
    rules = Rules(pd.concat([table[first], table[~first]], ignore_index=True))
    written = rules_tables(rules, dataset.records)["written rules"].set_index("rule")["rule in words"]
    assert written["G7"] == guideline["G7"] and written["G13"] == guideline["G13"]


def test_every_ta_area_needs_a_basis(dataset):
    """G13 sharpened: a TA area comes from a topic that implies it (T) or may give it (G7, G13), from the parent
    item (I1) or, for a parent that names no measure, from all its sub-items (G14); a word named as a goal is none.
    The cases are new-delhi-2007-pri-o as it was tagged before (prevention_awareness from 'Promote the prevention
    of …'), legislation, an instrument, Bangkok's conditional lead-in (c) and its sub-item (v)."""
    from gift_dash.schema import rule_breaches

    rules = dataset.codebook.rules

    def breaches(ta_areas, topics, parent_id="", parent_tags=None, shared=None):
        tags = {"ta_areas": ta_areas, "topics": topics}
        return [m for c, m in rule_breaches(tags, "", parent_id, parent_tags, rules, shared) if c == "ta_areas"]

    (said,) = breaches(["prevention_awareness"], ["civil_society_partnership", "community_mobilization"])
    assert said.startswith("'prevention_awareness' in ta_areas has no basis") and "(rule G13)" in said
    assert breaches([], ["civil_society_partnership", "community_mobilization"]) == []
    assert breaches(["pre_ratification"], ["legislation"]) == breaches(["criminal_justice"], ["legislation"]) == []
    assert breaches(["pre_ratification"], ["international_instruments"]) == []
    assert len(breaches(["victim_protection"], ["legislation"])) == 1  # legislation may give only those two
    assert len(breaches(["criminal_justice"], ["international_instruments"])) == 1
    assert breaches(["criminal_justice"], [], "", None, {"ta_areas": {"criminal_justice"}}) == []  # (c), G14
    assert len(breaches(["criminal_justice"], [])) == 1
    parent = {"ta_areas": ["criminal_justice"]}  # (v) inherits (c)'s criminal_justice (I1)
    assert breaches(["international_cooperation", "criminal_justice"], ["cross_border_cooperation"], "c", parent) == []
    assert breaches(["criminal_justice"], [], "c", None) == []  # the parent is unknown: its own error, not this one
    assert breaches(["criminal_justice"], ["specialist_investigation"]) == []  # implied (T78)
