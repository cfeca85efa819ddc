"""Response links (data/responses.csv) and what is computed from them: coverage, gaps, activities, flows, the
export column, the CLI's coverage command and the flow chart."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import re

import pandas as pd
import pytest

from gift_dash import charts, response
from gift_dash.briefing import planned_responses, render_briefing
from gift_dash.cli import main
from gift_dash.data import DATA_DIR, check_shipped, load_dataset
from gift_dash.export import export_view
from gift_dash.schema import validate_responses
from gift_dash.upload import merge_upload
from tests import reference as ref
from tests.test_export import read_csv_export

DATA = load_dataset()
SCOPE = DATA.records[DATA.records["source"].isin(["annex-ii", "section-vi"])]


# Read straight from the files, so the checks below do not go through the code they check.
def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


RAW = _rows("responses.csv")  # the explicit links a person read


def _cells(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()]


THEMATIC = ref.THEMATIC  # the codebook v3 link rule written again from its words (tests/reference.py)
ALL = ref.LINKS  # the explicit links and the rule's thematic ones where no explicit link joins the pair
LINKED = {row["record_id"] for row in ALL}
WORKPLAN = DATA.workplan.set_index("workplan_id")


def activity(workplan_id: str) -> str:
    row = WORKPLAN.loc[workplan_id]
    return row["parent_id"] if row["kind"] == "sub_item" else workplan_id


# ------------------------------------------------------------------------------------------- the links themselves


def test_shipped_links_validate():
    assert [str(p) for p in check_shipped()] == []
    assert len(RAW) == len(DATA.responses) > 0


def test_links_point_at_records_in_scope_and_at_activities_or_sub_items():
    for row in RAW:
        assert row["record_id"] in set(SCOPE["id"]), row
        assert WORKPLAN.loc[row["activity_id"], "kind"] in ("activity", "sub_item"), row
        assert row["strength"] in ("explicit", "thematic"), row


def test_every_basis_quotes_the_activity_it_links_to():
    """The basis says what is shared in words; every phrase it quotes in ‘…’ is the linked row's own wording."""
    for row in RAW:
        quoted = re.findall(r"‘(.*?)’", row["basis"])
        assert quoted, row
        for phrase in quoted:
            assert phrase in WORKPLAN.loc[row["activity_id"], "text"], (row["record_id"], row["activity_id"], phrase)


def test_no_link_is_listed_twice():
    pairs = [(row["record_id"], row["activity_id"]) for row in RAW]
    assert len(pairs) == len(set(pairs))


def test_the_rule_is_in_the_codebook():
    rule = DATA.codebook.entries[DATA.codebook.entries["vocabulary"] == "response_strength"].set_index("value")
    assert "names the measure the recommendation asks for" in rule.loc["explicit", "definition"]
    assert "NOT A LINK" in rule.loc["thematic", "inclusion_rule"]
    assert "never decides" in rule.loc["explicit", "inclusion_rule"]


def test_validator_names_file_row_and_column():
    bad = pd.DataFrame(
        [
            {"record_id": "kampala-2007-gen-e", "activity_id": "p4-a3-e", "strength": "strong", "basis": "x"},
            {"record_id": "nobody", "activity_id": "p4-o1", "strength": "thematic", "basis": ""},
            {"record_id": "kampala-2007-gen-a", "activity_id": "p2-a2", "strength": "explicit", "basis": "a"},
            {"record_id": "kampala-2007-gen-a", "activity_id": "p2-a2", "strength": "explicit", "basis": "b"},
        ]
    )
    problems = [str(p) for p in validate_responses(bad, DATA.codebook, set(DATA.records["id"]), DATA.workplan).problems]
    assert (
        "responses.csv, row 2 (id kampala-2007-gen-e), column strength: unknown strength 'strong'; expected one "
        "of explicit, thematic" in problems
    )
    assert any(p.startswith("responses.csv, row 3 (id nobody), column record_id: unknown record") for p in problems)
    assert any(
        "row 3" in p and "column activity_id: 'p4-o1' is not an activity or lettered sub-item" in p for p in problems
    )
    assert any("row 3" in p and "column basis: basis is empty" in p for p in problems)
    assert sum("appears 2 times" in p for p in problems) == 2


def test_a_missing_column_is_one_problem_for_the_file():
    problems = validate_responses(pd.DataFrame({"record_id": ["x"]}), DATA.codebook, set(), DATA.workplan).problems
    assert {(p.row, p.column) for p in problems} == {(None, "activity_id"), (None, "strength"), (None, "basis")}


# ------------------------------------------------------------------------------------------- coverage and gaps


def test_overall_coverage_counts_records_with_a_link():
    row = response.coverage(DATA.records, DATA).iloc[0]
    answered = set(SCOPE["id"]) & LINKED
    explicit = {r["record_id"] for r in RAW if r["strength"] == "explicit"}
    assert row["Records"] == len(SCOPE)
    assert row["With a planned response"] == len(answered)
    assert row["Explicit"] == len(explicit)
    assert row["Thematic only"] == len(answered - explicit)
    assert row["Share with a response (%)"] == round(100 * len(answered) / len(SCOPE), 1)


def test_records_outside_the_scope_are_not_counted():
    outcomes = DATA.records[DATA.records["source"] == "section-v"]
    assert len(outcomes) and response.coverage(outcomes, DATA).iloc[0]["Records"] == 0
    assert response.unanswered(outcomes, DATA).empty


