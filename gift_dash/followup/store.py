"""Follow-up entries and their history: read, save with optimistic versioning, withdraw, replay.

Every save is one transaction that checks the version it started from, writes the entry and appends one history
row per changed field; a crash before the commit leaves the store as it was. History rows are only ever inserted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime
from functools import lru_cache

import pandas as pd
from sqlalchemy import Connection, Engine, Row, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from gift_dash.data import DATA_DIR, load_codebook
from gift_dash.dimensions import STATUS
from gift_dash.followup.db import reading
from gift_dash.followup.tables import TARGET_KINDS, entries, history, stamp
from gift_dash.followup.users import EDIT_ROLES, require_role

STATUS_VOCABULARY = STATUS.joined.vocabulary  # the codebook vocabulary of statuses (the registry)
DEFAULT_STATUS = "not_started"
# The fields a person edits, in the order forms and exports show them; each change to one is a history row.
FIELDS = ("status", "responsible", "target_date", "notes", "evidence", "withdrawn", "withdrawn_reason")
FIELD_LABELS = {
    "status": "Status",
    "responsible": "Responsible bodies",
    "target_date": "Target date",
    "notes": "Notes",
    "evidence": "Evidence",
    "withdrawn": "Withdrawn",
    "withdrawn_reason": "Reason for withdrawing",
}
MAX_CHARS = {"responsible": 1_000, "notes": 10_000, "evidence": 10_000, "withdrawn_reason": 2_000}
_TARGET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")  # as record ids (schema._ID_RE)
TEXT_FIELDS = ("responsible", "notes", "evidence", "withdrawn_reason")
# Characters nobody means to keep in a note: control characters other than tab and line breaks (PostgreSQL refuses
# NUL outright, SQLite keeps it), and the bidirectional controls that make text read in another order than it is
# stored (U+202E shows what follows reversed). Refused alike on every database, with the character named.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TRUE_TEXT = "yes"  # how "withdrawn" reads in history and exports; not withdrawn is ""


@lru_cache(maxsize=1)
def statuses() -> dict[str, str]:
    """The status vocabulary of data/codebook.csv: value -> label, in codebook order."""
    return load_codebook(DATA_DIR / "codebook.csv").labels(STATUS_VOCABULARY)


@dataclass(frozen=True)
class Entry:
    """One follow-up entry as stored. ``version`` 0 means there is none yet (the defaults below)."""

    target_kind: str
    target_id: str
    status: str = DEFAULT_STATUS
    responsible: str = ""
    target_date: date | None = None
    notes: str = ""
    evidence: str = ""
    withdrawn: bool = False
    withdrawn_reason: str = ""
    version: int = 0
    changed_by: str = ""
    changed_at: datetime | None = None


ENTRY_COLUMNS = tuple(f.name for f in fields(Entry))


def as_text(field: str, value: object) -> str:
    """A field's value as history and exports keep it: dates ISO, withdrawn 'yes' or '', text as is."""
    if value is None:
        return ""
    if field == "withdrawn":
        return TRUE_TEXT if value else ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def from_text(field: str, text: str) -> object:
    """The inverse of as_text (raises ValueError for a date that is not YYYY-MM-DD)."""
    if field == "withdrawn":
        return text == TRUE_TEXT
    if field == "target_date":
        return date.fromisoformat(text) if text else None
    return text


