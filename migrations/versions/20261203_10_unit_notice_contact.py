"""The organizer unit's notice contact (公示与监督): unit.supervision_phone (监督电话),
contact_person (受理联系人), contact_phone (联系电话) and address (通讯地址), printed at the foot of
the unit's public notices (榜单公告 with its 更正公告, 结果公示).

Existing units get '' (nothing configured): their notices print no 监督与受理 block until the
admin fills it in, so nothing already published changes.

Revision ID: 20261203_10
Revises: 20261203_09
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '20261203_10'
down_revision: str | None = '20261203_09'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (('supervision_phone', 32), ('contact_person', 50), ('contact_phone', 32), ('address', 200))


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        for name, length in COLUMNS:
            # a plain ADD COLUMN on SQLite: a string default, not an expression that forces a table copy
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        for name, _length in reversed(COLUMNS):
            batch_op.drop_column(name)
