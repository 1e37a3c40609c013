"""Score sheets remember which open page saved them last (`editor`), so a page's submit is not
refused because its own autosave moved the revision a moment before. Reviewed by hand: one
nullable column, no index (it is only compared on the row being claimed).

Revision ID: 20261203_04
Revises: 20261203_03
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '20261203_04'
down_revision: str | None = '20261203_03'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('editor', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_column('editor')
