"""Making, listing and checking signed checkpoints of the audit chain (arena.audit.anchor).

Two ways a checkpoint is made: `arena worker` once a day (`daily_checkpoint`) and on demand
(`make_checkpoint`, used by `arena audit checkpoint` and at the end of `arena demo`).

Choices, so a reader need not rediscover them:
- A checkpoint is **not** an audit event. It changes no domain state; it is a statement about
  the chain, kept in its own append-only table. Were it an event, each checkpoint would move
  the head, so the next day's checkpoint would always find a "new" head and the log would grow
  one event a day for ever, saying only that it had been checkpointed.
- A head that is already checkpointed (same seq, hash and key) is not signed again: on demand
  the latest checkpoint is handed back; the daily run writes nothing that day. A quiet
  installation therefore publishes nothing new until something happens, which is the point.
- Before signing, the chain is checked to extend the previous checkpoint (only the events
  since it are walked, so the daily run stays cheap). Arena never signs over a chain that has
  been cut or rewritten; the worker logs an error instead.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.audit import service
from arena.audit.anchor import CheckpointKey, SignedCheckpoint, extension_problem, format_time
from arena.audit.chain import GENESIS_HASH
from arena.audit.models import AuditCheckpoint, AuditEvent
from arena.clock import Clock
from arena.db import dialect_insert
from arena.errors import DomainError
from arena.i18n import gettext as _
from arena.settings import Settings


class ChainDoesNotExtend(DomainError):
    """The chain no longer holds what an earlier checkpoint signed: refuse to sign over it."""


@lru_cache(maxsize=4)
def _key(seed: bytes) -> CheckpointKey:
    return CheckpointKey(seed)


def signing_key(settings: Settings) -> CheckpointKey:
    """The installation's checkpoint key (ARENA_AUDIT_SIGNING_KEY; in development, var/)."""
    return _key(settings.audit_signing_seed())


def signed(row: AuditCheckpoint) -> SignedCheckpoint:
    return SignedCheckpoint(row.seq, row.head_hash, format_time(row.signed_at), row.key_id, row.signature)


def published(row: AuditCheckpoint) -> dict[str, object]:
    """The checkpoint as published (JSON) and as `arena audit checkpoint` prints it."""
    return signed(row).as_json(base64.b64decode(row.public_key))


@dataclass(frozen=True)
class CheckpointView:
    """What pages and printed notices show of a checkpoint, including the exact signed bytes."""

    seq: int
    head_hash: str
    created_at: str  # as signed (UTC)
    signed_at: datetime
    key_id: str
    signature: str
    public_key: str
    daily: bool
    message: str  # the signed message, UTF-8 text


def view(row: AuditCheckpoint) -> CheckpointView:
    checkpoint = signed(row)
    return CheckpointView(row.seq, row.head_hash, checkpoint.created_at, row.signed_at, row.key_id, row.signature,
                          row.public_key, row.daily_on is not None, checkpoint.message().decode("utf-8"))


async def latest_view(session: AsyncSession) -> CheckpointView | None:
    """The latest checkpoint, for every 公示 notice (documents/_audit_checkpoint.html)."""
    row = await latest(session)
    return view(row) if row is not None else None


async def chain_head(session: AsyncSession) -> tuple[int, str]:
    """(seq, hash) of the last event; (0, GENESIS_HASH) for an empty chain."""
    last = (await session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))).first()
    return (int(last.seq), str(last.hash)) if last else (0, GENESIS_HASH)


async def latest(session: AsyncSession) -> AuditCheckpoint | None:
    return (await session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))).first()


async def hash_at(session: AsyncSession, seq: int) -> str | None:
    return (await session.scalars(select(AuditEvent.hash).where(AuditEvent.seq == seq))).first()


async def seq_of_hash(session: AsyncSession, head_hash: str) -> int | None:
    return (await session.scalars(select(AuditEvent.seq).where(AuditEvent.hash == head_hash))).first()


async def _check_extends_latest(session: AsyncSession, last: AuditCheckpoint | None, head_seq: int) -> None:
    """Refuse to sign unless the chain still extends the latest checkpoint (only new events walked)."""
    start = (0, GENESIS_HASH) if last is None else (last.seq, last.head_hash)
    if last is not None:
        problem = extension_problem(last.seq, last.head_hash, head_seq, await hash_at(session, last.seq))
        if problem:
            raise ChainDoesNotExtend(_("不能签发新锚点：{problem}").format(problem=problem))
    report = await service.verify_chain(session, start)
    if report.broken is not None:
        raise ChainDoesNotExtend(_("不能签发新锚点：哈希链在第 {seq} 号事件处断开：{reason}").format(
            seq=report.broken.seq, reason=report.broken.reason))


def _already_covered(last: AuditCheckpoint | None, seq: int, head: str, key: CheckpointKey) -> bool:
    return last is not None and (last.seq, last.head_hash, last.key_id) == (seq, head, key.key_id)


