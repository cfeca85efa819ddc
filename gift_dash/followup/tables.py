"""The follow-up store's tables (SQLAlchemy Core): entries, their append-only history, users, what was done to\neach account, sign-in sessions and the sign-in throttle.

The migrations in ``migrations/versions`` create exactly these tables; tests/test_followup_store.py compares them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator):
    """A moment in UTC: SQLite keeps no time zone, so values are stored as UTC and read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the follow-up store; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

TARGET_KINDS = ("record", "activity")
ROLES = ("viewer", "editor", "admin")

entries = Table(
    "followup_entry",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("status", String(40), nullable=False),
    Column("responsible", Text, nullable=False, default=""),
    Column("target_date", Date, nullable=True),
    Column("notes", Text, nullable=False, default=""),
    Column("evidence", Text, nullable=False, default=""),
    Column("withdrawn", Boolean, nullable=False, default=False),
    Column("withdrawn_reason", Text, nullable=False, default=""),
    # Optimistic concurrency: a save names the version it started from and is refused when it moved on.
    Column("version", Integer, nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    UniqueConstraint("target_kind", "target_id", name="uq_followup_entry_target"),
    CheckConstraint("target_kind IN ('record', 'activity')", name="ck_followup_entry_kind"),
)

# Append-only: the store inserts rows and never updates or deletes them (see store.py).
history = Table(
    "followup_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_id", Integer, ForeignKey("followup_entry.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("field", String(40), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Index("ix_followup_history_entry", "entry_id", "version"),
)

users = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_sign_in_at", UTCDateTime(), nullable=True),  # the last successful sign-in (migration 0003)
    CheckConstraint("role IN ('viewer', 'editor', 'admin')", name="ck_app_user_role"),
)

# One row: which store this is (random, made with it) and a count of the statements that changed entries, bumped by
# triggers (migration 0002) in the writer's own transaction, whoever writes: a cheap fingerprint of the entries.
stamp = Table(
    "followup_stamp",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store", String(32), nullable=False),
    Column("changes", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="ck_followup_stamp_one_row"),
)

sessions = Table(
    "app_session",
    metadata,
    # The sha256 of the token, so a copy of the database does not hand out live sessions.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

# What was done to each account, appended like the entries' history: created, role and password changes,
# deactivation and reactivation (a password change records no value).
account_history = Table(
    "app_user_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account", String(100), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("action", String(32), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Index("ix_app_user_history_account", "account"),
)

# Failed sign-ins, counted per name as typed AND where they come from (the client's address): a stranger elsewhere
# cannot lock a named person out, and an unknown name is throttled exactly like a real one (migration 0004).
sign_in_throttle = Table(
    "app_sign_in_throttle",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("source", String(64), primary_key=True),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", UTCDateTime(), nullable=True),
    Column("last_failed_at", UTCDateTime(), nullable=False),
)
