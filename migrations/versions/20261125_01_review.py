"""Expert review: declared conflicts, panels with their draw proof, seats, score sheets and scores,
frozen results, and the bid's review code (评审编号).

Reviewed by hand: explicit names for the two unique constraints of panel_seat (the naming
convention would give both the same name), and the check that a conflict names exactly one target.

Revision ID: 20261125_01
Revises: 20261124_04
Create Date: 2026-11-25 01:57:54.499973
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261125_01'
down_revision: str | None = '20261124_04'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('expert_conflict',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('expert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cadre_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint('(cadre_id IS NULL) <> (unit_id IS NULL)', name=op.f('ck_expert_conflict_one_target')),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_expert_conflict_cadre_id_cadre'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_expert_conflict_expert_id_expert'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_expert_conflict_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_conflict'))
    )
    with op.batch_alter_table('expert_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_conflict_expert_id'), ['expert_id'], unique=False)

    op.create_table('panel',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('reserves', sa.Integer(), nullable=False),
    sa.Column('trim_k', sa.Integer(), nullable=True),
    sa.Column('seed_commitment', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('committed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('drawn_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('candidates', sa.Text(), nullable=True),
    sa.Column('candidates_sha256', sa.String(length=64), nullable=True),
    sa.Column('drawn', sa.Text(), nullable=True),
    sa.Column('closed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('close_reason', sa.Text(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_panel_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel')),
    sa.UniqueConstraint('challenge_id', 'purpose', name=op.f('uq_panel_challenge_id'))
    )
    op.create_table('panel_seat',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('panel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('expert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('drawn_rank', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('is_chair', sa.Boolean(), nullable=False),
    sa.Column('invited_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('responded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_panel_seat_expert_id_expert'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_panel_seat_panel_id_panel'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_seat')),
    sa.UniqueConstraint('panel_id', 'drawn_rank', name='uq_panel_seat_panel_id_drawn_rank'),
    sa.UniqueConstraint('panel_id', 'expert_id', name='uq_panel_seat_panel_id_expert_id')
    )
    with op.batch_alter_table('panel_seat', schema=None) as batch_op:
        batch_op.create_index('ix_panel_seat_expert_id_status', ['expert_id', 'status'], unique=False)

    op.create_table('review_result',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('panel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('frozen_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('frozen_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_review_result_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['user_account.id'], name=op.f('fk_review_result_frozen_by_id_user_account')),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_review_result_panel_id_panel'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_result')),
    sa.UniqueConstraint('panel_id', name=op.f('uq_review_result_panel_id'))
    )
    with op.batch_alter_table('review_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_result_challenge_id'), ['challenge_id'], unique=False)

    op.create_table('score_sheet',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('panel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('expert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('total', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('recusal_reason', sa.Text(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_score_sheet_bid_id_bid'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_score_sheet_expert_id_expert'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_score_sheet_panel_id_panel'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_sheet')),
    sa.UniqueConstraint('panel_id', 'expert_id', 'bid_id', name=op.f('uq_score_sheet_panel_id'))
    )
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.create_index('ix_score_sheet_bid_id', ['bid_id'], unique=False)
        batch_op.create_index('ix_score_sheet_panel_id_expert_id', ['panel_id', 'expert_id'], unique=False)

    op.create_table('score',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('sheet_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('criterion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('value', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_score_criterion_id_criterion'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['sheet_id'], ['score_sheet.id'], name=op.f('fk_score_sheet_id_score_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score')),
    sa.UniqueConstraint('sheet_id', 'criterion_id', name=op.f('uq_score_sheet_id'))
    )
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_code', sa.String(length=8), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('bid', schema=None) as batch_op:
        batch_op.drop_column('review_code')

    op.drop_table('score')
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_index('ix_score_sheet_panel_id_expert_id')
        batch_op.drop_index('ix_score_sheet_bid_id')

    op.drop_table('score_sheet')
    with op.batch_alter_table('review_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_result_challenge_id'))

    op.drop_table('review_result')
    with op.batch_alter_table('panel_seat', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_seat_expert_id_status')

    op.drop_table('panel_seat')
    op.drop_table('panel')
    with op.batch_alter_table('expert_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_conflict_expert_id'))

    op.drop_table('expert_conflict')
