"""scoring: the result lifecycle per board (review sample and checks, public notice, signatures, final hash)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "result_lifecycles",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("ranked", sa.JSON(), nullable=False),
        sa.Column("sample_top", sa.JSON(), nullable=False),
        sa.Column("sample_random", sa.JSON(), nullable=False),
        sa.Column("recheck_all", sa.Boolean(), nullable=False),
        sa.Column("review_by", sa.String(length=64), nullable=False),
        sa.Column("review_at", STAMP, nullable=False),
        sa.Column("notice_by", sa.String(length=64), nullable=True),
        sa.Column("notice_at", STAMP, nullable=True),
        sa.Column("notice_ends_at", STAMP, nullable=True),
        sa.Column("chief_by", sa.String(length=64), nullable=True),
        sa.Column("chief_at", STAMP, nullable=True),
        sa.Column("chief_digest", sa.String(length=64), nullable=True),
        sa.Column("supervisor_by", sa.String(length=64), nullable=True),
        sa.Column("supervisor_at", STAMP, nullable=True),
        sa.Column("supervisor_digest", sa.String(length=64), nullable=True),
        sa.Column("final_by", sa.String(length=64), nullable=True),
        sa.Column("final_at", STAMP, nullable=True),
        sa.Column("final_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_result_lifecycles_board_id_boards"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("board_id", name=op.f("pk_result_lifecycles")),
    )
    op.create_table(
        "result_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(["board_id"], ["boards.id"], name=op.f("fk_result_checks_board_id_boards"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_result_checks_team_id_teams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_checks")),
        sa.UniqueConstraint("board_id", "team_id", name=op.f("uq_result_checks_board_id_team_id")),
    )
    with op.batch_alter_table("result_checks") as batch:
        batch.create_index(batch.f("ix_result_checks_board_id"), ["board_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("result_checks") as batch:
        batch.drop_index(batch.f("ix_result_checks_board_id"))
    op.drop_table("result_checks")
    op.drop_table("result_lifecycles")