@pytest.mark.parametrize("by", list(response.COVERAGE_DIMENSIONS))
def test_coverage_by_dimension_against_the_reference(by):
    table = response.coverage(DATA.records, DATA, by)
    heading = response.COVERAGE_DIMENSIONS[by]
    expected = ref.coverage(ref.RECORDS, by)
    assert_coverage(table, heading, expected)
    assert table["Records"].sum() >= len(ref.in_scope(ref.RECORDS))  # a record with several values counts in each


def assert_coverage(table: pd.DataFrame, heading: str, expected: dict[str, dict[str, int]]) -> None:
    """A coverage table (or its JSON rows) row by row against the reference's counts."""
    shown = {
        row[heading]: {k: row[k] for k in ("Records", "Explicit", "Thematic only", "No planned response")}
        for row in table.to_dict("records")
    }
    assert shown == expected
    for row in table.to_dict("records"):
        answered = row["Explicit"] + row["Thematic only"]
        assert row["With a planned response"] == answered
        assert row["Share with a response (%)"] == round(100 * answered / row["Records"], 1)


def test_which_cape_town_recommendations_have_no_planned_response():
    cape_town = DATA.records[DATA.records["event_id"] == "cape-town-2007"]
    gaps = response.unanswered(cape_town, DATA)
    assert gaps["id"].tolist() == [rid for rid in cape_town["id"] if rid not in LINKED]
    assert len(gaps) > 0


def test_what_answers_the_kampala_recommendations_on_peacekeepers():
    kampala = DATA.records[
        (DATA.records["event_id"] == "kampala-2007") & DATA.records["text"].str.contains("peacekeeping")
    ]
    table = response.link_table(kampala, DATA)
    assert set(table["Record id"]) == set(kampala["id"])
    expected = {r["activity_id"] for r in ALL if r["record_id"] in set(kampala["id"])}
    assert {label.split()[0] for label in table["Activity"]} == expected
    assert table["Basis"].str.len().gt(0).all()


def test_responses_for_one_record_and_for_none():
    rows = [r for r in ALL if r["record_id"] == "kampala-2007-gen-e"]
    shown = response.responses_for("kampala-2007-gen-e", DATA)
    assert sorted(label.split()[0] for label in shown["Activity"]) == sorted(r["activity_id"] for r in rows)
    assert shown["Basis"].str.startswith("codebook v3 link rule: ").all()  # no person read an explicit link here
    # training of peacekeepers: pillar 4's training rows and joint programmes, and pillar 2's practical tools for
    # practitioners (p2-a4, W1 since the first blind reading), nothing of pillars 1 and 3
    assert sorted(set(shown["Pillar"].str[:9])) == ["Pillar 2:", "Pillar 4:"]
    assert response.responses_for("no-such-record", DATA).empty


@pytest.mark.parametrize("event", [None, "cape-town-2007"])
def test_each_activity_with_what_it_answers(event):
    """All records, and Cape Town's alone (most activities then answer none of them: 0, and no record id)."""
    records = DATA.records if event is None else DATA.records[DATA.records["event_id"] == event]
    table = response.answered_by(records, DATA)
    # The headings the Response page shows, written out by hand.
    assert list(table.columns) == [
        "Activity id", "Pillar", "Output", "Activity", "Records answered", "Explicit", "Thematic", "Record ids"
    ]  # fmt: skip
    workplan = ref.read_csv("workplan.csv")
    activities = [r for r in workplan if r["kind"] == "activity"]
    assert table["Activity id"].tolist() == [r["workplan_id"] for r in activities]
    file_order = [r["id"] for r in ref.RECORDS]
    scope = {r["id"] for r in ref.in_scope(ref.RECORDS) if event is None or r["event_id"] == event}
    for (_, row), plan in zip(table.iterrows(), activities, strict=True):
        assert row["Pillar"] == ref.pillar_name(plan["workplan_id"])
        assert row["Output"] == f"Output {plan['output']}" and row["Activity"] == plan["title"]
        mine = {r["record_id"] for r in ALL if activity(r["activity_id"]) == row["Activity id"]} & scope
        assert row["Records answered"] == len(mine) == row["Explicit"] + row["Thematic"], row["Activity id"]
        # the ids in the file's order (the view's order)
        assert row["Record ids"] == "; ".join(sorted(mine, key=file_order.index)), row["Activity id"]
    answered = table.set_index("Activity id")["Records answered"]
    if event is None:
        assert answered["p4-a3"] > 0  # through its sub-items
    else:
        assert (answered == 0).sum() > 0  # activities answering no Cape Town record stay, with 0
    # p1-a1 is "Awareness-raising to support prevention efforts", output 1 of pillar 1 (data/workplan.csv, row 4)
    first = table.iloc[0]
    assert (first["Output"], first["Activity"]) == ("Output 1", "Awareness-raising to support prevention efforts")


@pytest.mark.parametrize("by", list(response.FLOW_SOURCES))
def test_flow_to_pillars_and_to_no_response(by):
    flow = response.flow(DATA.records, DATA, by)
    heading = response.FLOW_SOURCES[by]
    assert list(flow.columns) == [heading, "Responded to by", "Records"]
    shown = {(f, t): n for f, t, n in zip(flow[heading], flow["Responded to by"], flow["Records"], strict=True)}
    assert shown == ref.flow(ref.RECORDS, by)
    # Within a source, the pillars in order and the gap last.
    for _, part in flow.groupby(heading, sort=False):
        targets = part["Responded to by"].tolist()
        assert targets == sorted(targets, key=lambda t: (t == response.NO_RESPONSE, t))


