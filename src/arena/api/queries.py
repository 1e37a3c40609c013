"""What the API reads: the same things the public pages show, and approved records.

The rules are the pages' rules, not a second copy of them: challenges are readable when their
status is public (`challenges.queries.publicly_visible`: never a draft), results once a publicity exists for a public
challenge (as `publicity.service.public_results`), and of a blind review only the winners are
named — from the publicity's own winner list, as the results page prints them. Each function
runs one query whatever the page size (rows are fetched with `limit + 1` to know whether a
next page exists).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, load_only

from arena.api.cursor import PageRequest, next_cursor
from arena.api.schemas import (
    BidWindow,
    CadreRef,
    ChallengeOut,
    ChallengePage,
    ChallengeRef,
    Named,
    PublicityOut,
    PublicityState,
    RankedBid,
    RecordOut,
    RecordPage,
    ResultOut,
    ResultPage,
    Winner,
)
from arena.challenges.models import Challenge, ChallengeMode, ChallengeStatus
from arena.challenges.phase import public_phase
from arena.challenges.queries import publicly_visible
from arena.clock import to_display
from arena.db import valid_id
from arena.errors import NotFound
from arena.i18n import gettext as _
from arena.publicity.models import Publicity, PublicityStatus
from arena.records.labels import RECORD_TYPE_LABELS
from arena.records.models import Certificate, Record, RecordStatus, RecordType
from arena.review.models import ReviewResult
from arena.units.models import Cadre, Unit


def _local(moment: datetime | None) -> datetime | None:
    """Stored in UTC, answered with Beijing's +08:00 offset (the same instant)."""
    return to_display(moment)


def _at(moment: datetime) -> datetime:
    shown = to_display(moment)
    assert shown is not None
    return shown


# --- challenges ----------------------------------------------------------------------------------

def _challenge_statement() -> Select[Challenge]:
    return (
        select(Challenge)
        .where(publicly_visible())
        .options(load_only(Challenge.id, Challenge.number, Challenge.title, Challenge.status, Challenge.mode,
                           Challenge.bid_opens_at, Challenge.bid_closes_at, Challenge.published_at,
                           Challenge.field_id, Challenge.owner_unit_id),
                 joinedload(Challenge.field), joinedload(Challenge.owner_unit))
        .order_by(Challenge.id)
    )


def _challenge_out(challenge: Challenge, now: datetime, public_url: str) -> ChallengeOut:
    return ChallengeOut(
        id=challenge.id, number=challenge.number, title=challenge.title, status=ChallengeStatus(challenge.status),
        phase=public_phase(challenge, now),
        field=Named(challenge.field.id, challenge.field.name) if challenge.field else None,
        owner_unit=Named(challenge.owner_unit.id, challenge.owner_unit.name) if challenge.owner_unit else None,
        mode=ChallengeMode(challenge.mode),
        bid_window=BidWindow(_local(challenge.bid_opens_at), _local(challenge.bid_closes_at)),
        published_at=_local(challenge.published_at), url=f"{public_url}/challenges/{challenge.id}",
    )


async def challenges(db: AsyncSession, page: PageRequest, now: datetime, public_url: str) -> ChallengePage:
    stmt = _challenge_statement().where(Challenge.id > page.after_id).limit(page.limit + 1)
    rows, cursor = next_cursor(list((await db.scalars(stmt)).unique().all()), page, lambda c: c.id)
    return ChallengePage([_challenge_out(c, now, public_url) for c in rows], cursor)


async def challenge(db: AsyncSession, challenge_id: int, now: datetime, public_url: str) -> ChallengeOut:
    found = await db.scalar(_challenge_statement().where(Challenge.id == challenge_id)) \
        if valid_id(challenge_id) else None
    if found is None:
        raise NotFound(_("该榜单不存在，或尚未发布。"))
    return _challenge_out(found, now, public_url)


# --- results -------------------------------------------------------------------------------------

def _results_statement() -> Select[*tuple[Any, ...]]:
    """Each public challenge with its latest publicity and the results that publicity announced."""
    later = aliased(Publicity)
    latest_seq = (select(func.max(later.seq)).where(later.challenge_id == Publicity.challenge_id)
                  .correlate(Publicity).scalar_subquery())
    return (
        select(Challenge.id, Challenge.number, Challenge.title, Publicity, ReviewResult.snapshot)
        .join(Publicity, Publicity.challenge_id == Challenge.id)
        .join(ReviewResult, ReviewResult.id == Publicity.result_id)
        .where(publicly_visible(), Publicity.seq == latest_seq)
        .order_by(Challenge.id)
    )


def _publicity_state(publicity: Publicity, now: datetime) -> PublicityState:
    if publicity.status == PublicityStatus.WITHDRAWN.value:
        return PublicityState.WITHDRAWN
    if publicity.status == PublicityStatus.CONCLUDED.value:
        return PublicityState.CONCLUDED
    return PublicityState.IN_PUBLICITY if now < publicity.ends_at else PublicityState.ENDED


