"""scoring: schemes, panels, sheets, marks, boards

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:55:39.437608
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['skill_events.id'], name=op.f('fk_schemes_event_id_skill_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schemes')),
    sa.UniqueConstraint('event_id', name=op.f('uq_schemes_event_id'))
    )
    op.create_table('boards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('publication', sa.String(length=16), nullable=False),
    sa.Column('decrypted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_boards_division_id_divisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_boards_stage_id_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_boards_zone_id_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boards')),
    sa.UniqueConstraint('key', name=op.f('uq_boards_key'))
    )
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_boards_division_id'), ['division_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_boards_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_boards_zone_id'), ['zone_id'], unique=False)

    op.create_table('criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['criteria.id'], name=op.f('fk_criteria_parent_id_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['schemes.id'], name=op.f('fk_criteria_scheme_id_schemes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria')),
    sa.UniqueConstraint('scheme_id', 'code', name=op.f('uq_criteria_scheme_id_code'))
    )
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criteria_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('panels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_panels_division_id_divisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_panels_stage_id_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_panels_zone_id_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panels'))
    )
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panels_division_id'), ['division_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panels_stage_id'), ['stage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panels_zone_id'), ['zone_id'], unique=False)

    op.create_table('aspects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('max_mark', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], name=op.f('fk_aspects_criterion_id_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['schemes.id'], name=op.f('fk_aspects_scheme_id_schemes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aspects')),
    sa.UniqueConstraint('scheme_id', 'code', name=op.f('uq_aspects_scheme_id_code'))
    )
    with op.batch_alter_table('aspects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aspects_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aspects_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('board_snapshots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_snapshots_board_id_boards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_snapshots')),
    sa.UniqueConstraint('board_id', 'audience', 'version', name=op.f('uq_board_snapshots_board_id_audience_version'))
    )
    op.create_table('panel_judges',
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['judge_id'], ['judges.id'], name=op.f('fk_panel_judges_judge_id_judges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_judges_panel_id_panels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('panel_id', 'judge_id', name=op.f('pk_panel_judges'))
    )
    op.create_table('sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_sheets_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['judges.id'], name=op.f('fk_sheets_judge_id_judges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_sheets_panel_id_panels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_sheets_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheets')),
    sa.UniqueConstraint('judge_id', 'team_id', name=op.f('uq_sheets_judge_id_team_id'))
    )
    with op.batch_alter_table('sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheets_board_id'), ['board_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sheets_judge_id'), ['judge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sheets_panel_id'), ['panel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sheets_team_id'), ['team_id'], unique=False)

    op.create_table('marks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('submission_id', sa.String(length=36), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('aspect_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['aspect_id'], ['aspects.id'], name=op.f('fk_marks_aspect_id_aspects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_marks_board_id_boards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_marks_device_id_devices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['judge_id'], ['judges.id'], name=op.f('fk_marks_judge_id_judges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sheet_id'], ['sheets.id'], name=op.f('fk_marks_sheet_id_sheets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_marks_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marks')),
    sa.UniqueConstraint('sheet_id', 'aspect_id', 'revision', name=op.f('uq_marks_sheet_id_aspect_id_revision')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_marks_submission_id'))
    )
    with op.batch_alter_table('marks', schema=None) as batch_op:
        batch_op.create_index('ix_marks_board_id_id', ['board_id', 'id'], unique=False)

    op.create_table('panel_aspects',
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('aspect_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['aspect_id'], ['aspects.id'], name=op.f('fk_panel_aspects_aspect_id_aspects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_aspects_panel_id_panels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('panel_id', 'aspect_id', name=op.f('pk_panel_aspects'))
    )
    op.create_table('sheet_revisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_sheet_revisions_device_id_devices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sheet_id'], ['sheets.id'], name=op.f('fk_sheet_revisions_sheet_id_sheets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_revisions'))
    )
    with op.batch_alter_table('sheet_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_revisions_sheet_id'), ['sheet_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sheet_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheet_revisions_sheet_id'))

    op.drop_table('sheet_revisions')
    op.drop_table('panel_aspects')
    with op.batch_alter_table('marks', schema=None) as batch_op:
        batch_op.drop_index('ix_marks_board_id_id')

    op.drop_table('marks')
    with op.batch_alter_table('sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sheets_team_id'))
        batch_op.drop_index(batch_op.f('ix_sheets_panel_id'))
        batch_op.drop_index(batch_op.f('ix_sheets_judge_id'))
        batch_op.drop_index(batch_op.f('ix_sheets_board_id'))

    op.drop_table('sheets')
    op.drop_table('panel_judges')
    op.drop_table('board_snapshots')
    with op.batch_alter_table('aspects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aspects_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_aspects_criterion_id'))

    op.drop_table('aspects')
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panels_zone_id'))
        batch_op.drop_index(batch_op.f('ix_panels_stage_id'))
        batch_op.drop_index(batch_op.f('ix_panels_division_id'))

    op.drop_table('panels')
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criteria_scheme_id'))

    op.drop_table('criteria')
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_boards_zone_id'))
        batch_op.drop_index(batch_op.f('ix_boards_stage_id'))
        batch_op.drop_index(batch_op.f('ix_boards_division_id'))

    op.drop_table('boards')
    op.drop_table('schemes')