def test_flow_sources_in_order_and_by_event_unless_told():
    # Themes in codebook order (data/codebook.csv: prevention, protection, prosecution, cooperation), each once.
    themes = response.flow(DATA.records, DATA, "theme")["Theme"].tolist()
    assert list(dict.fromkeys(themes)) == ["Prevention", "Protection", "Prosecution", "Cooperation"]
    assert themes == sorted(themes, key=["Prevention", "Protection", "Prosecution", "Cooperation"].index)
    # Without `by`, from the events (the page's default), as the reference counts it.
    flow = response.flow(DATA.records, DATA)
    shown = {(f, t): n for f, t, n in zip(flow["Event"], flow["Responded to by"], flow["Records"], strict=True)}
    assert shown == ref.flow(ref.RECORDS, "event")


def test_flow_by_theme_counted_by_hand():
    """Cape Town's four annex II items on protection (imp-b, rel-b, rel-e, rel-i): all four are linked to p4-a2 and
    p4-a8 (victim support, pillar 4); rel-b also to p3-a4 (pillar 3), rel-i also to the research rows p2-a1..p2-a3
    (pillar 2); none is left without a response. Its one unanswered item, imp-a, is on cooperation."""
    flow = response.flow(DATA.records[DATA.records["event_id"] == "cape-town-2007"], DATA, "theme")
    protection = flow[flow["Theme"] == "Protection"]
    assert dict(zip(protection["Responded to by"].str[:8], protection["Records"], strict=True)) == {
        "Pillar 2": 1,
        "Pillar 3": 1,
        "Pillar 4": 4,
    }
    gaps = flow[flow["Responded to by"] == response.NO_RESPONSE]
    assert dict(zip(gaps["Theme"], gaps["Records"], strict=True)) == {"Cooperation": 1}


# ------------------------------------------------------------------------------------------- where links travel


def test_export_column_planned_response():
    records = DATA.records[DATA.records["event_id"].isin(["kampala-2007", "bishkek-2007"])]
    planned = response.planned_response(records, DATA)
    raw = export_view(
        records, DATA.events, DATA.codebook, fmt="csv", scope="s", dataset_version="v", extra=planned.to_frame()
    )
    _, table = read_csv_export(raw)
    by_id = table.set_index("Record id")["Planned response"]
    assert by_id["bishkek-2007-outcome"] == (
        response.NOT_READ if "bishkek-2007-outcome" not in LINKED else by_id["bishkek-2007-outcome"]
    )
    assert by_id["kampala-2007-rap-g"] == response.NONE_PLANNED
    position = {wid: i for i, wid in enumerate(WORKPLAN.index)}
    for rid in ("kampala-2007-gen-e", "kampala-2007-gen-a"):
        mine = sorted((r for r in ALL if r["record_id"] == rid), key=lambda r: position[r["activity_id"]])
        assert by_id[rid].split("; ") == [f"{WORKPLAN_LABEL(r['activity_id'])} ({r['strength']})" for r in mine]


def WORKPLAN_LABEL(workplan_id: str) -> str:  # noqa: N802 - the label as a person reads it
    row = WORKPLAN.loc[workplan_id]
    marker = f"{row['marker']} " if row["kind"] == "sub_item" else ""
    return f"{workplan_id} {marker}{row['title']}"


def test_cli_export_carries_the_links(tmp_path):
    out = tmp_path / "k.csv"
    assert main(["export", "--event", "kampala", "--format", "csv", "--out", str(out)]) == 0
    _, table = read_csv_export(out.read_bytes())
    assert (
        table.set_index("Record id")
        .loc["kampala-2007-gen-e", "Planned response"]
        .startswith("p2-a4 Technical publications and practical tools (thematic); p4-a2 Joint programmes (thematic); ")
    )


def test_the_briefing_lists_the_planned_responses_of_its_records():
    cape_town = DATA.records[DATA.records["event_id"] == "cape-town-2007"]
    rows = response.briefing_rows(cape_town, DATA)
    linked = {(r["record_id"], r["activity_id"]) for r in ALL if r["record_id"] in set(cape_town["id"])}
    assert sorted((r, a) for r, a, _, _ in rows) == sorted(linked)
    titles = DATA.workplan.set_index("workplan_id")["title"]
    assert all(title == titles[activity] and strength in response.STRENGTHS for _, activity, title, strength in rows)
    document = render_briefing(cape_town, DATA, "Event: Cape Town", responses=planned_responses(cape_town, DATA))
    assert "Planned response" in document and rows[0][2].split()[0] in document


def test_an_upload_keeps_the_workplan_and_the_links():
    extra = DATA.records.iloc[:1].assign(id="my-new-record", source="uploaded", text="Train border guards")
    merged = merge_upload(DATA, extra).dataset
    assert merged.workplan.equals(DATA.workplan) and merged.responses.equals(DATA.responses)
    # Its thematic links come from the same rule as the shipped record it copies the tags of.
    shipped = {w for r, w in THEMATIC if r == DATA.records.iloc[0]["id"]} - {
        r["activity_id"] for r in RAW if r["record_id"] == DATA.records.iloc[0]["id"]
    }
    mine = response.links_of(merged.records.tail(1), merged)
    assert set(mine["activity_id"]) == shipped | {w for r, w in THEMATIC if r == DATA.records.iloc[0]["id"]}


