"""`python -m gift_dash users …` and `followup …`: passwords never on the command line, imports all or nothing with
located messages, backup and restore (a non-empty store needs --force and keeps what it replaces)."""

import io
import json
import os
import subprocess
import sys

import pytest

from gift_dash.cli import main
from gift_dash.followup import db, store, users
from tests.followup_fixtures import PASSWORD
from tests.test_export import read_csv_export

pytestmark = pytest.mark.usefixtures("cheap_hashes")


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path / "state"))
    yield tmp_path / "state"
    db.dispose()


def add(name, role, monkeypatch, password=PASSWORD):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(["users", "add", name, "--role", role, "--password-stdin"])


def test_users_add_list_deactivate_reactivate(state, monkeypatch, capsys):
    assert add("ann", "editor", monkeypatch) == 0
    assert add("ann", "editor", monkeypatch) == 1
    assert add("bob", "editor", monkeypatch, password="short") == 1
    assert main(["users", "deactivate", "ann"]) == 0
    assert main(["users", "deactivate", "zed"]) == 1
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out.rstrip("\n").split("\t")
    assert listed[:3] == ["ann", "editor", "deactivated"] and listed[-1] == "last sign-in never"
    assert users.sign_in(db.engine_for(), "ann", PASSWORD).user is None
    assert main(["users", "reactivate", "ann"]) == 0
    assert users.sign_in(db.engine_for(), "ann", PASSWORD).user is not None


def test_users_set_role_reset_password_and_history(state, monkeypatch, capsys):
    assert add("ann", "editor", monkeypatch) == 0
    assert main(["users", "set-role", "ann", "viewer"]) == 0
    assert main(["users", "set-role", "ann", "owner"]) == 2  # not a role: argparse refuses it
    monkeypatch.setattr(sys, "stdin", io.StringIO("a new password 123\n"))
    assert main(["users", "reset-password", "ann", "--password-stdin"]) == 0
    assert users.sign_in(db.engine_for(), "ann", PASSWORD).user is None
    assert users.sign_in(db.engine_for(), "ann", "a new password 123").user == users.User("ann", "viewer")
    capsys.readouterr()
    assert main(["users", "history", "ann"]) == 0
    lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(line[2], line[3], line[4]) for line in lines] == [
        ("password", "", "by (command line)"),
        ("role", "editor -> viewer", "by (command line)"),
        ("created", "editor", "by (command line)"),
    ]


def test_a_password_is_never_an_argument_and_needs_a_terminal_or_stdin(state, tmp_path):
    assert main(["users", "add", "ann", "--role", "editor", "--password", PASSWORD]) == 2  # no such option
    run = subprocess.run(
        [sys.executable, "-m", "gift_dash", "users", "add", "ann", "--role", "editor"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, db.STATE_DIR_ENV: str(state)},
    )
    assert run.returncode == 1 and "--password-stdin" in run.stderr and "Traceback" not in run.stderr


