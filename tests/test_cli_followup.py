"""`python -m gift_dash users …` and `followup …`: passwords never on the command line, imports all or nothing with
located messages, backup and restore (a non-empty store needs --force and keeps what it replaces)."""

import io
import os
import subprocess
import sys

import pytest

from gift_dash.cli import main
from gift_dash.followup import db, store, users
from tests.followup_fixtures import PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_hashes")


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path / "state"))
    yield tmp_path / "state"
    db.dispose()


def add(name, role, monkeypatch, password=PASSWORD):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(["users", "add", name, "--role", role, "--password-stdin"])


def test_users_add_list_deactivate(state, monkeypatch, capsys):
    assert add("ann", "editor", monkeypatch) == 0
    assert add("ann", "editor", monkeypatch) == 1
    assert add("bob", "editor", monkeypatch, password="short") == 1
    assert main(["users", "deactivate", "ann"]) == 0
    assert main(["users", "deactivate", "zed"]) == 1
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.split("\t")[:3] == ["ann", "editor", "deactivated"]
    assert users.sign_in(db.engine_for(), "ann", PASSWORD).user is None


def test_a_password_is_never_an_argument_and_needs_a_terminal_or_stdin(state, tmp_path):
    assert main(["users", "add", "ann", "--role", "editor", "--password", PASSWORD]) == 2  # no such option
    run = subprocess.run([sys.executable, "-m", "gift_dash", "users", "add", "ann", "--role", "editor"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                         env={**os.environ, db.STATE_DIR_ENV: str(state)})
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
