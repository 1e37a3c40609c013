"""A data version counter per cached view ("catalogue"), bumped with every change it covers.

Reviewed by hand. The row is created by the first change (an upsert), so no data is seeded.

Revision ID: 20261125_02
Revises: 20261125_01
Create Date: 2026-11-25 02:40:49.582193
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261125_02'
down_revision: str | None = '20261125_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('data_version',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    sa.UniqueConstraint('name', name=op.f('uq_data_version_name'))
    )


def downgrade() -> None:
    op.drop_table('data_version')
