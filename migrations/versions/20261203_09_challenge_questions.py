"""Questions and answers during the bid window (答疑): the challenge_question table.
Reviewed by hand: a new table only. The asker (asked_by_id) is kept for the organizer and the
audit trail; the public reads answered rows by (challenge_id, status), an asker their own by
(asked_by_id, challenge_id).

Revision ID: 20261203_09
Revises: 20261203_08
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261203_09'
down_revision: str | None = '20261203_08'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        'challenge_question',
        sa.Column('id', ID, sa.Identity(always=False, start=1, increment=1), nullable=False),
        sa.Column('challenge_id', ID, nullable=False),
        sa.Column('asked_by_id', ID, nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('asked_at', WHEN, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_at', WHEN, nullable=True),
        sa.Column('answered_by_id', ID, nullable=True),
        sa.Column('close_reason', sa.Text(), nullable=True),
        sa.Column('created_at', WHEN, nullable=False),
        sa.Column('updated_at', WHEN, nullable=False),
        sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'],
                                name=op.f('fk_challenge_question_challenge_id_challenge'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['asked_by_id'], ['user_account.id'],
                                name=op.f('fk_challenge_question_asked_by_id_user_account')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'],
                                name=op.f('fk_challenge_question_answered_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_question')),
    )
    with op.batch_alter_table('challenge_question', schema=None) as batch_op:
        batch_op.create_index('ix_challenge_question_challenge_id_status', ['challenge_id', 'status'], unique=False)
        batch_op.create_index('ix_challenge_question_asked_by_id_challenge_id', ['asked_by_id', 'challenge_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('challenge_question', schema=None) as batch_op:
        batch_op.drop_index('ix_challenge_question_asked_by_id_challenge_id')
        batch_op.drop_index('ix_challenge_question_challenge_id_status')
    op.drop_table('challenge_question')
