"""Summaries of follow-up entries (pure pandas): each record's status, counts with n, overdue, the progress
figure, export columns, evidence links; and the workplan's activity ids as targets."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from gift_dash.followup import summary
from gift_dash.followup.store import ENTRY_COLUMNS
from gift_dash.followup.targets import targets, workplan_activity_ids

RECORDS = pd.DataFrame(
    {
        "id": ["r1", "r2", "r3", "r4"],
        "themes": ["prevention; protection", "protection", "", "prevention"],
        "event_id": ["kampala-2007", "kampala-2007", "abidjan-2007", "abidjan-2007"],
    }
)


def entry(target_id, status, target_date=None, withdrawn=False, kind="record", responsible=""):
    return {
        "target_kind": kind,
        "target_id": target_id,
        "status": status,
        "responsible": responsible,
        "target_date": target_date,
        "notes": "",
        "evidence": "",
        "withdrawn": withdrawn,
        "withdrawn_reason": "dup" if withdrawn else "",
        "version": 1,
        "changed_by": "ann",
        "changed_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


ENTRIES = pd.DataFrame(
    [
        entry("r1", "completed", date(2008, 1, 1)),
        entry("r2", "planned", date(2008, 6, 30)),
        entry("r3", "in_progress", withdrawn=True),
        entry("r1", "planned", kind="activity"),
    ],
    columns=list(ENTRY_COLUMNS),
)


def test_each_record_gets_its_status_withdrawn_or_no_entry():
    frame = summary.with_status(RECORDS, ENTRIES)
    assert list(frame["followup_status"]) == ["completed", "planned", summary.WITHDRAWN, summary.NO_ENTRY]
    assert list(frame["version"]) == [1, 1, 1, 0]


def test_counts_put_a_record_with_two_themes_in_both_rows_and_give_n():
    table = summary.status_counts(summary.with_status(RECORDS, ENTRIES), "themes", multi=True)
    assert table.loc["prevention", "Completed"] == 1 and table.loc["prevention", "No entry yet"] == 1
    assert table.loc["protection", "Completed"] == 1 and table.loc["protection", "Planned"] == 1
    assert dict(table["n"]) == {"prevention": 2, "protection": 2}  # r3 has no theme: in no row
    assert "Withdrawn" not in table.columns  # a column the store adds shows only when it has a count


def test_overdue_and_progress():
    frame = summary.with_status(RECORDS, ENTRIES)
    assert list(summary.overdue(frame, date(2009, 1, 1))["id"]) == ["r2"]  # r1 is completed
    assert summary.overdue(frame, date(2008, 6, 30)).empty  # due today is not late
    assert summary.progress(frame, date(2009, 1, 1)) == {
        "n": 4,
        "with_entry": 2,
        "in_progress": 0,
        "completed": 1,
        "overdue": 1,
    }


def test_export_columns_label_every_record():
    table = summary.export_columns(RECORDS, ENTRIES)
    assert list(table["Follow-up status"]) == ["Completed", "Planned", "Withdrawn", "No entry yet"]
    assert list(table["Target date"]) == ["2008-01-01", "2008-06-30", "", ""]


@pytest.mark.parametrize(
    "line, link",
    [
        ("https://www.unodc.org/report.pdf", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("UNODC/CTS/2008/3, annex", False),
        ("https://example.org/<script>", False),
        ("see https://x.org", False),
    ],
)
def test_only_a_line_that_is_one_http_link_becomes_a_link(line, link):
    assert summary.evidence_items(f"\n  {line}  \n") == [(line, line if link else None)]


def test_activity_ids_come_from_the_workplan_when_it_exists(tmp_path):
    assert workplan_activity_ids(tmp_path) is None
    assert targets(["r1"], tmp_path).problem("activity", "p7-a1") is None
    (tmp_path / "workplan.csv").write_text(
        "workplan_id,kind,pillar,title\np1,pillar,1,Advocacy\np1-a3,activity,1,Training\n", encoding="utf-8"
    )
    known = targets(["r1"], tmp_path)
    assert known.problem("activity", "p1-a3") is None
    assert "no activity" in known.problem("activity", "p7-a1")
    assert "no record" in known.problem("record", "r9")
    assert "no activity" in known.problem("activity", "p1")  # a pillar is not something follow-up is about
