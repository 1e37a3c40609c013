"""Challenges: drafts, rubric, eligibility, templates, amendments and stored files.

Reviewed by hand.

Revision ID: 20261124_02
Revises: 20261124_01
Create Date: 2026-11-24 19:16:16.620781
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261124_02'
down_revision: str | None = '20261124_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('challenge',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('goals', sa.Text(), nullable=False),
    sa.Column('deliverables', sa.Text(), nullable=False),
    sa.Column('field_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('owner_unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('organizer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('reward', sa.Text(), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('horse_race_teams', sa.Integer(), nullable=True),
    sa.Column('rank_min', sa.String(length=24), nullable=True),
    sa.Column('rank_max', sa.String(length=24), nullable=True),
    sa.Column('age_limit', sa.Integer(), nullable=True),
    sa.Column('bid_opens_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('bid_closes_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('max_score', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('pass_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('aggregation', sa.String(length=16), nullable=False),
    sa.Column('deviation_share', sa.Numeric(precision=4, scale=2), nullable=False),
    sa.Column('blind_review', sa.Boolean(), nullable=False),
    sa.Column('panel_size', sa.Integer(), nullable=False),
    sa.Column('panel_reserves', sa.Integer(), nullable=False),
    sa.Column('grade_excellent', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('grade_good', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('grade_qualified', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('published_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('cancelled_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('round_no', sa.Integer(), nullable=False),
    sa.Column('previous_round_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['field.id'], name=op.f('fk_challenge_field_id_field'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organizer_id'], ['user_account.id'], name=op.f('fk_challenge_organizer_id_user_account')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['unit.id'], name=op.f('fk_challenge_owner_unit_id_unit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['previous_round_id'], ['challenge.id'], name=op.f('fk_challenge_previous_round_id_challenge')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge')),
    sa.UniqueConstraint('number', name=op.f('uq_challenge_number'))
    )
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.create_index('ix_challenge_field_id_status', ['field_id', 'status'], unique=False)
        batch_op.create_index('ix_challenge_organizer_id_status', ['organizer_id', 'status'], unique=False)
        batch_op.create_index('ix_challenge_owner_unit_id_status', ['owner_unit_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_challenge_previous_round_id'), ['previous_round_id'], unique=False)
        batch_op.create_index('ix_challenge_status_closes_at', ['status', 'bid_closes_at'], unique=False)
        batch_op.create_index('ix_challenge_status_published_at', ['status', 'published_at'], unique=False)

    op.create_table('stored_file',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_stored_file_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_stored_file_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('challenge_amendment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('published_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_challenge_amendment_author_id_user_account')),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_challenge_amendment_challenge_id_challenge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_amendment')),
    sa.UniqueConstraint('challenge_id', 'seq', name=op.f('uq_challenge_amendment_challenge_id'))
    )
    op.create_table('challenge_attachment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_challenge_attachment_challenge_id_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_challenge_attachment_file_id_stored_file'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_attachment'))
    )
    with op.batch_alter_table('challenge_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenge_attachment_challenge_id'), ['challenge_id'], unique=False)

    op.create_table('challenge_checkpoint',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_challenge_checkpoint_challenge_id_challenge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_checkpoint')),
    sa.UniqueConstraint('challenge_id', 'position', name=op.f('uq_challenge_checkpoint_challenge_id'))
    )
    op.create_table('challenge_eligible_field',
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('field_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_challenge_eligible_field_challenge_id_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['field_id'], ['field.id'], name=op.f('fk_challenge_eligible_field_field_id_field'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('challenge_id', 'field_id', name=op.f('pk_challenge_eligible_field'))
    )
    op.create_table('challenge_eligible_unit',
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_challenge_eligible_unit_challenge_id_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_challenge_eligible_unit_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('challenge_id', 'unit_id', name=op.f('pk_challenge_eligible_unit'))
    )
    op.create_table('criterion',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('points', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_criterion_challenge_id_challenge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion'))
    )
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_index('ix_criterion_challenge_id_kind_position', ['challenge_id', 'kind', 'position'], unique=False)

    op.create_table('milestone_template',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('due_month', sa.Integer(), nullable=False),
    sa.Column('deliverable', sa.Text(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_milestone_template_challenge_id_challenge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_template')),
    sa.UniqueConstraint('challenge_id', 'position', name=op.f('uq_milestone_template_challenge_id'))
    )
    op.create_table('tolerance_case',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_tolerance_case_challenge_id_challenge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tolerance_case')),
    sa.UniqueConstraint('challenge_id', 'position', name=op.f('uq_tolerance_case_challenge_id'))
    )


def downgrade() -> None:
    op.drop_table('tolerance_case')
    op.drop_table('milestone_template')
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_index('ix_criterion_challenge_id_kind_position')

    op.drop_table('criterion')
    op.drop_table('challenge_eligible_unit')
    op.drop_table('challenge_eligible_field')
    op.drop_table('challenge_checkpoint')
    with op.batch_alter_table('challenge_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenge_attachment_challenge_id'))

    op.drop_table('challenge_attachment')
    op.drop_table('challenge_amendment')
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_stored_file_sha256'))

    op.drop_table('stored_file')
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_index('ix_challenge_status_published_at')
        batch_op.drop_index('ix_challenge_status_closes_at')
        batch_op.drop_index(batch_op.f('ix_challenge_previous_round_id'))
        batch_op.drop_index('ix_challenge_owner_unit_id_status')
        batch_op.drop_index('ix_challenge_organizer_id_status')
        batch_op.drop_index('ix_challenge_field_id_status')

    op.drop_table('challenge')
