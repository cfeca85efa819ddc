"""Follow-up on SQLite and PostgreSQL alike: a sign-in that tells nothing about which accounts exist and that a
stranger elsewhere cannot use to lock a person out; text that is stored only when clean; a restore that refuses a
bad backup whole; admins resetting a password and changing a role, each in the account's history; store files
readable by their owner only. Expected messages and values are written out by hand."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest

from gift_dash.data import load_dataset
from gift_dash.followup import db, store, transfer, users
from gift_dash.followup.targets import Targets
from tests.followup_fixtures import PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_hashes")

RECORD = "kampala-2007-gen-a"
TARGETS = Targets(frozenset(load_dataset().records["id"]), None)
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


# ----------------------------------------------------------------------------------------------- sign-in


@pytest.mark.parametrize("name", ["ann", "nobody-here"])
def test_an_unknown_name_and_a_wrong_password_read_alike_after_every_try(team, name):
    """The same messages, try after try, for a real account and for a name that does not exist."""
    said = [
        users.sign_in(team, name, "wrong password!", NOW + timedelta(seconds=i), "10.0.0.9").message for i in (0, 0, 0)
    ]
    assert said == [users.WRONG, users.WRONG, users.WRONG + " Wait 5 s before the next try."]
    waiting = users.sign_in(team, name, "wrong password!", NOW + timedelta(seconds=2), "10.0.0.9").message
    assert waiting == "Too many failed sign-ins with this name from here: try again in 4 s."


def test_a_stranger_elsewhere_cannot_lock_a_person_out(team):
    for i in range(8):  # someone at another address tries the admin's name again and again
        users.sign_in(team, "ann", f"guess number {i}", NOW + timedelta(seconds=i), "203.0.113.7")
    assert "try again" in users.sign_in(team, "ann", PASSWORD, NOW + timedelta(seconds=9), "203.0.113.7").message
    ok = users.sign_in(team, "ann", PASSWORD, NOW + timedelta(seconds=9), "192.0.2.1")
    assert ok.user == users.User("ann", "editor")


def test_the_wait_grows_and_a_success_forgets_the_failures(team):
    source = "10.0.0.9"
    for _ in range(users.FREE_FAILURES - 1):
        assert users.sign_in(team, "ann", "wrong password!", NOW, source).user is None
    assert users.sign_in(team, "ann", "wrong password!", NOW, source).message.endswith("Wait 5 s before the next try.")
    # While waiting even the right password is refused.
    assert users.sign_in(team, "ann", PASSWORD, NOW + timedelta(seconds=2), source).user is None
    later = NOW + timedelta(seconds=6)
    assert users.sign_in(team, "ann", "still wrong!!", later, source).message.endswith("Wait 10 s before the next try.")
    ok = users.sign_in(team, "ann", PASSWORD, NOW + timedelta(seconds=17), source)
    assert ok.user == users.User("ann", "editor") and ok.token
    assert users.sign_in(team, "ann", "wrong again!!", NOW + timedelta(seconds=18), source).message == users.WRONG


# ----------------------------------------------------------------------------------------------- clean text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("before\x00after", "character 7 is a control character (U+0000), which is not stored; remove it"),
        ("abc\u202eevil", "character 4 is RIGHT-TO-LEFT OVERRIDE (U+202E), which is not stored; remove it"),
        ("x\u2066y", "character 2 is LEFT-TO-RIGHT ISOLATE (U+2066), which is not stored; remove it"),
        ("a" * 10_001, "10,001 characters; at most 10,000 (shorten it)"),
    ],
)
def test_unsafe_or_overlong_text_is_refused_alike_on_both_databases(team, text, expected):
    with pytest.raises(store.InvalidChange) as refused:
        store.save(team, "record", RECORD, {"status": "planned", "notes": text}, 0, "ann")
    assert refused.value.problems == {"notes": expected}
    assert store.get(team, "record", RECORD).version == 0


def test_tabs_and_line_breaks_are_kept(team):
    saved = store.save(team, "record", RECORD, {"status": "planned", "notes": "one\ttwo\nthree"}, 0, "ann")
    assert store.get(team, "record", RECORD).notes == "one\ttwo\nthree" == saved.notes


# ----------------------------------------------------------------------------------------------- accounts


def test_an_admin_changes_a_role_and_resets_a_password_and_both_are_in_the_history(team):
    users.add_user(team, "ada", "admin", PASSWORD)
    token = users.sign_in(team, "bob", PASSWORD).token
    users.set_role(team, "bob", "viewer", by="ada")
    assert users.session_user(team, token) is None  # the new role applies from the next sign-in
    assert users.sign_in(team, "bob", PASSWORD).user == users.User("bob", "viewer")
    users.reset_password(team, "bob", "a brand new password", by="ada")
    assert users.sign_in(team, "bob", PASSWORD).user is None
    assert users.sign_in(team, "bob", "a brand new password").user == users.User("bob", "viewer")
    rows = users.account_history_rows(team, by="ada", account="bob")
    assert [(r["action"], r["before"], r["after"], r["changed_by"]) for r in rows] == [
        ("password", "", "", "ada"),
        ("role", "editor", "viewer", "ada"),
        ("created", "", "editor", users.COMMAND_LINE_NAME),
    ]
    assert "a brand new password" not in json.dumps([str(r) for r in rows])


@pytest.mark.parametrize("who", ["vic", "ann", "nobody"])
def test_only_an_admin_changes_roles_and_passwords(team, who):
    with pytest.raises(users.NotAllowed):
        users.set_role(team, "bob", "admin", by=who)
    with pytest.raises(users.NotAllowed):
        users.reset_password(team, "bob", "another password", by=who)


def test_an_admin_does_not_change_their_own_role_and_a_short_password_is_refused(team):
    users.add_user(team, "ada", "admin", PASSWORD)
    with pytest.raises(users.UserError, match="your own role"):
        users.set_role(team, "ada", "viewer", by="ada")
    with pytest.raises(users.UserError, match="at least 10"):
        users.reset_password(team, "bob", "short", by="ada")
    with pytest.raises(users.UserError, match="unknown role"):
        users.set_role(team, "bob", "owner", by="ada")


# ----------------------------------------------------------------------------------------------- restore


def _backup(team, tmp_path):
    saved = store.save(team, "record", RECORD, {"status": "in_progress", "notes": "Working group"}, 0, "ann")
    store.save(team, "record", RECORD, {"status": "completed"}, saved.version, "bob")
    path = tmp_path / "backup.json"
    transfer.write_backup(team, path)
    return path, json.loads(path.read_text())


def _damaged(path, document, damage) -> None:
    damage(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            lambda d: d["entries"][0].update(status="bogus_status"),
            "entries[0] (record kampala-2007-gen-a), status: unknown status 'bogus_status'",
        ),
        (lambda d: d.pop("history"), "history: missing, or not a list of rows"),
        (lambda d: d.update(history=[]), "entries[0] (record kampala-2007-gen-a): no history"),
        (lambda d: d.update(users=[]), "users: no account"),
        (
            lambda d: d["entries"][0].update(notes="changed outside the history"),
            "entries[0] (record kampala-2007-gen-a), notes: the history replays to 'Working group'",
        ),
        (
            lambda d: d["entries"][0].update(target_date="31/03/2027"),
            "entries[0] (record kampala-2007-gen-a), target_date: expected a date as YYYY-MM-DD, got '31/03/2027'",
        ),
        (
            lambda d: d["entries"][0].update(target_id="no-such-record"),
            "entries[0] (record no-such-record), target_id: no record with id 'no-such-record'",
        ),
        (lambda d: d["users"][0].update(role="owner"), "users[0], role: unknown role 'owner'"),
        (lambda d: d["history"][0].update(field="colour"), "history[0], field: expected one of status"),
        (
            lambda d: d["entries"][0].update(notes="a\x00b"),
            "entries[0] (record kampala-2007-gen-a), notes: character 2 is a control character (U+0000)",
        ),
    ],
)
def test_a_bad_backup_is_refused_whole(team, tmp_path, damage, expected):
    path, document = _backup(team, tmp_path)
    other = store.save(team, "record", "kampala-2007-gen-b", {"status": "planned"}, 0, "ann")
    _damaged(path, document, damage)
    with pytest.raises(transfer.RestoreRefused) as refused:
        transfer.restore(team, path, TARGETS, force=True)
    assert expected in str(refused.value) and "nothing restored" in str(refused.value)
    assert store.get(team, "record", "kampala-2007-gen-b") == other  # the store is as it was


def test_a_good_backup_restores_and_its_history_replays_to_its_entries(team, tmp_path):
    path, _ = _backup(team, tmp_path)
    transfer.restore(team, path, TARGETS, force=True)
    entry = store.get(team, "record", RECORD)
    assert (entry.status, entry.notes, entry.version, entry.changed_by) == ("completed", "Working group", 2, "bob")


# ----------------------------------------------------------------------------------------------- files


def test_the_store_its_folder_and_backups_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path / "state"))
    monkeypatch.delenv(db.DATABASE_URL_ENV, raising=False)
    engine = db.engine_for()
    try:
        users.add_user(engine, "ann", "editor", PASSWORD)
        transfer.write_backup(engine, tmp_path / "backup.json")
        files = [tmp_path / "state" / db.DB_FILE, tmp_path / "backup.json"]
        files += [p for p in (tmp_path / "state").iterdir() if p.name.startswith(db.DB_FILE + "-")]
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
        assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    finally:
        db.dispose()
