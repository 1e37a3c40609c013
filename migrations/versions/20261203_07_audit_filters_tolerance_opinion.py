"""The inspector's week (issue 22): the audit log is filtered by date, so `audit_event.occurred_at`
gets an index; the inspector's fault-tolerance opinion becomes standard considerations
(`tolerance_request.opinion_considerations`, JSON text: each consideration's 是/否/不明确 and an
optional note) and a recommendation (`opinion_recommendation`: grant / refuse). Reviewed by hand.

Existing opinions are kept as they are, in `opinion`, which now holds the opinion's free text:
older requests show their opinion as free text with no considerations (both new columns null).
The index is created directly (no table copy: the audit table's triggers refuse updates).

Revision ID: 20261203_07
Revises: 20261203_06
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '20261203_07'
down_revision: str | None = '20261203_06'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_audit_event_occurred_at', 'audit_event', ['occurred_at'], unique=False)
    with op.batch_alter_table('tolerance_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opinion_considerations', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('opinion_recommendation', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tolerance_request', schema=None) as batch_op:
        batch_op.drop_column('opinion_recommendation')
        batch_op.drop_column('opinion_considerations')
    op.drop_index('ix_audit_event_occurred_at', table_name='audit_event')
