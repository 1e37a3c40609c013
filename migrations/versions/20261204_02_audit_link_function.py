"""PostgreSQL: an audit event appended in one statement, arena_audit_link(...).

Every write ends with its audit event, and on PostgreSQL every one of them queues on one
advisory lock while it reads the chain's head, inserts its event and commits (arena.audit.service).
Lock, head and insert were three statements, each a round trip through a busy event loop while
every other writer waited. Now the INSERT takes its link from this function: it takes the lock,
reads the head with a snapshot of its own (a VOLATILE function's statements each take a fresh
one under READ COMMITTED, so the head includes the event of the writer that held the lock
before; a plain SELECT beside the lock would read the head as it was before the lock was
granted, and fork the chain), and returns the new event's seq, prev_hash and hash. The hash is
SHA-256 over the event's canonical form, which the application writes around the link
(arena.audit.chain.around_link): the function only puts the link in. Verification stays in
Python (arena.audit.service.verify_chain) and recomputes every hash from the row.

SQLite needs nothing: its writer holds the database's only write lock.

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
        CREATE FUNCTION arena_audit_link(lock_key bigint, form_before text, joint text, form_after text,
                                         genesis varchar)
        RETURNS TABLE (link_seq integer, link_prev varchar, link_hash varchar)
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            head_seq integer;
            head_hash varchar;
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            SELECT e.seq, e.hash INTO head_seq, head_hash FROM audit_event AS e ORDER BY e.seq DESC LIMIT 1;
            IF NOT FOUND THEN
                head_seq := 0;
                head_hash := genesis;
            END IF;
            link_seq := head_seq + 1;
            link_prev := head_hash;
            link_hash := encode(sha256(convert_to(
                form_before || head_hash || joint || link_seq::text || form_after, 'UTF8')), 'hex');
            RETURN NEXT;
        END;
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS arena_audit_link(bigint, text, text, text, varchar)")
