"""Follow-up entries in and out: CSV export and import (validated row by row, all or nothing), and a full backup
of the store (entries, history, accounts) as JSON with its restore."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Date, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from gift_dash.data import read_table
from gift_dash.export import FORMULA_TRIGGERS, csv_bytes
from gift_dash.followup.db import current_revision, reading
from gift_dash.followup.store import (
    FIELDS,
    HISTORY_COLUMNS,
    TEXT_FIELDS,
    Conflict,
    Entry,
    InvalidChange,
    Raced,
    apply_change,
    as_text,
    entries_frame,
    from_text,
    replay,
    statuses,
    validate_values,
)
from gift_dash.followup.tables import (
    ROLES,
    TARGET_KINDS,
    UTCDateTime,
    account_history,
    entries,
    history,
    sessions,
    sign_in_throttle,
    users,
)
from gift_dash.followup.targets import Targets
from gift_dash.followup.users import EDIT_ROLES, require_role
from gift_dash.safe_io import ReadError, read_bytes, write_output
from gift_dash.schema import Problem, Sheet, sheet_row

# The CSV's columns: the target, the fields a person edits, then what the store adds. On import, version is checked
# (nobody saved the entry since the file was exported); changed_by/changed_at are the importing account and time.
CSV_COLUMNS = ("target_kind", "target_id", *FIELDS, "version", "changed_by", "changed_at")
REQUIRED_COLUMNS = ("target_kind", "target_id", "status")
_WITHDRAWN_TEXT = {"": False, "yes": True, "no": False}


MAX_BACKUP_BYTES = 512 * 2**20  # a restore reads at most this much (a store of 100,000 history rows is ~40 MiB)


def _protect(text: str) -> str:
    """Spreadsheet-safe text that reads back unchanged: csv_bytes puts an apostrophe before a formula trigger;
    a leading apostrophe of the text itself is doubled, so import can take exactly one away."""
    return "'" + text if text.startswith("'") else text


def _unprotect(text: str) -> str:
    if text.startswith("'") and len(text) > 1 and text[1] in (*FORMULA_TRIGGERS, "'"):
        return text[1:]
    return text


def export_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Entries (entries_frame) as the CSV holds them: every value as text (as_text), columns CSV_COLUMNS."""
    out = pd.DataFrame(
        {
            column: [
                _protect(as_text(column, v))
                if column in FIELDS
                else (v.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(v, datetime) else str(v))
                for v in frame[column]
            ]
            for column in CSV_COLUMNS
        }
    )
    return out


def export_csv(engine: Engine) -> tuple[bytes, int]:
    """The store's entries as CSV bytes (formula-safe) and how many there are."""
    frame = entries_frame(engine)
    return csv_bytes(export_table(frame)), len(frame)


@dataclass(frozen=True)
class ImportResult:
    problems: list[Problem]
    saved: int  # entries changed or created (0 whenever a problem is an error)
    unchanged: int


def _row_changes(
    row: dict[str, str],
    columns: list[str],
    file: str,
    line: int,
    targets: Targets,
    current: dict[tuple[str, str], Entry],
) -> tuple[tuple[str, str], dict, int, list[Problem]]:
    kind, target_id = row["target_kind"].strip(), row["target_id"].strip()

    def problem(column: str, message: str) -> Problem:
        return Problem(file, line, column, message, record_id=target_id[:100])

    problems = []
    where = targets.problem(kind, target_id)
    if where:
        problems.append(problem("target_kind" if kind not in TARGET_KINDS else "target_id", where))
    changes: dict[str, object] = {}
    for field in FIELDS:
        if field not in columns:
            continue
        text = _unprotect(row[field]) if field in TEXT_FIELDS else row[field].strip()
        if field == "status" and text not in statuses():
            problems.append(problem(field, f"unknown status {text[:40]!r}; expected one of {', '.join(statuses())}"))
        elif field == "withdrawn" and text.casefold() not in _WITHDRAWN_TEXT:
            problems.append(problem(field, f"expected yes, no or empty, got {text[:40]!r}"))
        elif field == "withdrawn":
            changes[field] = _WITHDRAWN_TEXT[text.casefold()]
        elif field == "target_date":
            try:
                changes[field] = from_text(field, text)
            except ValueError:
                problems.append(problem(field, f"expected a date as YYYY-MM-DD (e.g. 2008-12-31), got {text[:40]!r}"))
        else:
            changes[field] = text
    existing = current.get((kind, target_id), Entry(kind, target_id))
    expected = existing.version
    if "version" in columns and row["version"].strip():
        text = row["version"].strip()
        if not text.isdigit():
            problems.append(problem("version", f"expected a whole number (the version exported), got {text[:40]!r}"))
        elif existing.version and int(text) != existing.version:  # absent from this store: created afresh
            problems.append(
                problem(
                    "version",
                    f"the entry was saved since this file was exported (file: version "
                    f"{text}, store: version {existing.version}, by "
                    f"{existing.changed_by or 'nobody'}); export again and redo the "
                    "change",
                )
            )
    if not problems:
        merged = {f: changes.get(f, getattr(existing, f)) for f in FIELDS}
        problems += [problem(f, m) for f, m in validate_values(merged).items()]
    return (kind, target_id), changes, expected, problems