# ------------------------------------------------------------------------------------------- CLI and chart


def test_cli_coverage_json(capsys):
    assert main(["coverage", "--event", "Cape Town", "--by", "theme", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    cape_town = ref.select(chosen={"event": ["cape-town-2007"]})  # annex II's 14 Cape Town items
    assert printed["scope"] == "Event: Cape Town"
    table = pd.DataFrame(printed["coverage"])
    assert_coverage(table, "Theme", ref.coverage(cape_town, "theme"))
    themes = [e["label"] for e in ref.CODEBOOK if e["vocabulary"] == "themes"]
    assert table["Theme"].tolist() == [t for t in themes if t in set(table["Theme"])]  # codebook order
    assert [r["Record id"] for r in printed["unanswered"]] == ref.unanswered(cape_town) == ["cape-town-2007-imp-a"]


def test_cli_coverage_csv_has_both_tables(capsys):
    assert main(["coverage", "--source", "all"]) == 0
    out = capsys.readouterr().out
    coverage_part, gaps_part = out.split("\n\n")[:2]
    lines = coverage_part.splitlines()
    assert lines[0].startswith("# Coverage,") and "Records not read against the workplan (not counted),4" in out
    scope = ref.in_scope(ref.RECORDS)
    answered = [r for r in scope if ref.strength(r["id"]) != ref.NO_RESPONSE]
    assert lines[-1].startswith(f"All records in scope,{len(scope)},{len(answered)},")
    assert len(gaps_part.splitlines()) == 2 + len(ref.unanswered(ref.RECORDS))


def test_cli_coverage_unknown_filter_is_a_message(capsys):
    assert main(["coverage", "--event", "atlantis"]) == 1
    assert "unknown value for --event: 'atlantis'" in capsys.readouterr().err


def test_flow_chart_is_readable_and_escaped():
    flow = response.flow(DATA.records, DATA, "event")
    flow.loc[0, "Event"] = "<b>Kampala</b>"
    fig = charts.response_flow(flow, "t", "n = 1")
    sankey = fig.data[0]
    assert sankey.textfont.size >= 14 and sankey.textfont.color == "#111111"
    assert "&lt;b&gt;Kampala&lt;/b&gt;" in sankey.node.label
    gap = sankey.node.label.index(response.NO_RESPONSE)
    assert len({sankey.node.color[gap]} | {c for i, c in enumerate(sankey.node.color) if i != gap}) >= 2
    assert fig.layout.title.subtitle.text == "n = 1"
    assert sum(sankey.link.value) == flow["Records"].sum()


# ------------------------------------------------------------------------------------------- the v3 link rule


def _pairs() -> dict[tuple[str, str], str]:
    part = response.links(DATA)
    return dict(zip(zip(part["record_id"], part["activity_id"], strict=True), part["strength"], strict=True))


@pytest.mark.parametrize(
    ("record_id", "row", "strength"),
    [
        # Named by hand from the decisive cases and the settled rule (README, "Codebook v3").
        ("kampala-2007-gen-d", "p4-a8", "thematic"),  # victim assistance both sides: 'for the protection of victims'
        ("kampala-2007-gen-h-i", "p4-a2", "thematic"),  # reintegration and 'support services provided to victims'
        ("kampala-2007-rap-a", "p4-a1", "thematic"),  # people at risk and 'the causes of vulnerability'
        ("kampala-2007-rap-a", "p4-a3-c", "explicit"),  # 'identification of vulnerabilities', a person's reading
        ("new-delhi-2007-pri-h", "p4-a1", "explicit"),
        ("abidjan-2007-pre-a", "p4-a4-b", "thematic"),  # explicit in v2; the sub-item names no group (LK4)
        ("cape-town-2007-rel-g", "p4-a3-e", "explicit"),
        ("bangkok-2007-pri-c-vi", "p4-a2", "explicit"),  # kept where the rule derives nothing (LK5, LK9)
    ],
)
def test_decisive_cases_come_out_as_the_settled_rule_says(record_id, row, strength):
    assert _pairs().get((record_id, row)) == strength


@pytest.mark.parametrize(
    ("record_id", "row"),
    [
        ("cape-town-2007-rel-l", "p1-a1"),  # re-tagged (G18): no awareness-raising named
        ("cape-town-2007-rel-l", "p3-a5"),
        ("new-delhi-2007-pri-g", "p1-a1"),  # youth only an example of p1-a1's audience (W1)
        ("kampala-2007-gen-g", "p4-a3-b"),  # children, but the parent item names no measure of its own (LK2)
        ("abidjan-2007-pre-d", "p4-a9"),  # cooperation between States: no workplan row of that type (LK6)
    ],
)
def test_what_the_rule_does_not_link(record_id, row):
    assert (record_id, row) not in _pairs()


def test_the_child_trafficking_training_resource_answers_every_child_record_that_asks_for_a_measure():
    """By hand: p4-a3-b's title names children; every record for children with a measure is linked to it."""
    with_children = [
        r
        for r in _rows("recommendations.csv")
        if "children" in _cells(r["target_groups"]) and r["source"] in ("annex-ii", "section-vi")
    ]
    assert len(with_children) == 44
    linked = {r for (r, w), strength in _pairs().items() if w == "p4-a3-b"}
    assert {r["id"] for r in with_children} - linked == {"kampala-2007-gen-g"}  # its measures are in (i) and (ii)


def test_coverage_of_a_few_records_counted_by_hand():
    """Counted by hand from the files: kampala-2007-gen-a (research) has one explicit link, p2-a2, and the rule's
    research-and-data rows p2-a1, p2-a3, p2-a4 (its background papers), p2-a5 (its indicator system), p4-a4-b,
    p4-a4-c, p4-a4-d (W1 as sharpened after the first blind reading); kampala-2007-rap-g (recruitment agencies) has
    none (no row regulates recruiters); cape-town-2007-rel-h two explicit; kampala-2007-gen-d thematic only."""
    few = DATA.records[
        DATA.records["id"].isin(
            ["kampala-2007-gen-a", "kampala-2007-rap-g", "cape-town-2007-rel-h", "kampala-2007-gen-d"]
        )
    ]
    row = response.coverage(few, DATA).iloc[0]
    assert (row["Records"], row["With a planned response"], row["Explicit"], row["Thematic only"]) == (4, 3, 2, 1)
    gen_a = response.responses_for("kampala-2007-gen-a", DATA)
    assert sorted(zip(gen_a["Activity"].str.split().str[0], gen_a["Strength"], strict=True)) == [
        ("p2-a1", "Thematic response"),
        ("p2-a2", "Explicit response"),
        ("p2-a3", "Thematic response"),
        ("p2-a4", "Thematic response"),
        ("p2-a5", "Thematic response"),
        ("p4-a4-b", "Thematic response"),
        ("p4-a4-c", "Thematic response"),
        ("p4-a4-d", "Thematic response"),
    ]


def test_coverage_names_the_rule_and_gives_explicit_and_thematic_apart(capsys):
    """The coverage CLI (CSV and JSON) and the briefing give explicit and thematic-only apart, with the rule's name,
    and the figures the plain reference counts (tests/reference.py: the link rule written again from its words)."""
    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert '# Link rule,"codebook v3 link rule: explicit links read by a person' in out
    table = [line for line in out.split("\n\n")[0].splitlines() if not line.startswith("#")]
    (row,) = csv.DictReader(table)
    expected = ref.coverage(ref.select())["All records in scope"]  # annex II, the default view
    assert row["Scope"] == "All records in scope" and int(row["Records"]) == expected["Records"] == 118
    assert (int(row["Explicit"]), int(row["Thematic only"])) == (expected["Explicit"], expected["Thematic only"])
    assert int(row["With a planned response"]) == expected["Explicit"] + expected["Thematic only"]
    assert main(["coverage", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["link_rule"] == "codebook v3 link rule"
    (overall,) = printed["coverage"]
    assert (overall["Explicit"], overall["Thematic only"]) == (expected["Explicit"], expected["Thematic only"])
    cape_town = DATA.records[DATA.records["event_id"] == "cape-town-2007"]
    document = render_briefing(cape_town, DATA, "Event: Cape Town", responses=planned_responses(cape_town, DATA))
    assert "Coverage (codebook v3 link rule)" in document and "thematic one only" in document
    counted = ref.coverage(ref.select(chosen={"event": ["cape-town-2007"]}))["All records in scope"]
    answered = counted["Explicit"] + counted["Thematic only"]
    said = re.sub(r"\s+", " ", document)
    assert f"{answered} of {counted['Records']} records" in said
    assert (
        f"{counted['Explicit']} an explicit one" in said and f"{counted['Thematic only']} a thematic one only" in said
    )


def _with_repatriation_upload(record_id: str, text: str):
    """The shipped data with one uploaded record tagged by hand as a repatriation of child victims."""
    extra = pd.DataFrame(
        [
            {
                "id": record_id,
                "event_id": "kampala-2007",
                "source": "uploaded",
                "text": text,
                "themes": "protection",
                "primary_theme": "protection",
                "ta_areas": "victim_protection",
                "target_groups": "children; victims",
                "actors": "",
                "exploitation_forms": "",
                "topics": "repatriation",
            }
        ]
    )
    return merge_upload(DATA, extra).dataset


def test_an_uploaded_record_gets_the_rules_thematic_links_and_suggested_explicit_ones():
    """A new record tagged by hand: repatriation of child victims. By the rule (read from the rule's words):
    victim support (LK1) gives p4-a2, p4-a8, p4-a9; children and victims named in titles (LK2) give p4-a3-b,
    p4-a7-a, p4-a7-b. Of these, only p4-a9's title shares a content word with the text: 'repatriation'."""
    merged = _with_repatriation_upload("my-upload-1", "Ensure the safe repatriation of child victims to their families")
    record = merged.records[merged.records["id"] == "my-upload-1"]
    links = response.links_of(record, merged)
    assert sorted(links["activity_id"]) == ["p4-a2", "p4-a3-b", "p4-a7-a", "p4-a7-b", "p4-a8", "p4-a9"]
    assert (links["strength"] == "thematic").all()
    shown = response.responses_for("my-upload-1", merged)
    assert len(shown) == 6
    suggested = response.suggested_explicit(record.iloc[0], merged)
    assert suggested["Activity"].str.split().str[0].tolist() == ["p4-a9"]
    assert suggested["Shared words"].iloc[0] == "repatriation"
    assert response.coverage(merged.records, merged).iloc[0]["Records"] == len(SCOPE)  # uploads are not counted


def test_suggested_words_match_singular_and_plural_and_are_listed_in_order():
    """Tagged as the record above (so the rule links it to p4-a9 among others), worded to share three content words
    with p4-a9's title "Ensure standard agreements for repatriation of trafficked victims": 'standard', 'agreement'
    (singular here, plural in the title) and 'repatriation'; 'ensure', 'child' and 'victims' are common words."""
    merged = _with_repatriation_upload(
        "my-upload-2", "Ensure a standard agreement on the repatriation of child victims"
    )
    record = merged.records[merged.records["id"] == "my-upload-2"].iloc[0]
    suggested = response.suggested_explicit(record, merged)
    assert suggested["Activity"].str.split().str[0].tolist() == ["p4-a9"]
    assert suggested["Shared words"].tolist() == ["agreement, repatriation, standard"]


def test_thematic_links_of_records_without_some_tag_columns():
    """A file may leave a tag column out (not coded): the rule reads what is there. With topics alone, the links of
    the reference given the same topics and empty groups; with no topics column nothing asks for a measure, so no
    link at all, not even by the groups the titles name (LK2)."""
    topics_only = pd.DataFrame([{"id": "u-1", "topics": "repatriation"}])
    derived = response.thematic_links(topics_only, DATA.workplan, DATA.codebook)
    expected = ref.thematic_pairs([{"id": "u-1", "topics": "repatriation", "target_groups": "", "actors": ""}])
    assert set(zip(derived["record_id"], derived["activity_id"], strict=True)) == expected
    assert ("u-1", "p4-a9") in expected  # "Ensure standard agreements for repatriation of trafficked victims"
    groups_only = pd.DataFrame([{"id": "u-2", "target_groups": "children; victims", "actors": "ngos_civil_society"}])
    assert response.thematic_links(groups_only, DATA.workplan, DATA.codebook).empty


def test_a_title_names_a_group_in_any_case_and_a_sub_item_is_read_with_its_lead_in():
    """W2 and LK2 on a workplan retitled by hand: p4-a7 (tagged victims) titled "VICTIMS: TOOLS" names victims; its
    sub-item p4-a7-a (tagged victims) titled "Handbook" names them through its lead-in's title; the activity p4-a2
    (tagged victims), "Joint programmes", names nobody, even under an output p4-o1 retitled "Victims first" (an
    activity is read alone)."""
    workplan = DATA.workplan.copy()
    retitled = {"p4-a7": "VICTIMS: TOOLS", "p4-a7-a": "Handbook", "p4-o1": "Victims first"}
    for wid, title in retitled.items():
        workplan.loc[workplan["workplan_id"] == wid, "title"] = title
    groups = response.title_groups(workplan, DATA.codebook)
    assert groups["p4-a7"] == [("target_groups", "victims")]
    assert groups["p4-a7-a"] == [("target_groups", "victims")]
    assert groups["p4-a2"] == []


def test_no_thematic_link_without_a_tagged_workplan_or_a_measure():
    """A workplan from before codebook v3 (no topics column) links nothing by the rule; nor does an uploaded record
    whose topics ask for no measure, and the record's response table is then empty, with its headings."""
    untagged = DATA.workplan.drop(columns=["topics"])
    assert response.thematic_links(SCOPE, untagged, DATA.codebook).empty
    no_records = response.thematic_links(SCOPE.iloc[:0], DATA.workplan, DATA.codebook)
    assert list(no_records.columns) == ["record_id", "activity_id", "strength", "basis"]  # as for any records
    extra = pd.DataFrame(
        [
            {
                "id": "my-upload-3",
                "event_id": "kampala-2007",
                "source": "uploaded",
                "text": "Hold a meeting of the victims' groups",
                "themes": "cooperation",
                "primary_theme": "cooperation",
                "target_groups": "victims",
                "topics": "",
            }
        ]
    )
    merged = merge_upload(DATA, extra).dataset
    assert "my-upload-3" in set(merged.records["id"])  # accepted, so an empty table is its answer
    shown = response.responses_for("my-upload-3", merged)
    assert shown.empty and list(shown.columns) == ["Activity", "Pillar", "Strength", "Basis"]


def test_links_stay_right_after_more_data_versions_than_are_kept():
    """Nine data versions in one server (nine workplan files differing in a pillar's text, which no link reads): the
    links of each are the shipped links (ref.LINKS), for the ninth and again for the first, whatever is let go to
    keep the memory bounded."""
    shipped = sorted((r["record_id"], r["activity_id"], r["strength"]) for r in ALL)
    versions = []
    for i in range(9):
        workplan = DATA.workplan.copy()
        workplan.loc[workplan["workplan_id"] == "p1", "text"] = f"version {i}"
        versions.append(dataclasses.replace(DATA, workplan=workplan))
    assert len({v.version for v in versions}) == 9
    for dataset in [*versions, versions[0]]:
        shown = response.links(dataset)
        assert sorted(zip(shown["record_id"], shown["activity_id"], shown["strength"], strict=True)) == shipped


def test_thematic_links_are_derived_never_written():
    bad = pd.DataFrame(
        [{"record_id": "kampala-2007-gen-a", "activity_id": "p2-a1", "strength": "thematic", "basis": "by hand"}]
    )
    problems = validate_responses(bad, DATA.codebook, {"kampala-2007-gen-a"}, DATA.workplan).problems
    assert [p.column for p in problems] == ["strength"] and "derived" in problems[0].message


# ------------------------------------------------------------------------------------------- every link, column by column


def _label(workplan_id: str) -> str:
    row = ref.WORKPLAN[workplan_id]
    marker = f"{row['marker']} " if row["kind"] == "sub_item" else ""
    return f"{workplan_id} {marker}{row['title']}"


def _activity(workplan_id: str) -> str:
    row = ref.WORKPLAN[workplan_id]
    return row["parent_id"] if row["kind"] == "sub_item" else workplan_id


def test_every_link_with_what_it_points_at_against_the_reference():
    """links(): the reference's links (responses.csv and the rule written again), each with the row's label, its
    activity and that activity's title, its pillar and the pillar's name, in workplan order then record order."""
    table = response.links(DATA)
    order = list(ref.WORKPLAN)
    records = [r["id"] for r in ref.RECORDS]
    expected = sorted(ref.LINKS, key=lambda k: (order.index(k["activity_id"]), records.index(k["record_id"])))
    assert table[["record_id", "activity_id", "strength"]].to_dict("records") == expected
    assert table["label"].tolist() == [_label(k["activity_id"]) for k in expected]
    assert table["activity"].tolist() == [_activity(k["activity_id"]) for k in expected]
    assert table["activity_title"].tolist() == [ref.WORKPLAN[_activity(k["activity_id"])]["title"] for k in expected]
    assert table["pillar"].tolist() == [ref.WORKPLAN[k["activity_id"]]["pillar"] for k in expected]
    assert table["pillar_name"].tolist() == [ref.pillar_name(k["activity_id"]) for k in expected]
    assert table.index.tolist() == list(range(len(table)))
    explicit = {(r["record_id"], r["activity_id"]): r["basis"] for r in RAW}
    for link in table.to_dict("records"):
        if link["strength"] == "explicit":
            assert link["basis"] == explicit[link["record_id"], link["activity_id"]]


def _joined_in_any_order(text: str, labels: list[str]) -> bool:
    return len(labels) <= 6 and any(", ".join(p) == text for p in itertools.permutations(labels))


def test_each_thematic_basis_says_what_is_shared_in_the_codebooks_words():
    """The basis names every measure type shared (LK1) and every group the row's title names (LK2), by their
    codebook labels, measures first: "codebook v3 link rule: same measure type: …(LK1); a group …: …(LK2)."."""
    thematic = response.links(DATA)
    thematic = thematic[thematic["strength"] == "thematic"]
    assert len(thematic) > 500
    for record_id, workplan_id, basis in zip(
        thematic["record_id"], thematic["activity_id"], thematic["basis"], strict=True
    ):
        measures, groups = ref.SHARED[record_id, workplan_id]
        parts = []
        if measures:
            parts.append(("same measure type: {} (LK1)", [ref.label("measure_type", m) for m in measures]))
        if groups:
            parts.append(("a group the activity's title names: {} (LK2)", [ref.label(c, v) for c, v in groups]))
        assert basis.startswith("codebook v3 link rule: ") and basis.endswith(".")
        said = basis.removeprefix("codebook v3 link rule: ").removesuffix(".").split("; ")
        assert len(said) == len(parts), basis
        for text, (words, labels) in zip(said, parts, strict=True):
            head, tail = words.split("{}")
            assert text.startswith(head) and text.endswith(tail), basis
            assert _joined_in_any_order(text.removeprefix(head).removesuffix(tail), labels), basis


def test_the_link_table_and_the_gaps_table_as_people_read_them():
    """For Cape Town (annex II's 14 items): every link with its record's event and verbatim text, the row, the
    pillar, the strength's label; the gaps table holds imp-a alone."""
    cape_town = DATA.records[DATA.records["event_id"] == "cape-town-2007"].iloc[::-1]  # the records' order rules
    table = response.link_table(cape_town, DATA)
    texts = {r["id"]: r["text"] for r in ref.RECORDS}
    order = list(ref.WORKPLAN)
    mine = [k for k in ref.LINKS if k["record_id"] in set(cape_town["id"])]
    position = list(cape_town["id"])
    mine.sort(key=lambda k: (position.index(k["record_id"]), order.index(k["activity_id"])))
    strengths = {"explicit": "Explicit response", "thematic": "Thematic response"}
    assert table.drop(columns="Basis").to_dict("records") == [
        {
            "Record id": k["record_id"],
            "Event": "Cape Town",
            "Text (verbatim)": texts[k["record_id"]],
            "Activity": _label(k["activity_id"]),
            "Pillar": ref.pillar_name(k["activity_id"]),
            "Strength": strengths[k["strength"]],
        }
        for k in mine
    ]
    gaps = response.unanswered_table(cape_town, DATA)
    assert gaps.to_dict("records") == [
        {"Record id": "cape-town-2007-imp-a", "Event": "Cape Town", "Text (verbatim)": texts["cape-town-2007-imp-a"]}
    ]
    assert gaps.index.tolist() == [0]
    assert response.unanswered_table(cape_town.iloc[:0], DATA).empty


def test_the_pages_tables_for_annex_ii_against_the_reference():
    annex = ref.select()
    view = response.in_view(DATA.records[DATA.records["source"] == "annex-ii"], DATA)
    overall = ref.coverage(annex)["All records in scope"]
    assert view.overall["Records"] == len(annex) == 118
    assert (view.overall["Explicit"], view.overall["Thematic only"]) == (overall["Explicit"], overall["Thematic only"])
    assert list(view.coverage) == ["event", "theme", "target_group"]
    for by, table in view.coverage.items():
        assert_coverage(table, response.COVERAGE_DIMENSIONS[by], ref.coverage(annex, by))
    assert list(view.gaps["id"]) == ref.unanswered(annex)
    ids = {r["id"] for r in annex}
    assert len(view.links) == sum(k["record_id"] in ids for k in ref.LINKS)
    assert set(view.links["Record id"]) == {k["record_id"] for k in ref.LINKS if k["record_id"] in ids}
    assert view.activities["Activity id"].tolist() == [w for w, r in ref.WORKPLAN.items() if r["kind"] == "activity"]
    assert view.activities["Records answered"].sum() == len(
        {(_activity(k["activity_id"]), k["record_id"]) for k in ref.LINKS if k["record_id"] in ids}
    )
    assert list(view.flows) == ["event", "theme"]
    for by, flow in view.flows.items():
        heading = response.FLOW_SOURCES[by]
        shown = {(f, t): n for f, t, n in zip(flow[heading], flow["Responded to by"], flow["Records"], strict=True)}
        assert shown == ref.flow(annex, by)


def test_a_sub_items_activity():
    # p4-a3-b is a lettered sub-item of p4-a3 in data/workplan.csv (its parent_id); p4-a2 is an activity
    assert response.activity_of("p4-a3-b", DATA.workplan) == "p4-a3"
    assert response.activity_of("p4-a2", DATA.workplan) == "p4-a2"
    assert response.activity_of("no-such-row", DATA.workplan) == "no-such-row"


def test_coverage_of_one_thematic_record_names_its_scope_and_counts_zeros():
    """kampala-2007-gen-d alone (thematic links only, by the reference): no explicit column nor gap column comes out
    of the counting, and each reads 0."""
    assert ref.strength("kampala-2007-gen-d") == "thematic"
    table = response.coverage(DATA.records[DATA.records["id"] == "kampala-2007-gen-d"], DATA)
    assert table.to_dict("records") == [
        {
            "Scope": "All records in scope",
            "Records": 1,
            "With a planned response": 1,
            "Share with a response (%)": 100.0,
            "Explicit": 0,
            "Thematic only": 1,
            "No planned response": 0,
        }
    ]


def test_the_workplan_as_the_codebook_reads_it():
    """The Planned response page's table of the workplan's tags (W1, W2), against data/workplan.csv, codebook.csv and
    the measure_type rows of codebook_rules.csv read with the csv module: every activity and sub-item in file order,
    labels in the cell's order, each measure type once."""
    types = {
        r["value"]: ref._cells(r["then_values"])
        for r in ref.read_csv("codebook_rules.csv")
        if r["kind"] == "measure_type"
    }
    expected = []
    for wid, row in ref.WORKPLAN.items():
        if row["kind"] not in ("activity", "sub_item"):
            continue
        marker = f"{row['marker']} " if row["kind"] == "sub_item" else ""
        kinds = list(dict.fromkeys(t for topic in ref._cells(row["topics"]) for t in types.get(topic, [])))
        expected.append(
            {
                "Row": f"{wid} {marker}{row['title']}",
                "Measure types (LK1)": "; ".join(ref.label("measure_type", t) for t in kinds),
                "Topics": "; ".join(ref.label("topics", v) for v in ref._cells(row["topics"])),
                "TA areas": "; ".join(ref.label("ta_areas", v) for v in ref._cells(row["ta_areas"])),
                "Target groups": "; ".join(ref.label("target_groups", v) for v in ref._cells(row["target_groups"])),
                "Actors": "; ".join(ref.label("actors", v) for v in ref._cells(row["actors"])),
            }
        )
    table = response.workplan_reading(DATA)
    assert len(expected) == 32 and table.to_dict("records") == expected
    # By hand from the document: p4-a6's title names a cybercrime response (W1 as sharpened), p4-a3-b children.
    p4_a6 = table.set_index("Row").loc["p4-a6 Innovative technology coalitions and cybercrime response"]
    assert p4_a6["Topics"] == "Child protection; Enforcing the law and ending impunity"  # codebook.csv labels
    assert (
        table.set_index("Row").loc["p4-a3-b (b) Training resources on child trafficking", "Target groups"] == "Children"
    )


def test_a_workplan_without_activities_reads_as_the_table_s_headings_and_no_row():
    pillars_only = dataclasses.replace(DATA, workplan=DATA.workplan[DATA.workplan["kind"] == "pillar"])
    table = response.workplan_reading(pillars_only)
    assert table.empty
    assert table.columns.tolist() == ["Row", "Measure types (LK1)", "Topics", "TA areas", "Target groups", "Actors"]


def test_the_pages_link_table_sends_repeated_values_as_categories_and_keeps_the_record_ids_plain():
    """in_view's link table: every column but 'Record id' as categories (each value sent once to the grid), with the
    same cells as link_table's."""
    annex = DATA.records[DATA.records["source"] == "annex-ii"]
    links = response.in_view(annex, DATA).links
    categorical = [c for c in links.columns if isinstance(links[c].dtype, pd.CategoricalDtype)]
    assert categorical == ["Event", "Text (verbatim)", "Activity", "Pillar", "Strength", "Basis"]
    assert links.astype(object).equals(response.link_table(annex, DATA).astype(object))