def _ranking(snapshot: dict[str, Any], proposed: set[str], excluded: set[str]) -> list[RankedBid]:
    # Only what the results page prints of each row: code, rank, aggregate and its conclusion.
    return [RankedBid(rank=int(row["rank"]), review_code=str(row["bid"]), aggregate=str(row["aggregate"]),
                      passes=bool(row["passes"]), proposed=row["bid"] in proposed, excluded=row["bid"] in excluded)
            for row in snapshot["result"]["bids"]]


def _winners(publicity: Publicity) -> list[Winner]:
    # The publicity's own list: names were made public by publishing it (blind review names no one else).
    return [Winner(review_code=str(w["bid"]), bid_number=w.get("number"), lead=str(w["lead"]), unit=str(w["unit"]),
                   team=[str(name) for name in w.get("team", [])], aggregate=str(w["aggregate"]))
            for w in json.loads(publicity.winners)]


def _result_out(row: Any, now: datetime) -> ResultOut:
    publicity: Publicity = row.Publicity
    snapshot = json.loads(row.snapshot)
    winners = _winners(publicity)
    return ResultOut(
        challenge=ChallengeRef(row.id, row.number, row.title), results_sha256=publicity.results_sha256,
        hash_verified=hashlib.sha256(row.snapshot.encode()).hexdigest() == publicity.results_sha256,
        published_at=_at(publicity.published_at),
        publicity=PublicityOut(seq=publicity.seq, state=_publicity_state(publicity, now),
                               published_at=_at(publicity.published_at), first_day=publicity.first_day,
                               last_day=publicity.last_day, ends_at=_at(publicity.ends_at)),
        ranking=_ranking(snapshot, {w.review_code for w in winners}, set(json.loads(publicity.excluded))),
        winners=winners,
    )


async def results(db: AsyncSession, page: PageRequest, now: datetime) -> ResultPage:
    stmt = _results_statement().where(Challenge.id > page.after_id).limit(page.limit + 1)
    rows, cursor = next_cursor(list((await db.execute(stmt)).all()), page, lambda r: r.id)
    return ResultPage([_result_out(row, now) for row in rows], cursor)


async def result(db: AsyncSession, challenge_id: int, now: datetime) -> ResultOut:
    row = (await db.execute(_results_statement().where(Challenge.id == challenge_id))).first() \
        if valid_id(challenge_id) else None
    if row is None:
        raise NotFound(_("该榜单的评审结果尚未公示"))
    return _result_out(row, now)


# --- records -------------------------------------------------------------------------------------

def _records_statement(cadre_code: str | None, record_type: RecordType | None,
                       year: int | None) -> Select[*tuple[Any, ...]]:
    stmt = (
        select(Record.id, Record.record_type, Record.document_number, Record.document_date, Record.project_id,
               Record.decided_at, Cadre.code.label("cadre_code"), Cadre.name.label("cadre_name"),
               Unit.name.label("unit_name"), Challenge.id.label("challenge_id"), Challenge.number, Challenge.title,
               Certificate.code.label("certificate_code"))
        .join(Cadre, Cadre.id == Record.cadre_id)
        .join(Unit, Unit.id == Cadre.unit_id)
        .join(Challenge, Challenge.id == Record.challenge_id)
        .outerjoin(Certificate, Certificate.record_id == Record.id)
        .where(Record.status == RecordStatus.EFFECTIVE.value)
        .order_by(Record.id)
    )
    if cadre_code:
        stmt = stmt.where(Cadre.code == cadre_code)
    if record_type:
        stmt = stmt.where(Record.record_type == record_type.value)
    if year:
        # A range, not a year() function: the (status, record_type, document_date) index applies.
        stmt = stmt.where(Record.document_date >= date(year, 1, 1), Record.document_date < date(year + 1, 1, 1))
    return stmt


def _record_out(row: Any) -> RecordOut:
    label = RECORD_TYPE_LABELS.get(row.record_type)
    return RecordOut(
        id=row.id, cadre=CadreRef(row.cadre_code, row.cadre_name, row.unit_name),
        record_type=RecordType(row.record_type), record_type_label=_(label) if label else row.record_type,
        document_number=row.document_number, document_date=row.document_date,
        challenge=ChallengeRef(row.challenge_id, row.number, row.title), project_id=row.project_id,
        certificate_code=row.certificate_code, decided_at=_local(row.decided_at),
    )


async def records(db: AsyncSession, page: PageRequest, *, cadre_code: str | None = None,
                  record_type: RecordType | None = None, year: int | None = None) -> RecordPage:
    stmt = _records_statement(cadre_code, record_type, year).where(Record.id > page.after_id).limit(page.limit + 1)
    rows, cursor = next_cursor(list((await db.execute(stmt)).all()), page, lambda r: r.id)
    return RecordPage([_record_out(row) for row in rows], cursor)
