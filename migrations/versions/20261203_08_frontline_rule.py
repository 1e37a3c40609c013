"""Frontline (基层一线) eligibility rule: challenge.require_frontline ("仅限基层一线干部").

Existing challenges get false (no such rule), so nothing already published changes. The fields
admin (领域管理) needs no schema change: field.name is already unique.

Revision ID: 20261203_08
Revises: 20261203_07
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '20261203_08'
down_revision: str | None = '20261203_07'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_frontline', sa.Boolean(), server_default='0', nullable=False))  # a plain ADD COLUMN on SQLite: a string default, not an expression that forces a table copy


def downgrade() -> None:
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_column('require_frontline')
