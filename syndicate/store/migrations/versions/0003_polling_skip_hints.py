"""polling: the RSS skipHours/skipDays a source's feed last stated

Kept per source so a 304 Not Modified answer (no body to read them from) still
honours them when the next fetch is scheduled.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skip_hours", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("skip_days", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("skip_days")
        batch_op.drop_column("skip_hours")
