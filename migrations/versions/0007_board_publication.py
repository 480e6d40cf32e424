"""boards: publication details (reveal level, the rows as at a freeze)

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-23 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.add_column(sa.Column("reveal_level", sa.String(length=8), server_default="none", nullable=False))
        batch.add_column(sa.Column("frozen_rows", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.drop_column("frozen_at")
        batch.drop_column("frozen_rows")
        batch.drop_column("reveal_level")
