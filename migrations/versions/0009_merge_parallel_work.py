"""merge the four parallel branches: imports, judge sign-in, publication, scheme details

Revision ID: 0009
Revises: 0005, 0006, 0007, 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

revision = "0009"
down_revision = ("0005", "0006", "0007", "0008")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