class InvalidChange(ValueError):
    """A save with values the store does not accept; ``problems`` maps field -> what was expected."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))


@dataclass(frozen=True)
class Change:
    """One history row: who changed which field of an entry, when, from what to what."""

    version: int
    changed_by: str
    changed_at: datetime
    field: str
    before: str
    after: str


class Conflict(Exception):
    """Someone else saved the entry since this person opened it; nothing was written.

    ``current`` is the entry as it is now and ``theirs`` the changes made since the version the save started from.
    """

    def __init__(self, current: Entry, expected_version: int, theirs: list[Change]):
        self.current, self.expected_version, self.theirs = current, expected_version, theirs
        super().__init__(conflict_message(current, expected_version, theirs))


def conflict_message(current: Entry, expected_version: int, theirs: list[Change]) -> str:
    who = ", ".join(dict.fromkeys(c.changed_by for c in theirs)) or current.changed_by or "someone"
    when = current.changed_at.strftime("%Y-%m-%d %H:%M UTC") if current.changed_at else "meanwhile"
    lines = [
        f"Not saved: {who} changed this entry since you opened it (your version {expected_version}, now "
        f"{current.version}, last saved {when}). Their changes:"
    ]
    lines += [f"{c.field}: {c.before or '(empty)'} → {c.after or '(empty)'}" for c in theirs]
    lines.append("Your edits are still in the form: check them against the above and save again.")
    return "\n".join(lines)


def validate_target(kind: str, target_id: str) -> str | None:
    """What is wrong with a target's kind or id format (None when nothing); known ids are checked by targets.py."""
    if kind not in TARGET_KINDS:
        return f"unknown target kind {kind!r}; expected one of {', '.join(TARGET_KINDS)}"
    if not _TARGET_ID.fullmatch(target_id or ""):
        return (
            f"not a valid id: {target_id[:40]!r}; expected letters, digits and . _ : - (at most 100 "
            "characters, starting with a letter or digit)"
        )
    return None


def text_problem(text: str, limit: int) -> str | None:
    """What is wrong with a text a person wants stored (None when nothing): too long, or an unsafe character."""
    if len(text) > limit:
        return f"{len(text):,} characters; at most {limit:,} (shorten it)"
    found = _UNSAFE_CHARS.search(text)
    if found:
        char = found.group()
        name = unicodedata.name(char, "a control character")
        return f"character {found.start() + 1} is {name} (U+{ord(char):04X}), which is not stored; remove it"
    return None


def validate_values(values: dict[str, object]) -> dict[str, str]:
    """field -> problem for the values of a (merged) entry; empty when they can be stored."""
    problems = {}
    allowed = statuses()
    if values["status"] not in allowed:
        problems["status"] = f"unknown status {str(values['status'])[:40]!r}; expected one of {', '.join(allowed)}"
    for field in TEXT_FIELDS:
        problem = text_problem(str(values[field]), MAX_CHARS[field])
        if problem:
            problems[field] = problem
    if values["target_date"] is not None and not isinstance(values["target_date"], date):
        problems["target_date"] = "expected a date (YYYY-MM-DD)"
    if values["withdrawn"] and not str(values["withdrawn_reason"]).strip():
        problems["withdrawn_reason"] = "a withdrawn entry needs the reason it was withdrawn"
    if not values["withdrawn"] and str(values["withdrawn_reason"]).strip():
        problems["withdrawn_reason"] = "only a withdrawn entry has a reason for withdrawal"
    return problems


def _entry(row) -> Entry:
    return Entry(**{name: getattr(row, name) for name in ENTRY_COLUMNS})


def _select_entry(kind: str, target_id: str):
    return select(entries).where(and_(entries.c.target_kind == kind, entries.c.target_id == target_id))


def _read(connection: Connection, kind: str, target_id: str) -> tuple[Row | None, Entry]:
    """The row of a target's entry (None when never saved) and the entry: as stored, or the defaults (version 0)."""
    row = connection.execute(_select_entry(kind, target_id)).first()
    return row, _entry(row) if row is not None else Entry(kind, target_id)


def get(engine: Engine, kind: str, target_id: str) -> Entry:
    """The entry of a target, or an unsaved one with the defaults (version 0)."""
    with reading(engine) as connection:
        return _read(connection, kind, target_id)[1]


def _changes_since(connection, entry_id: int | None, version: int) -> list[Change]:
    if entry_id is None:
        return []
    rows = connection.execute(
        select(history).where(and_(history.c.entry_id == entry_id, history.c.version > version)).order_by(history.c.id)
    )
    return [Change(r.version, r.changed_by, r.changed_at, r.field, r.before, r.after) for r in rows]


