"""The chair's summary opinion (专家组综合意见) on the panel: its text and when it was last saved.
Reviewed by hand: two nullable columns (panels closed before have none, and their frozen
snapshots verify as before), no index (read with the panel row only).

Revision ID: 20261203_06
Revises: 20261203_05
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261203_06'
down_revision: str | None = '20261203_05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chair_opinion', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('chair_opinion_at', advanced_alchemy.types.DateTimeUTC(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.drop_column('chair_opinion_at')
        batch_op.drop_column('chair_opinion')
