"""The working-day calendar: years with an official arrangement and the days that break the
weekday rule. Reviewed by hand. Years chinese-calendar knows (2004–2026) are built in, not
copied here; rows hold what an admin enters (2027 on, or a correction).

Revision ID: 20261125_03
Revises: 20261125_02
Create Date: 2026-11-25 02:52:03.359950
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261125_03'
down_revision: str | None = '20261125_02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workday_exception',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workday_exception')),
    sa.UniqueConstraint('day', name=op.f('uq_workday_exception_day'))
    )
    op.create_table('workday_year',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workday_year')),
    sa.UniqueConstraint('year', name=op.f('uq_workday_year_year'))
    )


def downgrade() -> None:
    op.drop_table('workday_year')
    op.drop_table('workday_exception')
