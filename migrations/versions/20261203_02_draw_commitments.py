"""Draw commitments with a frozen candidate list and outside randomness (DESIGN §5).

One row per published commitment of a panel's draw (the first, its replacements with their
reasons, supplementary draws). Panels that exist before this revision get one commitment each,
method "seed": they were drawn (or committed) by the old rule, the seed alone, and keep
verifying by it. An old panel not drawn yet has no frozen list: its organizer re-commits under
the new rule before drawing.

Revision ID: 20261203_02
Revises: 20261203_01
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '20261203_02'
down_revision: str | None = '20261203_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
UTC = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table('draw_commitment',
    sa.Column('id', ID, sa.Identity(always=False, start=1, increment=1), nullable=False),
    sa.Column('panel_id', ID, nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('reserves', sa.Integer(), nullable=False),
    sa.Column('seed_commitment', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('candidates', sa.Text(), nullable=True),
    sa.Column('candidates_sha256', sa.String(length=64), nullable=True),
    sa.Column('beacon_source', sa.String(length=100), nullable=True),
    sa.Column('beacon_date', sa.Date(), nullable=True),
    sa.Column('beacon', sa.String(length=200), nullable=True),
    sa.Column('beacon_by_id', ID, nullable=True),
    sa.Column('committed_at', UTC, nullable=False),
    sa.Column('committed_by_id', ID, nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('replaced_at', UTC, nullable=True),
    sa.Column('drawn_at', UTC, nullable=True),
    sa.Column('drawn', sa.Text(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['beacon_by_id'], ['user_account.id'],
                            name=op.f('fk_draw_commitment_beacon_by_id_user_account')),
    sa.ForeignKeyConstraint(['committed_by_id'], ['user_account.id'],
                            name=op.f('fk_draw_commitment_committed_by_id_user_account')),
    sa.ForeignKeyConstraint(['panel_id'], ['panel.id'], name=op.f('fk_draw_commitment_panel_id_panel'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draw_commitment')),
    sa.UniqueConstraint('panel_id', 'ordinal', name=op.f('uq_draw_commitment_panel_id'))
    )
    # Every existing panel: its one commitment, by the old rule (seed alone, no beacon).
    op.execute(
        "INSERT INTO draw_commitment (panel_id, ordinal, kind, method, status, seats, reserves, seed_commitment,"
        " seed, candidates, candidates_sha256, committed_at, drawn_at, drawn, created_at, updated_at)"
        " SELECT id, 1, 'panel', 'seed', CASE WHEN drawn_at IS NULL THEN 'open' ELSE 'drawn' END, size, reserves,"
        " seed_commitment, seed, candidates, candidates_sha256, committed_at, drawn_at, drawn, created_at,"
        " updated_at FROM panel")


def downgrade() -> None:
    op.drop_table('draw_commitment')
