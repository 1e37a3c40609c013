"""Records decided by the organization department (组织部门), heard and published first.

Reviewed by hand. New tables: org_department (its scope's root unit, notice contacts and the
hearing and 公示 periods in working days) with its members; record_opinion (the organizer's and
inspectors' opinions), record_statement with its evidence (陈述申辩), record_objection (异议 to a
record's 公示). New record columns: origin, the deciding department, the hearing and publicity
periods, effective_at, and when/why/by whom a record was withdrawn or revoked.

Data: records approved before this change took effect at once (the organizer approved them, no
公示 existed): status 'approved' becomes 'effective' with effective_at = decided_at; their
certificates stay valid. An active rule that made a horse-race elimination propose an
accountability record (诫勉, 岗位调整, 岗位退出) is switched off: losing a race is not misconduct.
Existing open proposals get no department (none exists yet): the admin is told to set them up.

Revision ID: 20261203_11
Revises: 20261203_10
Create Date: 2026-12-03 21:04:40.873165
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261203_11'
down_revision: str | None = '20261203_10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('org_department',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('supervision_phone', sa.String(length=32), server_default='', nullable=False),
    sa.Column('contact_person', sa.String(length=50), server_default='', nullable=False),
    sa.Column('contact_phone', sa.String(length=32), server_default='', nullable=False),
    sa.Column('address', sa.String(length=200), server_default='', nullable=False),
    sa.Column('hearing_days', sa.Integer(), server_default='5', nullable=False),
    sa.Column('publicity_days', sa.Integer(), server_default='5', nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_org_department_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_department')),
    sa.UniqueConstraint('name', name=op.f('uq_org_department_name')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_org_department_unit_id'))
    )
    op.create_table('org_department_member',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('org_department_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_department_id'], ['org_department.id'], name=op.f('fk_org_department_member_org_department_id_org_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_org_department_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_department_member')),
    sa.UniqueConstraint('org_department_id', 'user_id', name=op.f('uq_org_department_member_org_department_id'))
    )
    with op.batch_alter_table('org_department_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_department_member_user_id'), ['user_id'], unique=False)

    op.create_table('record_objection',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('objector_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('answered_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_record_objection_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['objector_id'], ['user_account.id'], name=op.f('fk_record_objection_objector_id_user_account')),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_record_objection_record_id_record'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_objection')),
    sa.UniqueConstraint('record_id', 'seq', name=op.f('uq_record_objection_record_id'))
    )
    with op.batch_alter_table('record_objection', schema=None) as batch_op:
        batch_op.create_index('ix_record_objection_objector_id', ['objector_id'], unique=False)
        batch_op.create_index('ix_record_objection_record_id_status', ['record_id', 'status'], unique=False)

    op.create_table('record_opinion',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('given_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_record_opinion_author_id_user_account')),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_record_opinion_record_id_record'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_opinion'))
    )
    with op.batch_alter_table('record_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_opinion_record_id'), ['record_id'], unique=False)

    op.create_table('record_statement',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('record_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('revised_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], name=op.f('fk_record_statement_record_id_record'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_statement')),
    sa.UniqueConstraint('record_id', name=op.f('uq_record_statement_record_id'))
    )
    op.create_table('record_statement_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_record_statement_evidence_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['statement_id'], ['record_statement.id'], name=op.f('fk_record_statement_evidence_statement_id_record_statement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_statement_evidence'))
    )
    with op.batch_alter_table('record_statement_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_statement_evidence_statement_id'), ['statement_id'], unique=False)

    # Plain ADD COLUMNs: on SQLite a batch with create_foreign_key would copy the table, and
    # dropping the old `record` fails while certificates point to it. SQLite takes the two
    # foreign keys inline in ADD COLUMN (named, as the models name them); PostgreSQL as constraints.
    ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
    WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('record', sa.Column('origin', sa.String(length=16), server_default='rule', nullable=False))
    if sqlite:
        op.execute("ALTER TABLE record ADD COLUMN org_department_id INTEGER CONSTRAINT "
                   "fk_record_org_department_id_org_department REFERENCES org_department (id) ON DELETE RESTRICT")
    else:
        op.add_column('record', sa.Column('org_department_id', ID, sa.ForeignKey(
            'org_department.id', name=op.f('fk_record_org_department_id_org_department'), ondelete='RESTRICT'),
            nullable=True))
    for name, kind in (('hearing_started_at', WHEN), ('hearing_last_day', sa.Date()), ('hearing_ends_at', WHEN),
                       ('hearing_waived_at', WHEN), ('publicity_first_day', sa.Date()),
                       ('publicity_last_day', sa.Date()), ('publicity_ends_at', WHEN), ('effective_at', WHEN),
                       ('closed_at', WHEN), ('closed_reason', sa.Text())):
        op.add_column('record', sa.Column(name, kind, nullable=True))
    if sqlite:
        op.execute("ALTER TABLE record ADD COLUMN closed_by_id INTEGER CONSTRAINT "
                   "fk_record_closed_by_id_user_account REFERENCES user_account (id)")
    else:
        op.add_column('record', sa.Column('closed_by_id', ID, sa.ForeignKey(
            'user_account.id', name=op.f('fk_record_closed_by_id_user_account')), nullable=True))
    op.create_index('ix_record_org_department_id_status', 'record', ['org_department_id', 'status'], unique=False)
    op.create_index('ix_record_status_publicity_ends_at', 'record', ['status', 'publicity_ends_at'], unique=False)

    op.execute("UPDATE record SET status = 'effective', effective_at = decided_at WHERE status = 'approved'")
    op.execute("UPDATE record_rule SET active = false WHERE trigger = 'eliminated' "
               "AND record_type IN ('admonishment', 'post_adjustment', 'post_exit')")


def downgrade() -> None:
    # The new states have no older equivalent but 'approved' (decided by the organizer).
    op.execute("UPDATE record SET status = 'approved' WHERE status IN ('publicity', 'effective', 'revoked')")
    op.execute("UPDATE record SET status = 'proposed' WHERE status = 'hearing'")
    op.execute("UPDATE record SET status = 'rejected' WHERE status = 'withdrawn'")
    with op.batch_alter_table('record', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':  # SQLite: the inline keys go with their columns
            batch_op.drop_constraint(batch_op.f('fk_record_closed_by_id_user_account'), type_='foreignkey')
            batch_op.drop_constraint(batch_op.f('fk_record_org_department_id_org_department'), type_='foreignkey')
        batch_op.drop_index('ix_record_status_publicity_ends_at')
        batch_op.drop_index('ix_record_org_department_id_status')
        batch_op.drop_column('closed_by_id')
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('effective_at')
        batch_op.drop_column('publicity_ends_at')
        batch_op.drop_column('publicity_last_day')
        batch_op.drop_column('publicity_first_day')
        batch_op.drop_column('hearing_waived_at')
        batch_op.drop_column('hearing_ends_at')
        batch_op.drop_column('hearing_last_day')
        batch_op.drop_column('hearing_started_at')
        batch_op.drop_column('org_department_id')
        batch_op.drop_column('origin')

    with op.batch_alter_table('record_statement_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_statement_evidence_statement_id'))

    op.drop_table('record_statement_evidence')
    op.drop_table('record_statement')
    with op.batch_alter_table('record_opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_opinion_record_id'))

    op.drop_table('record_opinion')
    with op.batch_alter_table('record_objection', schema=None) as batch_op:
        batch_op.drop_index('ix_record_objection_record_id_status')
        batch_op.drop_index('ix_record_objection_objector_id')

    op.drop_table('record_objection')
    with op.batch_alter_table('org_department_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_department_member_user_id'))

    op.drop_table('org_department_member')
    op.drop_table('org_department')