def _conflict(connection: Connection, kind: str, target_id: str, expected_version: int) -> Conflict:
    """The refusal of a save from ``expected_version``: the entry as it is now and every change made since."""
    row, current = _read(connection, kind, target_id)
    return Conflict(current, expected_version, _changes_since(connection, row.id if row else None, expected_version))


def apply_change(
    connection: Connection,
    kind: str,
    target_id: str,
    changes: dict[str, object],
    expected_version: int,
    by: str,
    now: datetime,
) -> Entry:
    """The body of a save, inside the caller's transaction (the caller has checked ``by`` may edit)."""
    row, current = _read(connection, kind, target_id)
    if current.version != expected_version:
        raise _conflict(connection, kind, target_id, expected_version)  # reads it again: only a refusal pays
    if row is None and "status" not in changes:  # the default would record a status nobody chose
        raise InvalidChange({"status": "a new entry needs a status: choose one"})
    merged = {f: changes.get(f, getattr(current, f)) for f in FIELDS}
    problems = validate_values(merged)
    if problems:
        raise InvalidChange(problems)
    # A new entry's history starts from empty text, so replaying it from nothing gives the entry.
    before = {f: as_text(f, getattr(current, f)) if row is not None else "" for f in FIELDS}
    diff = [(f, before[f], as_text(f, merged[f])) for f in FIELDS if as_text(f, merged[f]) != before[f]]
    if not diff:
        return current
    version = expected_version + 1
    stamp = {"version": version, "changed_by": by, "changed_at": now}
    if row is None:
        entry_id = connection.execute(
            insert(entries).values(target_kind=kind, target_id=target_id, **merged, **stamp)
        ).inserted_primary_key[0]
    else:
        entry_id = row.id
        # The version in the WHERE clause is the guard: of two saves from one version, one updates a row.
        done = connection.execute(
            update(entries)
            .where(and_(entries.c.id == entry_id, entries.c.version == expected_version))
            .values(**merged, **stamp)
        )
        if done.rowcount != 1:
            raise Raced()
    connection.execute(
        insert(history), [{"entry_id": entry_id, "field": f, "before": b, "after": a, **stamp} for f, b, a in diff]
    )
    return replace(current, **merged, **stamp)


def check_fields(kind: str, target_id: str, changes: dict[str, object]) -> None:
    unknown = [f for f in changes if f not in FIELDS]
    if unknown:
        raise InvalidChange(
            {f: f"not a field of a follow-up entry; expected one of {', '.join(FIELDS)}" for f in unknown}
        )
    problem = validate_target(kind, target_id)
    if problem:
        raise InvalidChange({"target": problem})


def save(
    engine: Engine,
    kind: str,
    target_id: str,
    changes: dict[str, object],
    expected_version: int,
    by: str,
    now: datetime | None = None,
) -> Entry:
    """Apply ``changes`` (field -> new value) to the entry the person opened at ``expected_version``.

    Raises NotAllowed unless ``by`` is an active editor or admin, InvalidChange for values the store does not
    accept, Conflict when the entry moved on since ``expected_version``. Returns the entry as saved (unchanged
    when nothing differs).
    """
    check_fields(kind, target_id, changes)
    try:
        with engine.begin() as connection:
            require_role(connection, by, EDIT_ROLES)
            return apply_change(connection, kind, target_id, changes, expected_version, by, now or datetime.now(UTC))
    except (Raced, IntegrityError):
        # Another transaction created or saved the entry between our read and our write (PostgreSQL's read
        # committed); the unique target or the version guard refused ours. Report it like any other conflict.
        with reading(engine) as connection:
            raise _conflict(connection, kind, target_id, expected_version) from None


class Raced(Exception):
    """The version guard matched no row: another save won."""


def withdraw(engine: Engine, kind: str, target_id: str, reason: str, expected_version: int, by: str) -> Entry:
    """Withdraw an entry (nothing is deleted): it keeps its history and says why it was withdrawn."""
    return save(engine, kind, target_id, {"withdrawn": True, "withdrawn_reason": reason}, expected_version, by)


