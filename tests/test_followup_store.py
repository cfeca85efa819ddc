"""The follow-up store on SQLite and PostgreSQL: migrations, saves and their history, conflicts, crashes, accounts,
CSV import/export and backup/restore."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, text

from gift_dash.data import load_dataset
from gift_dash.followup import db, store, transfer, users
from gift_dash.followup.tables import metadata
from gift_dash.followup.targets import Targets
from tests.followup_fixtures import PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_hashes")

RECORD = "kampala-2007-gen-a"
TARGETS = Targets(frozenset(load_dataset().records["id"]), None)


def test_migrations_build_exactly_the_tables_the_code_uses(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []
    assert db.current_revision(engine) == db.head_revision() == db.HEAD_REVISION


def test_a_store_one_migration_behind_is_brought_to_the_head_on_open(tmp_path):
    # The shortcut that skips Alembic for a store at the head must not skip a store that needs a migration.
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = db.engine_for(url)
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(db._alembic_config(connection), "-1")
    assert db.current_revision(engine) != db.HEAD_REVISION
    db.dispose(url)
    assert db.current_revision(db.engine_for(url)) == db.HEAD_REVISION
    db.dispose(url)


def test_the_sqlite_store_is_made_in_the_state_folder_in_wal_mode(tmp_path, monkeypatch):
    monkeypatch.delenv(db.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(db.STATE_DIR_ENV, str(tmp_path / "new" / "state"))
    url = db.database_url()
    try:
        engine = db.engine_for(url)
        assert (tmp_path / "new" / "state" / db.DB_FILE).is_file()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        db.dispose(url)


def test_state_folder_defaults_outside_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv(db.STATE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert db.state_dir() == tmp_path / "gift-dash"
    monkeypatch.setenv(db.DATABASE_URL_ENV, "postgresql+psycopg://u:secret@db.example/gift")
    assert db.database_url().startswith("postgresql+psycopg://")
    assert "secret" not in db.describe(db.database_url())


def test_a_save_records_each_changed_field_in_the_history(team):
    first = store.save(team, "record", RECORD, {"status": "planned", "responsible": "UNODC"}, 0, "ann")
    second = store.save(
        team, "record", RECORD, {"status": "in_progress", "target_date": date(2008, 12, 31)}, first.version, "bob"
    )
    assert (first.version, second.version) == (1, 2)
    assert store.get(team, "record", RECORD) == second
    rows = store.history_frame(team, "record", RECORD)
    assert rows[["version", "changed_by", "field", "before", "after"]].values.tolist() == [
        [1, "ann", "status", "", "planned"],
        [1, "ann", "responsible", "", "UNODC"],
        [2, "bob", "status", "planned", "in_progress"],
        [2, "bob", "target_date", "", "2008-12-31"],
    ]
    # Saving the same values again changes nothing and adds no history.
    assert store.save(team, "record", RECORD, {"status": "in_progress"}, 2, "ann").version == 2
    assert len(store.history_frame(team)) == 4


def test_the_second_of_two_saves_from_one_version_is_refused_with_what_the_other_changed(team):
    opened = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")
    store.save(team, "record", RECORD, {"status": "completed", "notes": "Report issued"}, opened.version, "ann")
    with pytest.raises(store.Conflict) as refused:
        store.save(team, "record", RECORD, {"status": "in_progress"}, opened.version, "bob")
    message = str(refused.value)
    assert "ann changed this entry" in message
    assert "status: planned → completed" in message and "notes: (empty) → Report issued" in message
    assert store.get(team, "record", RECORD).status == "completed"
    assert "bob" not in set(store.history_frame(team)["changed_by"])


def test_two_people_creating_one_entry_at_once_get_one_entry_and_one_conflict(team):
    store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")
    with pytest.raises(store.Conflict):
        store.save(team, "record", RECORD, {"status": "completed"}, 0, "bob")


@pytest.mark.parametrize("who", ["vic", "nobody", "eve"])
def test_only_active_editors_and_admins_may_save(team, who):
    users.add_user(team, "eve", "editor", PASSWORD)
    users.deactivate(team, "eve", by=users.COMMAND_LINE)
    with pytest.raises(users.NotAllowed):
        store.save(team, "record", RECORD, {"status": "planned"}, 0, who)
    assert store.entries_frame(team).empty


def test_nothing_is_deleted_an_entry_is_withdrawn_with_a_reason(team):
    saved = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")
    with pytest.raises(store.InvalidChange, match="reason"):
        store.withdraw(team, "record", RECORD, "  ", saved.version, "ann")
    gone = store.withdraw(team, "record", RECORD, "Duplicate of kampala-2007-gen-b", saved.version, "ann")
    assert gone.withdrawn and store.get(team, "record", RECORD).withdrawn_reason.startswith("Duplicate")
    assert list(store.history_frame(team)["field"]) == ["status", "withdrawn", "withdrawn_reason"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"status": "done"}, "status"),
        ({"status": "planned", "target_date": "31/12/2008"}, "target_date"),
        ({"status": "planned", "notes": "x" * 10_001}, "notes"),
        ({"colour": "red"}, "colour"),
        ({"notes": "a new entry with no status chosen"}, "status"),  # the default would be recorded as chosen
    ],
)
def test_values_the_store_does_not_accept_are_refused_by_field(team, changes, field):
    with pytest.raises(store.InvalidChange) as refused:
        store.save(team, "record", RECORD, changes, 0, "ann")
    assert field in refused.value.problems
    assert store.entries_frame(team).empty


def test_a_save_refused_for_two_fields_names_both_in_one_message(team):
    with pytest.raises(store.InvalidChange) as refused:
        store.save(team, "record", RECORD, {"status": "planned", "colour": "red", "shade": "dark"}, 0, "ann")
    # one "field: what was expected" per field, the second after "; " (the field names are the ones given above)
    message = str(refused.value)
    assert message.startswith(("colour: ", "shade: ")) and ("; shade: " in message or "; colour: " in message)


def test_a_crash_in_the_middle_of_a_save_leaves_the_entry_as_it_was(team):
    saved = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")

    def crash(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO FOLLOWUP_HISTORY"):
            raise RuntimeError("power cut")

    event.listen(team, "before_cursor_execute", crash)
    try:
        with pytest.raises(RuntimeError, match="power cut"):
            store.save(team, "record", RECORD, {"status": "completed"}, saved.version, "ann")
    finally:
        event.remove(team, "before_cursor_execute", crash)
    assert store.get(team, "record", RECORD) == saved
    assert len(store.history_frame(team)) == 1


def test_concurrent_saves_from_five_sessions_lose_no_update(team):
    """5 threads x 10 saves, each appending its mark to the notes and retrying on a conflict, as a person would."""
    errors = []

    def session(n: int) -> None:
        try:
            for i in range(10):
                while True:
                    current = store.get(team, "record", RECORD)
                    notes = (current.notes + "\n" if current.notes else "") + f"s{n}-{i}"
                    try:
                        store.save(
                            team,
                            "record",
                            RECORD,
                            {"status": "in_progress", "notes": notes},
                            current.version,
                            "ann" if n % 2 else "bob",
                        )
                        break
                    except store.Conflict:
                        continue
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))

    threads = [threading.Thread(target=session, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    final = store.get(team, "record", RECORD)
    assert final.version == 50
    assert sorted(final.notes.split("\n")) == sorted(f"s{n}-{i}" for n in range(5) for i in range(10))
    assert store.history_frame(team)["field"].eq("notes").sum() == 50


def test_history_rows_are_never_updated_or_deleted_by_the_store(team):
    seen = []
    event.listen(team, "before_cursor_execute", lambda c, cur, statement, *a: seen.append(statement.upper()))
    saved = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")
    store.withdraw(team, "record", RECORD, "superseded", saved.version, "ann")
    assert not [s for s in seen if "FOLLOWUP_HISTORY" in s and (s.startswith("UPDATE") or s.startswith("DELETE"))]


def test_the_entries_stamp_moves_with_every_write_whoever_makes_it(team, store_url, tmp_path):
    """The app caches the entries under this fingerprint, so every way entries change must move it: the store's
    saves, an import, a restore, and a writer that is not this code at all (another process, psql)."""
    seen = [store.entries_stamp(team)]

    def moved() -> None:
        assert store.entries_stamp(team) not in seen
        seen.append(store.entries_stamp(team))

    saved = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")
    moved()
    store.save(team, "record", RECORD, {"status": "planned"}, saved.version, "ann")  # nothing to change
    assert store.entries_stamp(team) == seen[-1]
    store.withdraw(team, "record", RECORD, "superseded", saved.version, "bob")
    moved()
    path = tmp_path / "followup.csv"
    path.write_text("target_kind,target_id,status\nrecord,kampala-2007-gen-b,completed\n", encoding="utf-8")
    assert transfer.import_csv(team, path, "ann", TARGETS).saved == 1
    moved()
    transfer.write_backup(team, tmp_path / "backup.json")
    transfer.restore(team, tmp_path / "backup.json", TARGETS, force=True)
    moved()
    # Last: a write that bypasses the history too (a backup of the store would now be refused for it).
    other = create_engine(store_url)
    try:
        with other.begin() as connection:
            connection.execute(text("UPDATE followup_entry SET notes = 'from elsewhere'"))
    finally:
        other.dispose()
    moved()


def test_two_stores_never_share_a_stamp(team, tmp_path):
    url = f"sqlite:///{tmp_path / 'other' / db.DB_FILE}"
    try:
        assert store.entries_stamp(db.engine_for(url)) != store.entries_stamp(team)
    finally:
        db.dispose(url)


# ------------------------------------------------------------------------------------------------ accounts


def test_there_is_no_default_account_and_passwords_are_argon2_hashes(engine):
    assert users.list_users(engine, by=users.COMMAND_LINE) == []
    users.add_user(engine, "ann", "admin", PASSWORD)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM app_user")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_real_hasher_uses_argon2id_with_the_librarys_current_parameters(monkeypatch):
    from argon2 import PasswordHasher, profiles

    real = users.PasswordHasher()
    assert (real.time_cost, real.memory_cost) == (
        profiles.RFC_9106_LOW_MEMORY.time_cost,
        profiles.RFC_9106_LOW_MEMORY.memory_cost,
    )
    # The hash an unknown name is checked against costs what a real one does (other tests use a fast hasher).
    monkeypatch.setattr(users, "_hasher", real)
    users._dummy_hash.cache_clear()
    try:
        assert not PasswordHasher().check_needs_rehash(users._dummy_hash())
    finally:
        users._dummy_hash.cache_clear()


@pytest.mark.parametrize(
    "name, role, password, expected",
    [
        ("ann", "editor", "short", "at least"),
        ("ann", "owner", PASSWORD, "unknown role"),
        ("a n", "editor", PASSWORD, "not a valid account name"),
    ],
)
def test_bad_account_requests_are_refused(engine, name, role, password, expected):
    with pytest.raises(users.UserError, match=expected):
        users.add_user(engine, name, role, password)


def test_a_session_expires_and_ends_when_the_account_is_deactivated(team, monkeypatch):
    monkeypatch.setenv(users.SESSION_HOURS_ENV, "2")
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    token = users.sign_in(team, "bob", PASSWORD, now).token
    assert users.session_user(team, token, now + timedelta(hours=1)) == users.User("bob", "editor")
    assert users.session_user(team, token, now + timedelta(hours=2, seconds=1)) is None
    token = users.sign_in(team, "bob", PASSWORD).token
    users.deactivate(team, "bob", by=users.COMMAND_LINE)
    assert users.session_user(team, token) is None
    assert users.sign_in(team, "bob", PASSWORD).user is None
    assert users.session_user(team, "forged-token") is None


def test_only_an_active_admin_lists_deactivates_and_reactivates_accounts_and_never_their_own(team):
    users.add_user(team, "ada", "admin", PASSWORD)
    users.add_user(team, "max", "admin", PASSWORD)
    for who in ("vic", "ann", "nobody"):  # a viewer, an editor, no account: refused by the store itself
        with pytest.raises(users.NotAllowed, match="manage accounts"):
            users.list_users(team, by=who)
        with pytest.raises(users.NotAllowed):
            users.deactivate(team, "bob", by=who)
        with pytest.raises(users.NotAllowed):
            users.reactivate(team, "bob", by=who)
    with pytest.raises(users.UserError, match="your own account"):
        users.deactivate(team, "ada", by="ada")
    token = users.sign_in(team, "bob", PASSWORD).token
    users.deactivate(team, "bob", by="ada")
    assert users.session_user(team, token) is None and users.sign_in(team, "bob", PASSWORD).user is None
    assert {a["name"]: a["active"] for a in users.list_users(team, by="ada")}["bob"] is False
    users.reactivate(team, "bob", by="ada")
    assert users.sign_in(team, "bob", PASSWORD).user == users.User("bob", "editor")
    users.deactivate(team, "max", by="ada")  # another admin, yes; a deactivated admin can do nothing more
    with pytest.raises(users.NotAllowed):
        users.reactivate(team, "bob", by="max")
    with pytest.raises(users.UserError, match="no account named"):
        users.deactivate(team, "zed", by="ada")


def test_the_list_says_when_each_account_last_signed_in(team):
    now = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    users.sign_in(team, "ann", PASSWORD, now)
    users.sign_in(team, "bob", "not the password", now)  # a failed sign-in is not a sign-in
    last = {a["name"]: a["last_sign_in_at"] for a in users.list_users(team, by=users.COMMAND_LINE)}
    assert last == {"ann": now, "bob": None, "vic": None}


# ------------------------------------------------------------------------------------------- import/export


def _csv(tmp_path, body: str):
    path = tmp_path / "followup.csv"
    path.write_text(body, encoding="utf-8")
    return path


def test_an_import_with_one_bad_row_imports_nothing_and_names_each_problem(team, tmp_path):
    path = _csv(
        tmp_path,
        "target_kind,target_id,status,target_date\n"
        f"record,{RECORD},planned,2008-12-31\n"
        "record,no-such-record,done,31/12/2008\n"
        "meeting,m1,planned,\n",
    )
    result = transfer.import_csv(team, path, "ann", TARGETS)
    assert result.saved == 0 and store.entries_frame(team).empty
    located = {(p.row, p.column) for p in result.problems}
    assert located == {(3, "target_id"), (3, "status"), (3, "target_date"), (4, "target_kind")}
    assert all(p.file == str(path) for p in result.problems)


def test_an_import_is_refused_for_an_entry_saved_since_the_export(team, tmp_path):
    saved = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")
    exported = tmp_path / "export.csv"
    exported.write_bytes(transfer.export_csv(team)[0])
    store.save(team, "record", RECORD, {"status": "completed"}, saved.version, "bob")
    result = transfer.import_csv(team, exported, "ann", TARGETS)
    assert result.saved == 0 and [p.column for p in result.problems] == ["version"]
    assert "bob" in result.problems[0].message


def test_activity_ids_are_checked_against_the_workplan_when_there_is_one(team, tmp_path):
    path = _csv(tmp_path, "target_kind,target_id,status\nactivity,p1-a3,planned\nactivity,p9-a9,planned\n")
    result = transfer.import_csv(team, path, "ann", Targets(TARGETS.records, frozenset({"p1-a3"})))
    assert [(p.row, p.column) for p in result.problems] == [(3, "target_id")]
    assert transfer.import_csv(team, path, "ann", TARGETS).saved == 2  # no workplan: any well-formed id


def test_export_neutralises_formulas_and_keeps_markup_as_text(team):
    store.save(
        team,
        "record",
        RECORD,
        {"status": "planned", "notes": '=HYPERLINK("http://x")', "evidence": "<script>alert(1)</script>"},
        0,
        "ann",
    )
    data = transfer.export_csv(team)[0].decode("utf-8-sig")
    assert "'=HYPERLINK" in data and "<script>alert(1)</script>" in data


def test_backup_and_restore_round_trip_and_a_full_store_needs_force(team, tmp_path):
    saved = store.save(team, "record", RECORD, {"status": "planned", "evidence": "https://example.org/r"}, 0, "ann")
    store.withdraw(team, "record", RECORD, "superseded", saved.version, "bob")
    before = (store.entries_frame(team), store.history_frame(team), users.list_users(team, by=users.COMMAND_LINE))
    path = tmp_path / "backup.json"
    assert transfer.write_backup(team, path) == {"users": 3, "account_history": 3, "entries": 1, "history": 4}
    assert PASSWORD not in path.read_text()
    with pytest.raises(transfer.RestoreRefused, match="--force"):
        transfer.restore(team, path, TARGETS)
    store.save(team, "record", "kampala-2007-gen-b", {"status": "completed"}, 0, "ann")
    transfer.restore(team, path, TARGETS, force=True)
    after = (store.entries_frame(team), store.history_frame(team), users.list_users(team, by=users.COMMAND_LINE))
    assert after[0].equals(before[0]) and after[1].equals(before[1]) and after[2] == before[2]
    # New rows get new ids after a restore (PostgreSQL's sequences were moved past the restored ones).
    store.save(team, "record", "kampala-2007-gen-b", {"status": "completed"}, 0, "ann")
    assert users.sign_in(team, "ann", PASSWORD).user is not None


def test_a_file_that_is_not_a_backup_restores_nothing(team, tmp_path):
    path = tmp_path / "not.json"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(transfer.RestoreRefused, match="not a follow-up backup"):
        transfer.restore(team, path, TARGETS, force=True)
    assert len(users.list_users(team, by=users.COMMAND_LINE)) == 3


# ------------------------------------------------------------------------------------------- the refusal a person reads


def test_the_conflict_message_names_who_what_and_when():
    """Written out by hand: two others saved (ann twice, then bob) since version 2; now version 5."""
    current = store.Entry(
        "record", "kampala-2007-gen-e", version=5, changed_by="bob", changed_at=datetime(2008, 2, 13, 9, 30, tzinfo=UTC)
    )
    at = datetime(2008, 2, 13, 9, 0, tzinfo=UTC)
    theirs = [
        store.Change(3, "ann", at, "status", "planned", "in_progress"),
        store.Change(4, "ann", at, "notes", "", "Met the ministry"),
        store.Change(5, "bob", at, "evidence", "report.pdf", ""),
    ]
    assert store.conflict_message(current, 2, theirs) == (
        "Not saved: ann, bob changed this entry since you opened it (your version 2, now 5, last saved 2008-02-13 "
        "09:30 UTC). Their changes:\n"
        "status: planned → in_progress\n"
        "notes: (empty) → Met the ministry\n"
        "evidence: report.pdf → (empty)\n"
        "Your edits are still in the form: check them against the above and save again."
    )
    # No change listed: the last to save, or "someone"; no moment known: "meanwhile".
    assert store.conflict_message(store.Entry("record", "x", version=1, changed_by="cy"), 0, []).startswith(
        "Not saved: cy changed this entry since you opened it (your version 0, now 1, last saved meanwhile)."
    )
    assert store.conflict_message(store.Entry("record", "x", version=1), 0, []).startswith("Not saved: someone changed")


def test_a_conflict_lists_only_that_entrys_changes_since_the_version_opened(team):
    other = "kampala-2007-gen-b"  # RECORD is kampala-2007-gen-a
    opened = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann")  # version 1, opened by bob
    store.save(team, "record", other, {"status": "completed"}, 0, "bob")  # another entry, versions 1 and 2: not theirs
    store.save(team, "record", other, {"notes": "Closed"}, 1, "bob")
    store.save(team, "record", RECORD, {"notes": "Met the ministry"}, opened.version, "ann")  # version 2
    with pytest.raises(store.Conflict) as refused:
        store.save(team, "record", RECORD, {"status": "in_progress"}, opened.version, "bob")
    lines = str(refused.value).splitlines()
    assert lines[0].startswith("Not saved: ann changed this entry since you opened it (your version 1, now 2, ")
    assert lines[1:-1] == ["notes: (empty) → Met the ministry"]  # not version 1's status, not the other entry's
    # One target's history is that target's only; an entry never saved is that target's, at version 0.
    assert store.history_frame(team, "record", other)[["changed_by", "field"]].values.tolist() == [
        ["bob", "status"],
        ["bob", "notes"],
    ]
    unsaved = store.get(team, "activity", "p4-a2")
    assert (unsaved.target_kind, unsaved.target_id, unsaved.version) == ("activity", "p4-a2", 0)


@pytest.mark.parametrize("saved_before", [True, False], ids=["update", "create"])
def test_a_save_that_loses_the_race_between_its_read_and_its_write_is_refused_with_the_winners_changes(
    team, saved_before
):
    """ann's save lands after bob's save read the entry and before it writes: bob's update matches no row at his
    version, or his insert meets ann's entry; either way bob is told what ann changed and nothing of his is written.
    PostgreSQL lets ann write in between (read committed); SQLite's writer holds the lock from its first read, so
    there bob's transaction is committed (it wrote nothing yet) and begun again around ann's save."""
    at = datetime(2008, 2, 13, 9, 30, tzinfo=UTC)
    opened = store.save(team, "record", RECORD, {"status": "planned"}, 0, "ann", now=at) if saved_before else None
    version = opened.version if opened else 0
    field, after = ("notes", "Met the ministry") if saved_before else ("status", "planned")  # what ann saves
    raced = []

    def ann_saves_first(conn, cursor, statement, *args):
        if raced or not statement.upper().startswith(("UPDATE FOLLOWUP_ENTRY ", "INSERT INTO FOLLOWUP_ENTRY ")):
            return
        raced.append(statement)
        sqlite = team.dialect.name == "sqlite"
        if sqlite:
            cursor.connection.execute("COMMIT")
        store.save(team, "record", RECORD, {field: after}, version, "ann", now=at)
        if sqlite:
            cursor.connection.execute("BEGIN IMMEDIATE")

    event.listen(team, "before_cursor_execute", ann_saves_first)
    try:
        with pytest.raises(store.Conflict) as refused:
            store.save(team, "record", RECORD, {"status": "completed"}, version, "bob")
    finally:
        event.remove(team, "before_cursor_execute", ann_saves_first)
    assert len(raced) == 1
    assert str(refused.value) == (
        f"Not saved: ann changed this entry since you opened it (your version {version}, now {version + 1}, last "
        f"saved 2008-02-13 09:30 UTC). Their changes:\n{field}: (empty) → {after}\n"
        "Your edits are still in the form: check them against the above and save again."
    )
    assert (refused.value.current.status, refused.value.current.version) == ("planned", version + 1)
    assert refused.value.theirs == [store.Change(version + 1, "ann", at, field, "", after)]
    assert "bob" not in set(store.history_frame(team)["changed_by"])


def test_entries_come_ordered_by_kind_then_id_and_one_targets_history_is_of_that_kind_only(team):
    # Saved out of order; the same id as a record and as an activity (the store checks only its format).
    for kind, target_id in (("record", "kampala-2007-gen-b"), ("activity", "p4-a2"), ("record", RECORD)):
        store.save(team, kind, target_id, {"status": "planned"}, 0, "ann")
    store.save(team, "activity", "p1-a3", {"status": "completed"}, 0, "bob")
    store.save(team, "activity", RECORD, {"status": "in_progress"}, 0, "bob")
    assert store.entries_frame(team)[["target_kind", "target_id"]].values.tolist() == [
        ["activity", "kampala-2007-gen-a"],
        ["activity", "p1-a3"],
        ["activity", "p4-a2"],
        ["record", "kampala-2007-gen-a"],
        ["record", "kampala-2007-gen-b"],
    ]
    assert store.history_frame(team, "record", RECORD)[["changed_by", "after"]].values.tolist() == [["ann", "planned"]]


def test_with_no_history_the_history_and_its_replay_have_their_columns(team):
    """A target never saved shows an empty history table, and a store with no history replays to no entries: with
    the columns a reader asks for, not a frame without any."""
    assert store.history_frame(team, "record", RECORD).columns.tolist() == [
        "target_kind",
        "target_id",
        "version",
        "changed_by",
        "changed_at",
        "field",
        "before",
        "after",
    ]
    assert store.replay(store.history_frame(team)).columns.tolist() == [
        "target_kind",
        "target_id",
        "status",
        "responsible",
        "target_date",
        "notes",
        "evidence",
        "withdrawn",
        "withdrawn_reason",
        "version",
        "changed_by",
        "changed_at",
    ]


def test_the_entries_and_the_replay_of_their_history_hold_every_field_with_its_type(team):
    """Written out by hand: a record saved with every field, then withdrawn; in between an activity saved."""
    at, later = datetime(2008, 2, 13, 9, 30, tzinfo=UTC), datetime(2008, 2, 14, 16, 5, 7, 250_000, tzinfo=UTC)
    first = store.save(
        team,
        "record",
        RECORD,
        {
            "status": "planned",
            "responsible": "UNODC",
            "target_date": date(2008, 12, 31),
            "notes": "Met the ministry",
            "evidence": "report.pdf",
        },
        0,
        "ann",
        now=at,
    )
    store.save(team, "activity", "p4-a2", {"status": "completed"}, 0, "bob", now=later)
    store.save(
        team, "record", RECORD, {"withdrawn": True, "withdrawn_reason": "Duplicate"}, first.version, "bob", now=later
    )
    assert store.history_frame(team).values.tolist() == [
        ["record", RECORD, 1, "ann", at, "status", "", "planned"],
        ["record", RECORD, 1, "ann", at, "responsible", "", "UNODC"],
        ["record", RECORD, 1, "ann", at, "target_date", "", "2008-12-31"],
        ["record", RECORD, 1, "ann", at, "notes", "", "Met the ministry"],
        ["record", RECORD, 1, "ann", at, "evidence", "", "report.pdf"],
        ["activity", "p4-a2", 1, "bob", later, "status", "", "completed"],
        ["record", RECORD, 2, "bob", later, "withdrawn", "", "yes"],
        ["record", RECORD, 2, "bob", later, "withdrawn_reason", "", "Duplicate"],
    ]
    blank = {"responsible": "", "target_date": None, "notes": "", "evidence": "", "withdrawn": False}
    expected = [
        {"target_kind": "activity", "target_id": "p4-a2", "status": "completed", **blank, "withdrawn_reason": ""},
        {
            "target_kind": "record",
            "target_id": RECORD,
            "status": "planned",
            "responsible": "UNODC",
            "target_date": date(2008, 12, 31),
            "notes": "Met the ministry",
            "evidence": "report.pdf",
            "withdrawn": True,
            "withdrawn_reason": "Duplicate",
        },
    ]
    stamps = [
        {"version": 1, "changed_by": "bob", "changed_at": later},
        {"version": 2, "changed_by": "bob", "changed_at": later},
    ]
    expected = [{**entry, **stamp} for entry, stamp in zip(expected, stamps, strict=True)]
    entries = store.entries_frame(team)
    assert entries.to_dict("records") == expected
    assert store.replay(store.history_frame(team)).to_dict("records") == expected
    # The types a reader counts and compares on: text, true/false, whole numbers, moments in UTC, dates as objects.
    string = "str"  # pandas 3 text columns
    assert entries.dtypes.astype(str).to_dict() == {
        "target_kind": string,
        "target_id": string,
        "status": string,
        "responsible": string,
        "target_date": "object",
        "notes": string,
        "evidence": string,
        "withdrawn": "bool",
        "withdrawn_reason": string,
        "version": "int64",
        "changed_by": string,
        "changed_at": "datetime64[us, UTC]",
    }


@pytest.mark.parametrize(
    ("kind", "target_id", "changes", "problems"),
    [
        ("record", RECORD, {"notes": "no status"}, {"status": "a new entry needs a status: choose one"}),
        (
            "record",
            RECORD,
            {"status": "planned", "colour": "red"},
            {
                "colour": "not a field of a follow-up entry; expected one of status, responsible, target_date, notes, "
                "evidence, withdrawn, withdrawn_reason"
            },
        ),
        (
            "country",
            RECORD,
            {"status": "planned"},
            {"target": "unknown target kind 'country'; expected one of record, activity"},
        ),
        (
            "record",
            "no spaces",
            {"status": "planned"},
            {
                "target": "not a valid id: 'no spaces'; expected letters, digits and . _ : - (at most 100 characters, "
                "starting with a letter or digit)"
            },
        ),
        (
            "record",
            "x" * 40 + " and more",  # shown cut to its first 40 characters
            {"status": "planned"},
            {
                "target": f"not a valid id: '{'x' * 40}'; expected letters, digits and . _ : - (at most 100 characters, "
                "starting with a letter or digit)"
            },
        ),
        (
            "record",
            "",
            {"status": "planned"},
            {
                "target": "not a valid id: ''; expected letters, digits and . _ : - (at most 100 characters, "
                "starting with a letter or digit)"
            },
        ),
        (
            "record",
            RECORD,
            {"status": "completed " * 5},  # shown cut to its first 40 characters; the statuses of data/codebook.csv
            {
                "status": "unknown status 'completed completed completed completed '; expected one of not_started, "
                "planned, in_progress, completed, not_applicable"
            },
        ),
        (
            "record",
            RECORD,
            {"status": "planned", "target_date": "31/12/2008"},
            {"target_date": "expected a date (YYYY-MM-DD)"},
        ),
        (
            "record",
            RECORD,
            {"status": "planned", "withdrawn": True},
            {"withdrawn_reason": "a withdrawn entry needs the reason it was withdrawn"},
        ),
        (
            "record",
            RECORD,
            {"status": "planned", "withdrawn_reason": "Duplicate"},
            {"withdrawn_reason": "only a withdrawn entry has a reason for withdrawal"},
        ),
    ],
    ids=["no status", "unknown field", "unknown kind", "bad id"]
    + ["long bad id", "no id", "unknown status", "bad date", "no reason", "reason but not withdrawn"],
)
def test_a_refused_save_tells_the_person_what_to_do(team, kind, target_id, changes, problems):
    with pytest.raises(store.InvalidChange) as refused:
        store.save(team, kind, target_id, changes, 0, "ann")
    assert refused.value.problems == problems
    assert store.entries_frame(team).empty


def test_a_note_of_exactly_the_limit_is_kept():
    assert store.text_problem("x" * 10_000, 10_000) is None
    assert store.text_problem("x" * 10_001, 10_000) == "10,001 characters; at most 10,000 (shorten it)"


def test_a_save_from_a_version_of_an_entry_the_store_no_longer_has_is_a_conflict(team):
    """The form was opened at version 1, and the store was since replaced by one without that entry (a restore)."""
    with pytest.raises(store.Conflict) as refused:
        store.save(team, "record", RECORD, {"status": "planned"}, 1, "ann")
    assert (refused.value.current, refused.value.theirs) == (store.Entry("record", RECORD), [])
    assert store.entries_frame(team).empty
