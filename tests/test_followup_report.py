"""The progress report, on SQLite and PostgreSQL: a history written here, and every number the report gives for a
period counted by hand from it (never by the code under test); the edges of a period; an empty period; the state
as of a moment; replaying the whole history gives the entries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from gift_dash.followup import report, store
from gift_dash.followup.report import Period, Scope

pytestmark = pytest.mark.usefixtures("cheap_hashes")

A, B, C, D = "kampala-2007-gen-a", "brasilia-2007-pri-b", "brasilia-2007-pri-a", "kampala-2007-gen-d"
E = "kampala-2007-gen-b"  # changed in the period, but outside the scope below
P = "p1-a1"  # a workplan activity of pillar 1
MARCH = Period(date(2008, 3, 1), date(2008, 3, 31))
SCOPE = Scope(
    records=pd.DataFrame(
        {
            "id": [A, B, C, D],
            "themes": ["prevention", "prosecution", "prevention", "prosecution; protection; cooperation"],
            "event_id": ["kampala-2007", "brasilia-2007", "brasilia-2007", "kampala-2007"],
        }
    ),
    activities=pd.DataFrame({"id": [P], "pillar": ["1"]}),
    description="four records and one activity",
    themes={
        "prevention": "Prevention",
        "prosecution": "Prosecution",
        "protection": "Protection",
        "cooperation": "Cooperation",
    },
    events={"kampala-2007": "Kampala", "brasilia-2007": "Brasilia"},
    pillars={"1": "Pillar 1"},
)


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# (when, who, kind, target, changes), saved in this order. The comments are what the hand count below reads.
HISTORY = [
    (at(2008, 1, 15, 9), "ann", "activity", P, {"status": "planned", "target_date": date(2008, 3, 20)}),
    (
        at(2008, 2, 10, 10),
        "ann",
        "record",
        A,
        {"status": "planned", "target_date": date(2008, 3, 15), "evidence": "doc 1"},
    ),
    (at(2008, 2, 20, 8), "ann", "record", C, {"status": "planned", "target_date": date(2008, 3, 31)}),
    # The last second before the period: B is not created in it, but is overdue from its first day.
    (at(2008, 2, 29, 23, 59, 59), "bob", "record", B, {"status": "in_progress", "target_date": date(2008, 2, 29)}),
    # The period's first moment: D is created in it.
    (at(2008, 3, 1), "ann", "record", D, {"status": "not_started", "responsible": "UNODC"}),
    (at(2008, 3, 5), "ann", "record", E, {"status": "planned"}),
    (at(2008, 3, 10, 12), "bob", "record", A, {"status": "in_progress", "evidence": "doc 1\nhttps://ex.org/r.pdf"}),
    (at(2008, 3, 12), "bob", "record", D, {"evidence": "minutes of 12 March"}),
    (at(2008, 3, 13), "bob", "record", D, {"evidence": ""}),  # evidence removed: not "evidence added"
    (at(2008, 3, 14, 9), "ann", "record", A, {"status": "completed"}),  # before its target date passed
    (at(2008, 3, 20), "ann", "record", B, {"notes": "waiting for the ministry"}),
    (at(2008, 3, 25), "bob", "record", C, {"withdrawn": True, "withdrawn_reason": "duplicate of another"}),
    # The period's last moment (included), then the first moment after it (not).
    (at(2008, 3, 31, 23, 59, 59), "ann", "activity", P, {"status": "in_progress"}),
    (at(2008, 4, 1), "bob", "record", D, {"status": "planned"}),
]


@pytest.fixture
def written(team):
    for when, who, kind, target, changes in HISTORY:
        version = store.get(team, kind, target).version
        store.save(team, kind, target, changes, version, who, now=when)
    return team


def march(engine, period: Period = MARCH) -> report.Report:
    return report.progress_report(report.read_history(engine, period), period, SCOPE)


def rows(frame: pd.DataFrame) -> list[list]:
    return frame.astype(object).values.tolist()


def test_the_figures_match_a_hand_count(written):
    assert march(written).figures == {
        "created": 1,  # D
        "saves": 8,  # D v1 v2 v3, A v2 v3, B v2, C v2, P v2 (E is outside the scope)
        "fields": 11,  # 2 + 1 + 1 + 2 + 1 + 1 + 2 + 1
        "transitions": 5,  # D new, A twice, C withdrawn, P
        "overdue": 2,  # B (from 1 March) and P (from 21 March)
        "evidence_lines": 2,  # A's link, D's minutes
        "people": 2,
    }


def test_status_transitions_by_theme_event_and_pillar_match_a_hand_count(written):
    got = march(written)
    assert rows(got.transitions) == [
        ["No entry yet", "Not started", 1],
        ["Planned", "In progress", 2],
        ["Planned", "Withdrawn", 1],
        ["In progress", "Completed", 1],
    ]
    assert rows(got.by_theme) == [
        ["Prevention", "Planned", "In progress", 1],
        ["Prevention", "Planned", "Withdrawn", 1],
        ["Prevention", "In progress", "Completed", 1],
        ["Prosecution", "No entry yet", "Not started", 1],
        ["Protection", "No entry yet", "Not started", 1],
        ["Cooperation", "No entry yet", "Not started", 1],
    ]
    assert rows(got.by_event) == [
        ["Kampala", "No entry yet", "Not started", 1],
        ["Kampala", "Planned", "In progress", 1],
        ["Kampala", "In progress", "Completed", 1],
        ["Brasilia", "Planned", "Withdrawn", 1],
    ]
    assert rows(got.by_pillar) == [["Pillar 1", "Planned", "In progress", 1]]


def test_overdue_evidence_and_people_match_a_hand_count(written):
    got = march(written)
    assert rows(got.overdue) == [
        ["record", B, "2008-02-29", "2008-03-01", "In progress", "yes"],
        ["activity", P, "2008-03-20", "2008-03-21", "Planned", "yes"],
    ]
    assert rows(got.evidence[["Who", "Target", "Lines added", "Evidence added"]]) == [
        ["bob", A, 1, "https://ex.org/r.pdf"],
        ["bob", D, 1, "minutes of 12 March"],
    ]
    assert rows(got.people) == [
        ["ann", 4, 4, 5, "status 3, responsible bodies 1, notes 1"],
        ["bob", 3, 4, 6, "status 1, evidence 3, withdrawn 1, reason for withdrawing 1"],
    ]


def test_the_status_at_the_start_and_the_end_is_rebuilt_from_the_history(written):
    got = march(written)
    assert rows(got.status_counts) == [
        # Status, records on 1 March, on 31 March, activities on 1 March, on 31 March
        ["Not started", 0, 1, 0, 0],
        ["Planned", 2, 0, 1, 0],
        ["In progress", 1, 1, 0, 1],
        ["Completed", 0, 1, 0, 0],
        ["Not applicable", 0, 0, 0, 0],
        ["Withdrawn", 0, 1, 0, 0],
        ["No entry yet", 1, 0, 0, 0],
    ]
    assert rows(got.status_changes) == [
        ["record", A, "Planned", "Completed"],
        ["record", C, "Planned", "Withdrawn"],
        ["record", D, "No entry yet", "Not started"],
        ["activity", P, "Planned", "In progress"],
    ]


def test_a_period_of_one_day_takes_the_whole_day_and_nothing_else(written):
    first = march(written, Period(date(2008, 3, 1), date(2008, 3, 1)))
    assert (first.figures["created"], first.figures["saves"], first.figures["overdue"]) == (1, 1, 1)  # D; B overdue
    last = march(written, Period(date(2008, 3, 31), date(2008, 3, 31)))
    assert rows(last.transitions) == [["Planned", "In progress", 1]]  # P at 23:59:59
    assert last.figures["overdue"] == 0  # C's date is the 31st: overdue from 1 April
    after = march(written, Period(date(2008, 4, 1), date(2008, 4, 1)))
    assert rows(after.transitions) == [["Not started", "Planned", 1]]  # D at midnight
    assert after.overdue.empty  # C's date passed on 1 April, but C was withdrawn in March


def test_an_empty_period_reports_nothing_changed_and_the_same_status_at_both_ends(written):
    got = march(written, Period(date(2008, 5, 1), date(2008, 5, 31)))
    assert got.figures == dict.fromkeys(report.FIGURE_LABELS, 0)
    for table in (got.transitions, got.by_theme, got.by_event, got.by_pillar, got.overdue, got.evidence, got.people):
        assert table.empty
    assert got.status_changes.empty
    counts = got.status_counts.set_index("Status")
    assert (counts.iloc[:, 0] == counts.iloc[:, 1]).all()


def test_an_empty_store_gives_an_empty_report(engine):
    got = march(engine)
    assert got.figures == dict.fromkeys(report.FIGURE_LABELS, 0)
    assert got.status_counts.set_index("Status").loc["No entry yet"].tolist() == [4, 4, 1, 1]


def test_the_state_as_of_a_moment_is_the_history_up_to_it(written):
    history = report.history_rows(written)
    on_1_march = report.as_of(history, at(2008, 3, 1)).set_index("target_id")
    assert sorted(on_1_march.index) == sorted([A, B, C, P])  # D is created at that very moment
    assert on_1_march.loc[A, "status"] == "planned" and on_1_march.loc[A, "version"] == 1
    assert on_1_march.loc[B, "target_date"] == date(2008, 2, 29)
    after_withdrawal = report.as_of(history, at(2008, 3, 26)).set_index("target_id")
    assert (
        bool(after_withdrawal.loc[C, "withdrawn"])
        and after_withdrawal.loc[C, "withdrawn_reason"] == "duplicate of another"
    )
    assert after_withdrawal.loc[D, "evidence"] == ""


def test_replaying_the_whole_history_gives_the_entries(written):
    history = report.history_rows(written)
    current = store.entries_frame(written)
    assert report.replay_problems(history, current) == []
    rebuilt = report.as_of(history).drop(columns="entry_id")
    pd.testing.assert_frame_equal(
        rebuilt.drop(columns="changed_at").reset_index(drop=True),
        current.drop(columns="changed_at").reset_index(drop=True),
        check_dtype=False,
    )
    assert list(rebuilt["changed_at"]) == list(current["changed_at"])


def test_a_history_that_lost_a_change_is_caught(written):
    history = report.history_rows(written)
    lost = history.drop(history[(history["target_id"] == A) & (history["field"] == "status")].index[-1])
    assert report.replay_problems(lost, store.entries_frame(written)) == [
        f"record {A}: status is 'completed', the history gives 'in_progress'",
        f"record {A}: version is '3', the history gives '2'",  # A's third save changed only the status
        f"record {A}: changed_by is 'ann', the history gives 'bob'",
    ]


HOSTILE = '=HYPERLINK("http://x")\n<script>alert(1)</script>'


def test_the_files_say_their_period_and_scope_escape_html_and_neutralise_formulas(written):
    from gift_dash.followup import report_files

    store.save(
        written, "record", B, {"evidence": HOSTILE}, store.get(written, "record", B).version, "ann", now=at(2008, 3, 21)
    )
    made = march(written)
    html = report_files.render_html(made, "v1")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1 March 2008 to 31 March 2008" in html and "four records and one activity" in html
    assert 'content="default-src &#39;none&#39;' in html  # the briefing's policy: it loads and runs nothing
    text = report_files.csv_bytes(made, "v1").decode("utf-8-sig")
    assert text.startswith("# GIFT Recommendations Dashboard,Follow-up progress report\r\n")
    assert '# Period,"2008-03-01 to 2008-03-31' in text and "# Table,Became overdue" in text
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text.replace('"', "")
    data = json.loads(report_files.json_bytes(made, "v1"))
    assert data["figures"]["Evidence lines added"] == 4
    assert data["tables"]["Evidence added"][-1]["Evidence added"] == HOSTILE  # JSON keeps the text as it is
    assert data["tables"]["Who changed what"][0] == {
        "Person": "ann",
        "Entries changed": 4,
        "Saves": 5,
        "Fields changed": 6,
        "Which fields": "status 3, responsible bodies 1, notes 1, evidence 1",
    }
    assert report_files.xlsx_bytes(made, "v1")[:2] == b"PK"
