"""PostgreSQL: the audit chain's lock and its head in one statement, arena_audit_head(key).

Every write ends with its audit event, and on PostgreSQL every one of them queues on one
advisory lock while it reads the chain's head, inserts its event and commits (arena.audit.service).
The lock and the head were two statements, each a round trip through a busy event loop while
every other writer waited. In one PL/pgSQL function they are one: the function takes the lock,
then reads the head with a snapshot of its own (a VOLATILE function's statements each take a
fresh one under READ COMMITTED), so the head it returns includes the event of the writer that
held the lock before. A single SELECT could not do this: its snapshot would be taken before the
lock was granted. SQLite needs nothing: its writer holds the database's only write lock.

Revision ID: 20261204_02
Revises: 20261204_01
Create Date: 2026-12-04 18:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '20261204_02'
down_revision: str | None = '20261204_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION arena_audit_head(lock_key bigint) RETURNS TABLE (seq integer, hash varchar)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            RETURN QUERY SELECT e.seq, e.hash FROM audit_event AS e ORDER BY e.seq DESC LIMIT 1;
        END;
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS arena_audit_head(bigint)")
