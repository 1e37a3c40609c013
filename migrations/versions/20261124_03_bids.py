"""Bids: drafts, team members, proposed milestones, attachments, submitted versions, vetting.

Reviewed by hand.

Revision ID: 20261124_03
Revises: 20261124_02
Create Date: 2026-11-24 22:43:30.996454
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261124_03'
down_revision: str | None = '20261124_02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bid',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('submitted_version', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.Column('qualification_reason', sa.Text(), nullable=True),
    sa.Column('qualified_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('qualified_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_bid_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lead_id'], ['cadre.id'], name=op.f('fk_bid_lead_id_cadre'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['qualified_by_id'], ['user_account.id'], name=op.f('fk_bid_qualified_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid')),
    sa.UniqueConstraint('challenge_id', 'lead_id', name=op.f('uq_bid_challenge_id')),
    sa.UniqueConstraint('number', name=op.f('uq_bid_number'))
    )
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.create_index('ix_bid_challenge_id_status', ['challenge_id', 'status'], unique=False)
        batch_op.create_index('ix_bid_lead_id_status', ['lead_id', 'status'], unique=False)

    op.create_table('bid_attachment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_bid_attachment_bid_id_bid'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_bid_attachment_file_id_stored_file'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_attachment'))
    )
    with op.batch_alter_table('bid_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_attachment_bid_id'), ['bid_id'], unique=False)

    op.create_table('bid_member',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cadre_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('duty', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('responded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_bid_member_bid_id_bid'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_bid_member_cadre_id_cadre'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_bid_member_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_member')),
    sa.UniqueConstraint('bid_id', 'cadre_id', name=op.f('uq_bid_member_bid_id'))
    )
    with op.batch_alter_table('bid_member', schema=None) as batch_op:
        batch_op.create_index('ix_bid_member_cadre_id_challenge_id', ['cadre_id', 'challenge_id'], unique=False)

    op.create_table('bid_milestone',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('deliverable', sa.Text(), nullable=False),
    sa.Column('kpi', sa.Text(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_bid_milestone_bid_id_bid'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['milestone_template.id'], name=op.f('fk_bid_milestone_template_id_milestone_template'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_milestone')),
    sa.UniqueConstraint('bid_id', 'position', name=op.f('uq_bid_milestone_bid_id'))
    )
    op.create_table('bid_version',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version_no', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_bid_version_bid_id_bid'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_bid_version_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_version')),
    sa.UniqueConstraint('bid_id', 'version_no', name=op.f('uq_bid_version_bid_id'))
    )
    op.create_table('bid_vetting',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('inspector_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('decided_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_bid_vetting_bid_id_bid'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['inspector_id'], ['user_account.id'], name=op.f('fk_bid_vetting_inspector_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_vetting')),
    sa.UniqueConstraint('bid_id', name=op.f('uq_bid_vetting_bid_id'))
    )


def downgrade() -> None:
    op.drop_table('bid_vetting')
    op.drop_table('bid_version')
    op.drop_table('bid_milestone')
    with op.batch_alter_table('bid_member', schema=None) as batch_op:
        batch_op.drop_index('ix_bid_member_cadre_id_challenge_id')

    op.drop_table('bid_member')
    with op.batch_alter_table('bid_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_attachment_bid_id'))

    op.drop_table('bid_attachment')
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_index('ix_bid_lead_id_status')
        batch_op.drop_index('ix_bid_challenge_id_status')

    op.drop_table('bid')
