"""When each account last signed in, for the admins' list of accounts (empty until its next sign-in).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from gift_dash.followup.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("last_sign_in_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("last_sign_in_at")
