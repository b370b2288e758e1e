"""postgresql: content hashes are ``sha256:<64 hex>`` (71 characters); widen their columns

SQLite ignores VARCHAR lengths, so only PostgreSQL ever refused them.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COLUMNS = (("articles", "content_hash", False), ("deliveries", "delivered_hash", True),
            ("deliveries", "sending_hash", True))


def upgrade() -> None:
    for table, column, nullable in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(64), type_=sa.String(100), existing_nullable=nullable)


def downgrade() -> None:
    for table, column, nullable in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.String(100), type_=sa.String(64), existing_nullable=nullable)