def import_csv(
    engine: Engine,
    source: Path | bytes,
    by: str,
    targets: Targets,
    name: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Check every row of a follow-up CSV (or XLSX) and, only when none has an error, save them all in one
    transaction as ``by`` (an active editor or admin). Raises ReadError for a file that is not a table."""
    frame = read_table(source, name)
    file = name or (str(source) if isinstance(source, Path) else "upload")
    columns = [c.strip() for c in frame.columns]
    frame.columns = columns
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return ImportResult(
            [
                Problem(
                    file,
                    None,
                    c,
                    f"missing column; expected the columns {', '.join(CSV_COLUMNS)} (as `followup export` writes them)",
                )
                for c in missing
            ],
            0,
            0,
        )
    problems = [
        Problem(file, None, c, "unknown column, ignored", severity="warning") for c in columns if c not in CSV_COLUMNS
    ]
    current = {(e.target_kind, e.target_id): e for e in _entries(engine)}
    planned, seen = [], {}
    sheet = Sheet.of(frame)
    rows = sheet.text.to_dict("records")
    for position in sheet.positions():
        line, row = sheet_row(position), rows[position]
        target, changes, expected, found = _row_changes(row, columns, file, line, targets, current)
        if target in seen and target[1]:
            found.append(
                Problem(
                    file,
                    line,
                    "target_id",
                    f"the same target as row {seen[target]}; one row per entry",
                    record_id=target[1][:100],
                )
            )
        seen.setdefault(target, line)
        problems += found
        planned.append((target, changes, expected))
    if any(p.severity == "error" for p in problems):
        return ImportResult(problems, 0, 0)
    now = now or datetime.now(UTC)
    saved = 0
    try:
        with engine.begin() as connection:
            require_role(connection, by, EDIT_ROLES)
            for (kind, target_id), changes, expected in planned:
                entry = apply_change(connection, kind, target_id, changes, expected, by, now)
                saved += entry.version != expected
    except (Conflict, Raced, IntegrityError, InvalidChange):
        return ImportResult(
            problems
            + [
                Problem(
                    file,
                    None,
                    None,
                    "someone saved follow-up entries while the file "
                    "was being imported; nothing was imported: run the import again",
                )
            ],
            0,
            0,
        )
    return ImportResult(problems, saved, len(planned) - saved)


def _entries(engine: Engine) -> list[Entry]:
    frame = entries_frame(engine)
    return [
        Entry(**{c: (None if pd.isna(v) else v) if c in ("target_date", "changed_at") else v for c, v in row.items()})
        for row in frame.to_dict("records")
    ]


# ----------------------------------------------------------------------------------------------- backup

BACKUP_FORMAT = "gift-dash-followup-backup"
BACKUP_VERSION = 1
# In the order a restore inserts them.
_TABLES = {"users": users, "account_history": account_history, "entries": entries, "history": history}


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def backup(engine: Engine) -> dict:
    """Everything in the store but live sessions, as one JSON-able document (password hashes included: keep the
    file as safe as the database)."""
    with reading(engine) as connection:
        tables = {
            key: [
                {k: _jsonable(v) for k, v in row._mapping.items()}
                for row in connection.execute(select(table).order_by(table.c.id))
            ]
            for key, table in _TABLES.items()
        }
    return {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "schema_revision": current_revision(engine),
        "made_at": datetime.now(UTC).isoformat(),
        **tables,
    }


def write_backup(engine: Engine, path: Path) -> dict[str, int]:
    """The backup written to ``path`` atomically (never into the data folder)."""
    document = backup(engine)
    write_output(path, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"), private=True)
    return {key: len(document[key]) for key in _TABLES}


class RestoreRefused(ValueError):
    """A restore that would replace data without --force, or a file that is not a backup; nothing changed."""


def store_counts(engine: Engine) -> dict[str, int]:
    with reading(engine) as connection:
        return {
            key: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for key, table in _TABLES.items()
        }


def _typed(table, row: dict) -> dict:
    out = {}
    for column in table.columns:
        value = row.get(column.name)
        # By the column's type, so a moment added to a table later is restored as one too.
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        out[column.name] = value
    return out


def restore(engine: Engine, path: Path, targets: Targets, force: bool = False) -> dict[str, int]:
    """Replace the store's contents with a backup, in one transaction, after checking every value in it (against
    the codebook, the schema and ``targets``) and that its history replays to its entries: all or nothing. Into a
    store that holds anything, only with ``force`` (the caller keeps a backup of what is replaced)."""
    try:
        document = json.loads(read_bytes(path, MAX_BACKUP_BYTES).decode("utf-8"))
    except (ReadError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RestoreRefused(f"{path}: not a readable backup ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise RestoreRefused(f"{path}: not a follow-up backup (made by `python -m gift_dash followup backup`)")
    if document.get("version") != BACKUP_VERSION or document.get("schema_revision") != current_revision(engine):
        raise RestoreRefused(
            f"{path}: a backup of format {document.get('version')} / schema "
            f"{document.get('schema_revision')}; this store reads format {BACKUP_VERSION} / schema "
            f"{current_revision(engine)}"
        )
    if not force and any(store_counts(engine).values()):
        raise RestoreRefused(
            "the store is not empty: a restore would replace its entries, history and accounts; "
            "add --force to do it (a backup of what is there now is written first)"
        )
    problems = check_backup(document, targets)
    if problems:
        shown = "\n".join(f"  {path}: {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        raise RestoreRefused(
            f"{path}: {len(problems)} problem(s) in the backup; nothing restored:\n{shown}"
            + (f"\n  … and {more} more" if more > 0 else "")
        )
    rows = {key: [_typed(table, row) for row in document[key]] for key, table in _TABLES.items()}
    try:
        with engine.begin() as connection:
            for table in (sessions, sign_in_throttle, history, entries, account_history, users):
                connection.execute(delete(table))
            for key, table in _TABLES.items():
                if rows[key]:
                    connection.execute(insert(table), rows[key])
            _reset_sequences(connection)
    except IntegrityError as exc:
        raise RestoreRefused(f"{path}: a damaged backup ({exc.orig}); nothing restored") from None
    return {key: len(value) for key, value in rows.items()}


MAX_PROBLEMS_SHOWN = 20
ACCOUNT_ACTIONS = ("created", "role", "password", "deactivated", "reactivated")


def check_backup(document: dict, targets: Targets) -> list[str]:
    """Everything wrong with a backup's contents, each naming the table, the row (and its entry) and the field:
    accounts (names, roles, hashes), entries (targets, statuses, dates, texts, versions, who), history rows (their
    entry, field, version), and whether the history, replayed, gives the entries."""
    problems: list[str] = []
    tables = {}
    for key in _TABLES:
        rows = document.get(key)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            problems.append(f"{key}: missing, or not a list of rows; every backup has it")
        else:
            tables[key] = rows
    if problems:
        return problems

    def bad(key: str, i: int, field: str, message: str, about: str = "") -> None:
        problems.append(f"{key}[{i}]{about}, {field}: {message}")

    names = set()
    for i, row in enumerate(tables["users"]):
        name = row.get("name")
        if not isinstance(name, str) or not name or name in names:
            bad("users", i, "name", f"expected a unique account name, got {str(name)[:40]!r}")
        names.add(name)
        if row.get("role") not in ROLES:
            bad("users", i, "role", f"unknown role {str(row.get('role'))[:40]!r}; expected one of {', '.join(ROLES)}")
        if not str(row.get("password_hash", "")).startswith("$argon2"):
            bad("users", i, "password_hash", "expected an argon2 hash, as the store makes them")
        if not isinstance(row.get("active"), bool):
            bad("users", i, "active", "expected true or false")
        _check_moment("users", i, row, "created_at", bad)
    if not tables["users"]:
        problems.append("users: no account; nobody could sign in to a store restored from it (a backup holds them)")
    for i, row in enumerate(tables["account_history"]):
        if row.get("action") not in ACCOUNT_ACTIONS:
            bad("account_history", i, "action", f"expected one of {', '.join(ACCOUNT_ACTIONS)}")
        _check_moment("account_history", i, row, "changed_at", bad)
    entry_ids: dict[object, tuple[str, str]] = {}
    for i, row in enumerate(tables["entries"]):
        kind, target_id = row.get("target_kind"), row.get("target_id")
        about = f" ({kind} {str(target_id)[:100]})"
        where = targets.problem(str(kind), str(target_id))
        if where:
            bad("entries", i, "target_kind" if kind not in TARGET_KINDS else "target_id", where, about)
        if (kind, target_id) in entry_ids.values():
            bad("entries", i, "target_id", "a second entry for the same target", about)
        if not isinstance(row.get("id"), int) or row["id"] in entry_ids:
            bad("entries", i, "id", "expected a unique whole number", about)
        entry_ids[row.get("id")] = (kind, target_id)
        values = {}
        for field in FIELDS:
            value = row.get(field)
            if field == "target_date":
                try:
                    value = from_text(field, value or "")
                except (TypeError, ValueError):
                    bad("entries", i, field, f"expected a date as YYYY-MM-DD, got {str(value)[:40]!r}", about)
            elif field == "withdrawn" and not isinstance(value, bool):
                bad("entries", i, field, "expected true or false", about)
            elif field != "withdrawn" and not isinstance(value, str):
                bad("entries", i, field, "expected text", about)
                value = ""
            values[field] = value
        for field, message in validate_values(values).items():
            bad("entries", i, field, message, about)
        if not isinstance(row.get("version"), int) or row["version"] < 1:
            bad("entries", i, "version", "expected a whole number from 1", about)
        if row.get("changed_by") not in names:
            bad(
                "entries", i, "changed_by", f"no account named {str(row.get('changed_by'))[:40]!r} in the backup", about
            )
        _check_moment("entries", i, row, "changed_at", bad, about)
    for i, row in enumerate(tables["history"]):
        if row.get("entry_id") not in entry_ids:
            bad("history", i, "entry_id", "no entry with this id in the backup")
        if row.get("field") not in FIELDS:
            bad("history", i, "field", f"expected one of {', '.join(FIELDS)}")
        if not isinstance(row.get("version"), int) or not all(isinstance(row.get(k), str) for k in ("before", "after")):
            bad("history", i, "version/before/after", "expected a whole number and two texts")
        if row.get("changed_by") not in names:
            bad("history", i, "changed_by", f"no account named {str(row.get('changed_by'))[:40]!r} in the backup")
        _check_moment("history", i, row, "changed_at", bad)
    if problems:
        return problems
    return _check_replay(tables, entry_ids)


def _check_moment(key: str, i: int, row: dict, field: str, bad, about: str = "") -> None:
    try:
        datetime.fromisoformat(row[field])
    except (KeyError, TypeError, ValueError):
        bad(
            key,
            i,
            field,
            f"expected a moment as ISO 8601 (2026-12-07T10:00:00+00:00), got {str(row.get(field))[:40]!r}",
            about,
        )


def _check_replay(tables: dict, entry_ids: dict) -> list[str]:
    """The entries that the history gives, against the entries the backup holds: any difference is a problem."""
    changes = pd.DataFrame(
        [
            {
                "target_kind": entry_ids[row["entry_id"]][0],
                "target_id": entry_ids[row["entry_id"]][1],
                **{k: row[k] for k in HISTORY_COLUMNS if k not in ("target_kind", "target_id")},
            }
            for row in sorted(tables["history"], key=lambda r: r.get("id") or 0)
        ],
        columns=list(HISTORY_COLUMNS),
    )
    replayed = {(r["target_kind"], r["target_id"]): r for r in replay(changes).to_dict("records")}
    problems = []
    for i, row in enumerate(tables["entries"]):
        target = (row["target_kind"], row["target_id"])
        about = f" ({target[0]} {target[1]})"
        again = replayed.get(target)
        if again is None:
            problems.append(f"entries[{i}]{about}: no history; the history must hold every change to an entry")
            continue
        for field in (*FIELDS, "version"):
            held = row[field] if field != "target_date" else from_text(field, row[field] or "")
            if as_text(field, held) != as_text(field, again[field]):
                problems.append(
                    f"entries[{i}]{about}, {field}: the history replays to {as_text(field, again[field])[:40]!r}, "
                    f"the entry holds {as_text(field, held)[:40]!r}"
                )
    return problems


def _reset_sequences(connection) -> None:
    """PostgreSQL's id sequences do not see explicit ids: move them past the restored ones."""
    if connection.dialect.name != "postgresql":
        return
    for table in _TABLES.values():
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
        )
