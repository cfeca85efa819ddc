"""A fingerprint of the entries: a one-row table whose count every statement that changes an entry bumps.

The app caches the entries frame under (store, changes) and reads only this row on each run. Triggers, not the
store's code, do the bump, so it holds for every writer: another process, a restore, a bulk load, psql.
On PostgreSQL the trigger fires BEFORE each statement: every writer locks the row before any entry row, so two
writers always take their locks in the same order and cannot deadlock (an import holds it for its transaction).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BUMP = "UPDATE followup_stamp SET changes = changes + 1 WHERE id = 1"
SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")  # SQLite has row triggers only


def upgrade() -> None:
    op.create_table(
        "followup_stamp",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("store", sa.String(32), nullable=False),
        sa.Column("changes", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_followup_stamp_one_row"),
    )
    # Random, so a store made again at the same address (a new file, a recreated database) never matches a
    # fingerprint cached from the old one.
    op.execute(
        sa.text("INSERT INTO followup_stamp (id, store, changes) VALUES (1, :store, 0)").bindparams(
            store=secrets.token_hex(16)
        )
    )
    if op.get_bind().dialect.name == "sqlite":
        for event in SQLITE_EVENTS:
            op.execute(
                f"CREATE TRIGGER followup_entry_stamp_{event.lower()} AFTER {event} ON followup_entry BEGIN {BUMP}; END"
            )
    else:
        op.execute(
            "CREATE FUNCTION followup_entry_stamp() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER followup_entry_stamp BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON followup_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION followup_entry_stamp()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER followup_entry_stamp_{event.lower()}")
    else:
        op.execute("DROP TRIGGER followup_entry_stamp ON followup_entry")
        op.execute("DROP FUNCTION followup_entry_stamp()")
    op.drop_table("followup_stamp")