def entries_stamp(engine: Engine) -> str:
    """A fingerprint of every entry: it changes with each statement that changes one, whoever runs it (triggers of
    migration 0002 bump it in the writer's own transaction), and differs between stores. A cache keyed by it must
    read it *before* the entries: a save in between then leaves a newer frame under the older key, which no later
    run asks for (the count only grows), never an older frame under the newer key."""
    with reading(engine) as connection:
        row = connection.execute(select(stamp.c.store, stamp.c.changes)).one()
    return f"{row.store}:{row.changes}"


def entries_frame(engine: Engine) -> pd.DataFrame:
    """Every entry, one row each (ENTRY_COLUMNS), ordered by target: target_date holds dates (or None),
    changed_at UTC timestamps. Read through the driver and converted by column (10,000 entries in tens of ms;
    row by row through the column types it took ten times as long)."""
    query = select(*[entries.c[name] for name in ENTRY_COLUMNS]).order_by(entries.c.target_kind, entries.c.target_id)
    with reading(engine) as connection:
        rows = connection.exec_driver_sql(str(query.compile(dialect=connection.dialect))).fetchall()
    # By column from plain tuples: pandas probes each SQLAlchemy Row for attributes, which costs more than the read.
    values = list(zip(*rows, strict=True)) or [()] * len(ENTRY_COLUMNS)
    frame = pd.DataFrame(
        {column: pd.Series(list(v), dtype=object) for column, v in zip(ENTRY_COLUMNS, values, strict=True)}
    )
    for column in (
        "target_kind",
        "target_id",
        "status",
        "responsible",
        "notes",
        "evidence",
        "withdrawn_reason",
        "changed_by",
    ):
        frame[column] = frame[column].astype("str")
    frame["withdrawn"] = frame["withdrawn"].astype(bool)
    frame["version"] = frame["version"].astype("int64")
    # SQLite hands back text (stored as UTC without a zone), PostgreSQL aware datetimes: both become UTC.
    frame["changed_at"] = pd.to_datetime(frame["changed_at"], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
    frame["target_date"] = pd.Series(
        [date.fromisoformat(v) if isinstance(v, str) else v for v in frame["target_date"]],
        index=frame.index,
        dtype=object,
    )
    return frame


HISTORY_COLUMNS = ("target_kind", "target_id", "version", "changed_by", "changed_at", "field", "before", "after")


def history_frame(engine: Engine, kind: str | None = None, target_id: str | None = None) -> pd.DataFrame:
    """History rows (HISTORY_COLUMNS) in the order they were written; of one target when kind and id are given."""
    query = (
        select(
            entries.c.target_kind,
            entries.c.target_id,
            history.c.version,
            history.c.changed_by,
            history.c.changed_at,
            history.c.field,
            history.c.before,
            history.c.after,
        )
        .join(entries, entries.c.id == history.c.entry_id)
        .order_by(history.c.id)
    )
    if kind is not None:
        query = query.where(and_(entries.c.target_kind == kind, entries.c.target_id == target_id))
    with reading(engine) as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def replay(changes: pd.DataFrame) -> pd.DataFrame:
    """The entries that applying history rows (HISTORY_COLUMNS, in order) to an empty store gives, as
    entries_frame returns them: the check that the history holds every change."""
    state: dict[tuple[str, str], dict[str, object]] = {}
    for row in changes.itertuples(index=False):
        entry = state.setdefault((row.target_kind, row.target_id), {f: "" for f in FIELDS})
        entry[row.field] = row.after
        entry.update(version=row.version, changed_by=row.changed_by, changed_at=row.changed_at)
    out = [
        {
            "target_kind": kind,
            "target_id": target_id,
            **{f: from_text(f, v) if f in FIELDS else v for f, v in values.items()},
        }
        for (kind, target_id), values in sorted(state.items())
    ]
    return pd.DataFrame(out, columns=list(ENTRY_COLUMNS))
