"""Publicity, objections, the award and what follows it: projects with their commitment and
binding milestones, progress reports and assessments, plan changes, fault-tolerance requests,
the assessors of a challenge, and horse-race checkpoint decisions (columns on the checkpoint).
A review result may now be superseded (a review reopened after an upheld objection), so a panel
can hold several, the latest current. Reviewed by hand: every table has the indexes its lists
filter on; downgrading refuses while a panel holds more than one result.

Revision ID: 20261201_01
Revises: 20261125_03
Create Date: 2026-12-01 23:31:33.390314
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261201_01'
down_revision: str | None = '20261125_03'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('challenge_assessor',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('expert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('assigned_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('assigned_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_challenge_assessor_assigned_by_id_user_account')),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_challenge_assessor_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_challenge_assessor_expert_id_expert'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_assessor')),
    sa.UniqueConstraint('challenge_id', 'expert_id', name=op.f('uq_challenge_assessor_challenge_id'))
    )
    with op.batch_alter_table('challenge_assessor', schema=None) as batch_op:
        batch_op.create_index('ix_challenge_assessor_expert_id', ['expert_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lead_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('awarded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('awarded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commitment_content', sa.Text(), nullable=False),
    sa.Column('commitment_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('eliminated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('acceptance_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('grade', sa.String(length=16), nullable=True),
    sa.Column('concluded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['awarded_by_id'], ['user_account.id'], name=op.f('fk_project_awarded_by_id_user_account')),
    sa.ForeignKeyConstraint(['bid_id'], ['bid.id'], name=op.f('fk_project_bid_id_bid'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_project_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lead_id'], ['cadre.id'], name=op.f('fk_project_lead_id_cadre'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_project_signed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('bid_id', name=op.f('uq_project_bid_id'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index('ix_project_challenge_id_status', ['challenge_id', 'status'], unique=False)
        batch_op.create_index('ix_project_lead_id_status', ['lead_id', 'status'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('deliverable', sa.Text(), nullable=False),
    sa.Column('kpi', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_milestone_project_id_project'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone')),
    sa.UniqueConstraint('project_id', 'position', name=op.f('uq_milestone_project_id'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_status_due_on', ['status', 'due_on'], unique=False)

    op.create_table('plan_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('decided_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_plan_change_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_plan_change_project_id_project'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_plan_change_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_change'))
    )
    with op.batch_alter_table('plan_change', schema=None) as batch_op:
        batch_op.create_index('ix_plan_change_project_id_status', ['project_id', 'status'], unique=False)

    op.create_table('publicity',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('results_sha256', sa.String(length=64), nullable=False),
    sa.Column('winners', sa.Text(), nullable=False),
    sa.Column('excluded', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('published_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('ends_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('closed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_publicity_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_publicity_published_by_id_user_account')),
    sa.ForeignKeyConstraint(['result_id'], ['review_result.id'], name=op.f('fk_publicity_result_id_review_result'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity')),
    sa.UniqueConstraint('challenge_id', 'seq', name=op.f('uq_publicity_challenge_id'))
    )
    with op.batch_alter_table('publicity', schema=None) as batch_op:
        batch_op.create_index('ix_publicity_status_ends_at', ['status', 'ends_at'], unique=False)

    op.create_table('objection',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('challenge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('publicity_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('objector_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=True),
    sa.Column('target_bid_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('answered_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_objection_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_objection_challenge_id_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['objector_id'], ['user_account.id'], name=op.f('fk_objection_objector_id_user_account')),
    sa.ForeignKeyConstraint(['publicity_id'], ['publicity.id'], name=op.f('fk_objection_publicity_id_publicity'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['target_bid_id'], ['bid.id'], name=op.f('fk_objection_target_bid_id_bid'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection')),
    sa.UniqueConstraint('challenge_id', 'seq', name=op.f('uq_objection_challenge_id'))
    )
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.create_index('ix_objection_challenge_id_status', ['challenge_id', 'status'], unique=False)
        batch_op.create_index('ix_objection_objector_id', ['objector_id'], unique=False)
        batch_op.create_index('ix_objection_publicity_id_status', ['publicity_id', 'status'], unique=False)

    op.create_table('progress_report',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('milestone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('kpi_values', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_progress_report_milestone_id_milestone'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_progress_report_project_id_project'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_progress_report_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_report')),
    sa.UniqueConstraint('milestone_id', 'seq', name=op.f('uq_progress_report_milestone_id'))
    )
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.create_index('ix_progress_report_project_id_status', ['project_id', 'status'], unique=False)
        batch_op.create_index('ix_progress_report_status_submitted_at', ['status', 'submitted_at'], unique=False)

    op.create_table('tolerance_request',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('milestone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('opinion_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('opinion_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decided_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['tolerance_case.id'], name=op.f('fk_tolerance_request_case_id_tolerance_case'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_tolerance_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_tolerance_request_milestone_id_milestone'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['opinion_by_id'], ['user_account.id'], name=op.f('fk_tolerance_request_opinion_by_id_user_account')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_tolerance_request_project_id_project'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_tolerance_request_submitted_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tolerance_request'))
    )
    with op.batch_alter_table('tolerance_request', schema=None) as batch_op:
        batch_op.create_index('ix_tolerance_request_milestone_id', ['milestone_id'], unique=False)
        batch_op.create_index('ix_tolerance_request_project_id', ['project_id'], unique=False)
        batch_op.create_index('ix_tolerance_request_status', ['status'], unique=False)

    op.create_table('assessment',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('report_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('assessor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('assessor_role', sa.String(length=16), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('assessed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['user_account.id'], name=op.f('fk_assessment_assessor_id_user_account')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_assessment_project_id_project'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['report_id'], ['progress_report.id'], name=op.f('fk_assessment_report_id_progress_report'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment')),
    sa.UniqueConstraint('report_id', name=op.f('uq_assessment_report_id'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_project_id', ['project_id'], unique=False)

    op.create_table('objection_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('objection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_objection_evidence_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['objection_id'], ['objection.id'], name=op.f('fk_objection_evidence_objection_id_objection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection_evidence'))
    )
    with op.batch_alter_table('objection_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_evidence_objection_id'), ['objection_id'], unique=False)

    op.create_table('report_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('report_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_report_evidence_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['report_id'], ['progress_report.id'], name=op.f('fk_report_evidence_report_id_progress_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_evidence'))
    )
    with op.batch_alter_table('report_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_evidence_report_id'), ['report_id'], unique=False)

    op.create_table('tolerance_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('request_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_tolerance_evidence_file_id_stored_file'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['request_id'], ['tolerance_request.id'], name=op.f('fk_tolerance_evidence_request_id_tolerance_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tolerance_evidence'))
    )
    with op.batch_alter_table('tolerance_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tolerance_evidence_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('challenge_checkpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('ranking', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('eliminated_project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('keep_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_challenge_checkpoint_eliminated_project_id_project'), 'project', ['eliminated_project_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_challenge_checkpoint_decided_by_id_user_account'), 'user_account', ['decided_by_id'], ['id'])

    with op.batch_alter_table('review_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_review_result_panel_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_review_result_panel_id'), ['panel_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('review_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_result_panel_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_review_result_panel_id'), ['panel_id'])
        batch_op.drop_column('superseded_at')

    with op.batch_alter_table('challenge_checkpoint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_challenge_checkpoint_decided_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_challenge_checkpoint_eliminated_project_id_project'), type_='foreignkey')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('keep_reason')
        batch_op.drop_column('eliminated_project_id')
        batch_op.drop_column('ranking')
        batch_op.drop_column('status')

    with op.batch_alter_table('tolerance_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tolerance_evidence_request_id'))

    op.drop_table('tolerance_evidence')
    with op.batch_alter_table('report_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_evidence_report_id'))

    op.drop_table('report_evidence')
    with op.batch_alter_table('objection_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_evidence_objection_id'))

    op.drop_table('objection_evidence')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_project_id')

    op.drop_table('assessment')
    with op.batch_alter_table('tolerance_request', schema=None) as batch_op:
        batch_op.drop_index('ix_tolerance_request_status')
        batch_op.drop_index('ix_tolerance_request_project_id')
        batch_op.drop_index('ix_tolerance_request_milestone_id')

    op.drop_table('tolerance_request')
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_report_status_submitted_at')
        batch_op.drop_index('ix_progress_report_project_id_status')

    op.drop_table('progress_report')
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_index('ix_objection_publicity_id_status')
        batch_op.drop_index('ix_objection_objector_id')
        batch_op.drop_index('ix_objection_challenge_id_status')

    op.drop_table('objection')
    with op.batch_alter_table('publicity', schema=None) as batch_op:
        batch_op.drop_index('ix_publicity_status_ends_at')

    op.drop_table('publicity')
    with op.batch_alter_table('plan_change', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_change_project_id_status')

    op.drop_table('plan_change')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_status_due_on')

    op.drop_table('milestone')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_lead_id_status')
        batch_op.drop_index('ix_project_challenge_id_status')

    op.drop_table('project')
    with op.batch_alter_table('challenge_assessor', schema=None) as batch_op:
        batch_op.drop_index('ix_challenge_assessor_expert_id')

    op.drop_table('challenge_assessor')
