"""Sealed sheets: the salt of each sheet's last submit, so the salted commitment in the audit
event can be checked against the frozen snapshot after the panel closes. Reviewed by hand.

Revision ID: 20261203_03
Revises: 20261203_02
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '20261203_03'
down_revision: str | None = '20261203_02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: sheets submitted before sealing have none; their snapshots verify as before.
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('salt', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_column('salt')
