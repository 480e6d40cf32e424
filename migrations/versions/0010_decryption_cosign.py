"""boards: the supervisor's co-signature of decryption (who, when, which sheet revision it covers)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.add_column(sa.Column("cosigned_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cosigned_revision", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("boards") as batch:
        batch.drop_column("cosigned_revision")
        batch.drop_column("cosigned_at")
        batch.drop_column("cosigned_by")
