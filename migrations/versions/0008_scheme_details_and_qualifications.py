"""scoring: scheme details (module scale, aspect step and tolerance table) and qualifications

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-23 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("criteria") as batch:
        batch.add_column(sa.Column("scale_to", sa.Numeric(precision=12, scale=4), nullable=True))
    with op.batch_alter_table("aspects") as batch:
        batch.add_column(sa.Column("step", sa.Numeric(precision=12, scale=4), nullable=True))
        batch.add_column(sa.Column("tolerance", sa.JSON(), nullable=True))
    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_stage_id", sa.Integer(), nullable=False),
        sa.Column("target_stage_id", sa.Integer(), nullable=False),
        sa.Column("division_id", sa.Integer(), nullable=False),
        sa.Column("source_team_id", sa.Integer(), nullable=False),
        sa.Column("target_team_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("event_record_id", BigId, nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["source_stage_id"], ["stages.id"],
                                name=op.f("fk_qualifications_source_stage_id_stages"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_stage_id"], ["stages.id"],
                                name=op.f("fk_qualifications_target_stage_id_stages"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["division_id"], ["divisions.id"],
                                name=op.f("fk_qualifications_division_id_divisions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_team_id"], ["teams.id"],
                                name=op.f("fk_qualifications_source_team_id_teams"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_team_id"], ["teams.id"],
                                name=op.f("fk_qualifications_target_team_id_teams"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
        sa.UniqueConstraint("target_stage_id", "source_team_id",
                            name=op.f("uq_qualifications_target_stage_id_source_team_id")),
    )
    with op.batch_alter_table("qualifications") as batch:
        batch.create_index(batch.f("ix_qualifications_source_stage_id"), ["source_stage_id"], unique=False)
        batch.create_index(batch.f("ix_qualifications_target_stage_id"), ["target_stage_id"], unique=False)
        batch.create_index(batch.f("ix_qualifications_division_id"), ["division_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qualifications") as batch:
        batch.drop_index(batch.f("ix_qualifications_division_id"))
        batch.drop_index(batch.f("ix_qualifications_target_stage_id"))
        batch.drop_index(batch.f("ix_qualifications_source_stage_id"))
    op.drop_table("qualifications")
    with op.batch_alter_table("aspects") as batch:
        batch.drop_column("tolerance")
        batch.drop_column("step")
    with op.batch_alter_table("criteria") as batch:
        batch.drop_column("scale_to")
