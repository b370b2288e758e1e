"""copies.outcome: what ingesting the copy did (new | updated | unchanged), so a redone ingest counts the same

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("copies") as batch:
        batch.add_column(sa.Column("outcome", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("copies") as batch:
        batch.drop_column("outcome")
