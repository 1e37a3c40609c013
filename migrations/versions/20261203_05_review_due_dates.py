"""Review due dates (评审截止日期) and chases (催评): the panel's `due_on` (a Beijing day) and each
seat's last chase time `chased_at`, which throttles chases to one a day per seat. Reviewed by
hand: two nullable columns, no index (both are read with the panel or seat already loaded).
The new states (seat `replaced`, sheet `void`) are plain strings in existing columns, and the
worker's once-only reminders reuse `sent_reminder`, so neither needs a schema change.

Revision ID: 20261203_05
Revises: 20261203_04
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261203_05'
down_revision: str | None = '20261203_04'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
    with op.batch_alter_table('panel_seat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chased_at', advanced_alchemy.types.DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('panel_seat', schema=None) as batch_op:
        batch_op.drop_column('chased_at')
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.drop_column('due_on')
