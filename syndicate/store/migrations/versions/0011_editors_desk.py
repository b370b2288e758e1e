"""The editor's desk: an audit table, attribution overrides, deliveries held by hand, passes by start

Revision ID: 0011
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_table(
        "attribution_overrides",
        sa.Column("article_id", sa.String(64), primary_key=True),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
        sa.Column("reason", sa.Text),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("held_at", TZ, nullable=True))
    op.create_index("ix_passes_started", "passes", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_passes_started", table_name="passes")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("held_at")
    op.drop_table("attribution_overrides")
    op.drop_index("ix_audit_at", table_name="audit")
    op.drop_table("audit")
