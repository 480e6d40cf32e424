"""judges' one-time sign-in invites and recusal overrides

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "judge_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("nonce_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], name=op.f("fk_judge_invites_device_id_devices"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["judge_id"], ["judges.id"], name=op.f("fk_judge_invites_judge_id_judges"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judge_invites")),
        sa.UniqueConstraint("nonce_fingerprint", name=op.f("uq_judge_invites_nonce_fingerprint")),
    )
    with op.batch_alter_table("judge_invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judge_invites_judge_id"), ["judge_id"], unique=False)

    op.create_table(
        "recusal_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("conflict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["judge_id"], ["judges.id"], name=op.f("fk_recusal_overrides_judge_id_judges"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["panel_id"], ["panels.id"], name=op.f("fk_recusal_overrides_panel_id_panels"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_recusal_overrides_team_id_teams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recusal_overrides")),
        sa.UniqueConstraint("judge_id", "team_id", name=op.f("uq_recusal_overrides_judge_id_team_id")),
    )
    with op.batch_alter_table("recusal_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recusal_overrides_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recusal_overrides_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recusal_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recusal_overrides_team_id"))
        batch_op.drop_index(batch_op.f("ix_recusal_overrides_panel_id"))
    op.drop_table("recusal_overrides")
    with op.batch_alter_table("judge_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judge_invites_judge_id"))
    op.drop_table("judge_invites")
