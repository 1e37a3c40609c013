"""Indexes on a challenge's bid window (bid_opens_at, bid_closes_at), alone.

Every kept logged-in page (arena.web.page_cache) asks for the next window to open or close
anywhere, with its data version, on each request: MIN(...) WHERE ... > now, answered from these
indexes in a few pages' reads whatever the number of challenges. (The existing
ix_challenge_status_closes_at leads with the status, so it cannot answer a MIN over all of them.)

Revision ID: 20261204_01
Revises: 20261203_11
Create Date: 2026-12-04 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '20261204_01'
down_revision: str | None = '20261203_11'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_challenge_bid_opens_at', 'challenge', ['bid_opens_at'], unique=False)
    op.create_index('ix_challenge_bid_closes_at', 'challenge', ['bid_closes_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_challenge_bid_closes_at', table_name='challenge')
    op.drop_index('ix_challenge_bid_opens_at', table_name='challenge')