def _values(key: CheckpointKey, checkpoint: SignedCheckpoint, clock: Clock, daily_on: date | None) -> dict[str, object]:
    now = clock.now()
    return {"seq": checkpoint.seq, "head_hash": checkpoint.head_hash, "signed_at": now.replace(microsecond=0),
            "key_id": checkpoint.key_id, "public_key": base64.b64encode(key.public_key).decode("ascii"),
            "signature": checkpoint.signature, "daily_on": daily_on, "created_at": now, "updated_at": now}


async def make_checkpoint(session: AsyncSession, clock: Clock, key: CheckpointKey) -> tuple[AuditCheckpoint, bool]:
    """Sign the current head now; (checkpoint, True), or (the latest, False) if it already covers
    this head with this key. Raises DomainError for an empty chain or one that was cut or rewritten."""
    seq, head = await chain_head(session)
    if seq == 0:
        raise DomainError(_("审计链还没有事件，无需锚点"))
    last = await latest(session)
    if last is not None and _already_covered(last, seq, head, key):
        return last, False
    await _check_extends_latest(session, last, seq)
    row = AuditCheckpoint(**_values(key, key.sign(seq, head, clock.now()), clock, None))
    session.add(row)
    await session.flush()
    return row, True


async def daily_checkpoint(session: AsyncSession, clock: Clock, key: CheckpointKey) -> AuditCheckpoint | None:
    """The worker's checkpoint of the day (Asia/Shanghai), at most one however many workers run:
    the unique `daily_on` row decides, as `sent_reminder` does for reminders. None when there is
    nothing new to sign or another worker signed today."""
    today = clock.today()
    if await session.scalar(select(AuditCheckpoint.id).where(AuditCheckpoint.daily_on == today)) is not None:
        return None
    seq, head = await chain_head(session)
    last = await latest(session)
    if seq == 0 or _already_covered(last, seq, head, key):
        return None
    await _check_extends_latest(session, last, seq)
    values = _values(key, key.sign(seq, head, clock.now()), clock, today)
    result = await session.execute(dialect_insert(session, AuditCheckpoint).values(**values).on_conflict_do_nothing())
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return (await session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.daily_on == today))).one()


@dataclass(frozen=True)
class AnchorReport:
    """Does the current chain extend a kept checkpoint? `problem` says why not."""

    count: int  # events in the current chain (those verified before a break)
    last_hash: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


async def verify_against(session: AsyncSession, seq: int, head_hash: str) -> AnchorReport:
    """Walk the whole chain, then check the event at `seq` still has `head_hash`. Caught: a
    changed event (broken link), a cut chain (fewer events than `seq`), and a chain rewritten and
    re-hashed from some event on (the links hold, but the hash at `seq` differs)."""
    report = await service.verify_chain(session)
    if report.broken is not None:
        broken = _("哈希链在第 {seq} 号事件处断开：{reason}").format(
            seq=report.broken.seq, reason=report.broken.reason)
        return AnchorReport(report.count, report.last_hash, broken)
    problem = extension_problem(seq, head_hash, report.count, await hash_at(session, seq) if seq else None)
    return AnchorReport(report.count, report.last_hash, problem)


async def latest_still_held(session: AsyncSession, chain_length: int) -> tuple[CheckpointView, str | None] | None:
    """For an intact chain of `chain_length` events: does it still hold the latest checkpoint?
    (view, problem); None before the first checkpoint. Only as strong as the checkpoint table
    itself — the real check is against a copy kept outside (verify_against)."""
    row = await latest(session)
    if row is None:
        return None
    return view(row), extension_problem(row.seq, row.head_hash, chain_length, await hash_at(session, row.seq))


async def known_keys(session: AsyncSession, key: CheckpointKey) -> dict[str, bytes]:
    """key_id → public key: the current key and every key that signed a stored checkpoint."""
    rows = (await session.execute(select(AuditCheckpoint.key_id, AuditCheckpoint.public_key).distinct())).all()
    keys = {str(row.key_id): base64.b64decode(row.public_key) for row in rows}
    keys[key.key_id] = key.public_key
    return keys


async def history(session: AsyncSession) -> Sequence[AuditCheckpoint]:
    """Every checkpoint, oldest first (about one a day: small enough to export whole)."""
    return (await session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))).all()


CSV_COLUMNS = ("seq", "head_hash", "created_at", "key_id", "algorithm", "signature", "public_key", "daily")


def history_csv(rows: Sequence[AuditCheckpoint]) -> str:
    """The history for spreadsheets; each row carries everything needed to check its signature."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        data = published(row)
        writer.writerow([*(data[name] for name in CSV_COLUMNS[:-1]), "1" if row.daily_on else "0"])
    return out.getvalue()
