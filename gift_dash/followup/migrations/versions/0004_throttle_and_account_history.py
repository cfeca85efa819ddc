"""Sign-in throttle per name and client address (instead of per account: anyone could lock out a named person,
and only real names were ever locked, which told strangers which accounts exist), and a history of what was done
to each account.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from gift_dash.followup.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
    )
    op.create_index("ix_app_user_history_account", "app_user_history", ["account"])
    op.create_table(
        "app_sign_in_throttle",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("last_failed_at", UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("app_user") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("failed_attempts")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", UTCDateTime(), nullable=True))
    op.drop_table("app_sign_in_throttle")
    op.drop_index("ix_app_user_history_account", "app_user_history")
    op.drop_table("app_user_history")
