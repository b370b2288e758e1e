"""index articles (deleted_at, sort_at): live articles newest first and tombstones by time, never a full scan

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_deleted", "articles", ["deleted_at", "sort_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_articles_deleted", table_name="articles")