def test_import_export_and_restore(state, tmp_path, monkeypatch, capsys):
    add("ann", "editor", monkeypatch)
    bad = tmp_path / "in.csv"
    bad.write_text("target_kind,target_id,status\nrecord,kampala-2007-gen-a,planned\nrecord,nope,planned\n")
    assert main(["followup", "import", str(bad), "--by", "ann"]) == 1
    assert f"{bad}, row 3 (id nope), column target_id" in capsys.readouterr().err
    assert store.entries_frame(db.engine_for()).empty
    assert main(["followup", "import", str(bad), "--by", "nobody"]) == 1
    bad.write_text("target_kind,target_id,status\nrecord,kampala-2007-gen-a,planned\n")
    assert main(["followup", "import", str(bad), "--by", "nobody"]) == 1
    assert "may not change" in capsys.readouterr().err
    assert main(["followup", "import", str(bad), "--by", "ann"]) == 0
    out = tmp_path / "out.csv"
    assert main(["followup", "export", "--out", str(out)]) == 0
    assert "kampala-2007-gen-a,planned" in out.read_text(encoding="utf-8-sig")
    backup = tmp_path / "b.json"
    assert main(["followup", "backup", str(backup)]) == 0
    assert main(["followup", "restore", str(backup)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["followup", "restore", str(backup), "--force"]) == 0
    assert len(list((state / "backups").glob("before-restore-*.json"))) == 1
    assert main(["followup", "restore", str(tmp_path / "missing.json"), "--force"]) == 1


def test_an_export_carries_what_was_planned_and_done(state, tmp_path, monkeypatch):
    out = tmp_path / "kampala.csv"
    assert main(["export", "--event", "kampala-2007", "--format", "csv", "--out", str(out)]) == 0
    assert not state.exists(), "an export made no store"
    _, table = read_csv_export(out.read_bytes())
    assert "Follow-up status" not in table.columns and "Planned response" in table.columns
    add("ann", "editor", monkeypatch)
    store.save(
        db.engine_for(),
        "record",
        "kampala-2007-gen-e",
        {"status": "in_progress", "responsible": "UNODC"},
        expected_version=0,
        by="ann",
    )
    assert main(["export", "--event", "kampala-2007", "--format", "csv", "--out", str(out)]) == 0
    _, table = read_csv_export(out.read_bytes())
    row = table.set_index("Record id").loc["kampala-2007-gen-e"]
    assert (row["Follow-up status"], row["Responsible"]) == ("In progress", "UNODC")
    assert set(table.set_index("Record id").drop(index="kampala-2007-gen-e")["Follow-up status"]) == {"No entry yet"}


def test_export_and_briefing_filter_by_follow_up_status_and_need_a_store_for_it(state, tmp_path, monkeypatch, capsys):
    out = tmp_path / "in-progress.csv"
    assert main(["export", "--status", "in_progress", "--format", "csv", "--out", str(out)]) == 1
    assert "--status needs the follow-up store" in capsys.readouterr().err and not out.exists()
    add("ann", "editor", monkeypatch)
    store.save(db.engine_for(), "record", "kampala-2007-gen-e", {"status": "in_progress"}, 0, "ann")
    store.save(db.engine_for(), "record", "kampala-2007-gen-f", {"status": "completed"}, 0, "ann")
    assert main(["export", "--status", "In progress", "--format", "csv", "--out", str(out)]) == 0
    metadata, table = read_csv_export(out.read_bytes())
    assert list(table["Record id"]) == ["kampala-2007-gen-e"]
    assert metadata["Scope"] == "Follow-up status: In progress"
    briefing = tmp_path / "done.html"
    assert main(["briefing", "--status", "completed", "--out", str(briefing)]) == 0
    assert "1 record(s)" in capsys.readouterr().out
    # coverage takes the same filters: --status is answered from the store there too (it once saw no entry at all)
    assert main(["coverage", "--status", "in_progress", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["scope"] == "Follow-up status: In progress" and answer["coverage"][0]["Records"] == 1


def test_a_briefing_says_the_follow_up_status_of_its_records(state, tmp_path, monkeypatch):
    out = tmp_path / "kampala.html"
    assert main(["briefing", "--event", "kampala-2007", "--out", str(out)]) == 0
    assert "Follow-up status" not in out.read_text(encoding="utf-8")  # no store, no section
    add("ann", "editor", monkeypatch)
    store.save(db.engine_for(), "record", "kampala-2007-gen-e", {"status": "completed"}, expected_version=0, by="ann")
    assert main(["briefing", "--event", "kampala-2007", "--out", str(out)]) == 0
    document = out.read_text(encoding="utf-8")
    assert "Follow-up status" in document and "Completed" in document and "No entry yet" in document


def test_followup_report_writes_the_period_and_scope_asked_for(state, tmp_path, monkeypatch, capsys):
    from datetime import UTC, date, datetime

    add("ann", "editor", monkeypatch)
    engine = db.engine_for()
    march = datetime(2008, 3, 10, tzinfo=UTC)
    store.save(engine, "record", "kampala-2007-gen-a", {"status": "planned"}, 0, "ann", now=march)
    store.save(engine, "record", "brasilia-2007-pri-a", {"status": "completed"}, 0, "ann", now=march)
    changes = {"status": "in_progress", "target_date": date(2008, 1, 1)}
    store.save(engine, "record", "kampala-2007-gen-b", changes, 0, "ann", now=march)
    out = tmp_path / "kampala.csv"
    args = ["followup", "report", "--since", "2008-03-01", "--until", "2008-03-31", "--event", "kampala-2007"]
    assert main([*args, "--out", str(out)]) == 0
    assert "from 1 March 2008 to 31 March 2008, 1 person saved 2 changes (2 new entries)" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8-sig")
    assert "# Scope,Event: Kampala" in text and "Kampala,No entry yet,Planned,1" in text and "Brasilia" not in text
    data = json.loads(_written(main, [*args, "--status", "planned"], tmp_path / "planned.json"))
    assert data["figures"]["Saves"] == 1 and data["metadata"]["Scope"].startswith("Event: Kampala · Follow-up status")
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    assert main([*args, "--out", str(html), "--pdf", str(pdf)]) == 0
    assert "Follow-up progress report" in html.read_text(encoding="utf-8") and pdf.read_bytes()[:5] == b"%PDF-"


def _written(run, args, path) -> str:
    assert run([*args, "--out", str(path)]) == 0
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--since", "2008-03-31", "--until", "2008-03-01", "--out", "r.csv"], 1, "before --since"),
        (["--since", "2008-02-30", "--out", "r.csv"], 2, "expected a date as YYYY-MM-DD"),
        (["--since", "2008-03-01", "--out", "r.txt"], 1, "expected a file ending in .html, .csv, .json or .xlsx"),
        (["--since", "2008-03-01", "--theme", "nonsense", "--out", "r.csv"], 1, "unknown value for --theme"),
    ],
)
def test_followup_report_refuses_what_it_cannot_answer(state, tmp_path, monkeypatch, capsys, args, code, says):
    monkeypatch.chdir(tmp_path)
    assert main(["followup", "report", *args]) == code
    assert says in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()
