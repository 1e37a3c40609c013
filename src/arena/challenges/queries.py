"""Reading published challenges: the catalogue, one challenge's page, the cadre's eligible list.

Every function answers in a fixed number of queries whatever the number of challenges
(STYLE: lists load what they show with joins and selectinload, filter in SQL, paginate), so the
catalogue stays fast at `arena demo --scale 100`. Drafts never leave here except to their own
organizer (`get_visible_challenge`).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, selectinload

from arena.actor import Actor, Role
from arena.challenges import policy
from arena.challenges.eligibility import CadreFacts, Named, age_on, rank_range_text, unit_chain_from
from arena.challenges.models import (
    Aggregation,
    Challenge,
    ChallengeAttachment,
    ChallengeMode,
    ChallengeStatus,
    Criterion,
    CriterionKind,
    challenge_eligible_field,
    challenge_eligible_unit,
)
from arena.challenges.phase import PHASE_LABELS, VISIBLE_TO_PUBLIC, PublicPhase, public_phase
from arena.clock import DISPLAY_TZ, to_display
from arena.db import get_or_none
from arena.errors import NotFound
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.pagination import Page, clean_search, like_pattern, paginate
from arena.units.models import Cadre, Field, Rank, Unit

"""Longer search text is cut: nobody types more, and it bounds the LIKE pattern."""
PUBLISHED = ChallengeStatus.PUBLISHED.value


class Sort(enum.StrEnum):
    DEADLINE = "deadline"  # windows still to close first (soonest first), then the most recently closed
    PUBLISHED = "published"  # newest first


PUBLIC_STATUSES = sorted(VISIBLE_TO_PUBLIC)
"""The statuses policy.is_public admits, as a list a query can bind."""
PHASE_FILTERS: list[PublicPhase] = [p for p in PublicPhase if p is not PublicPhase.DRAFT]


# --- catalogue filters ------------------------------------------------------------------------

def _positive_int(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit() or len(raw.strip()) > 12:
        return None
    number = int(raw.strip())
    return number if number > 0 else None


def _enum_value(cls: type[enum.StrEnum], raw: str | None) -> Any:
    try:
        return cls(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class CatalogueFilters:
    """The catalogue's query string, read leniently: a value that makes no sense is ignored
    (a page of results, never an error page, for a hand-edited or stale link)."""

    q: str = ""
    field_id: int | None = None
    unit_id: int | None = None
    phase: PublicPhase | None = None
    mode: ChallengeMode | None = None
    sort: Sort = Sort.DEADLINE

    @classmethod
    def from_query(cls, *, q: str | None = None, field: str | None = None, unit: str | None = None,
                   phase: str | None = None, mode: str | None = None, sort: str | None = None) -> CatalogueFilters:
        chosen_phase = _enum_value(PublicPhase, phase)
        return cls(
            q=clean_search(q), field_id=_positive_int(field), unit_id=_positive_int(unit),
            phase=None if chosen_phase is PublicPhase.DRAFT else chosen_phase,
            mode=_enum_value(ChallengeMode, mode), sort=_enum_value(Sort, sort) or Sort.DEADLINE,
        )

    def params(self) -> dict[str, Any]:
        """The query string that reproduces these filters (for pager links)."""
        return {"q": self.q, "field": self.field_id, "unit": self.unit_id,
                "phase": self.phase.value if self.phase else None, "mode": self.mode.value if self.mode else None,
                "sort": self.sort.value if self.sort is not Sort.DEADLINE else None}

    @property
    def active(self) -> bool:
        return bool(self.q or self.field_id or self.unit_id or self.phase or self.mode)


def phase_condition(phase: PublicPhase, now: datetime) -> ColumnElement[bool]:
    """SQL for `public_phase(challenge, now) == phase` (see phase.py), usable with the indexes
    on (status, bid_closes_at).

    A published challenge always has both window times (`publish` refuses one without), so the
    open phase is a plain range on (status, bid_closes_at): an `OR bid_closes_at IS NULL` would
    make PostgreSQL walk every published challenge whose window already closed, in deadline
    order, to find the first open ones (the eligible list grew with the data)."""
    opened = or_(Challenge.bid_opens_at.is_(None), Challenge.bid_opens_at <= now)
    if phase is PublicPhase.UPCOMING:
        return and_(Challenge.status == PUBLISHED, Challenge.bid_opens_at > now)
    if phase is PublicPhase.OPEN:
        return and_(Challenge.status == PUBLISHED, Challenge.bid_closes_at > now, opened)
    if phase is PublicPhase.CLOSED:
        return or_(Challenge.status == ChallengeStatus.QUALIFYING.value,
                   and_(Challenge.status == PUBLISHED, opened, Challenge.bid_closes_at <= now))
    if phase is PublicPhase.DRAFT:
        return false()
    return Challenge.status == phase.value


def _order(sort: Sort, now: datetime) -> list[Any]:
    # NULLS LAST spelled out: PostgreSQL and SQLite disagree on where NULLs go by default
    if sort is Sort.PUBLISHED:
        return [Challenge.published_at.desc().nulls_last(), Challenge.id.desc()]
    still_open = and_(Challenge.bid_closes_at.is_not(None), Challenge.bid_closes_at > now,
                      Challenge.status == PUBLISHED)
    return [
        case((still_open, 0), else_=1),
        case((still_open, Challenge.bid_closes_at), else_=None).asc(),
        Challenge.bid_closes_at.desc().nulls_last(),
        Challenge.id.desc(),
    ]


def catalogue_statement(filters: CatalogueFilters, now: datetime) -> Select[Challenge]:
    stmt = select(Challenge).where(publicly_visible())
    if filters.q:
        pattern = like_pattern(filters.q)
        stmt = stmt.where(or_(Challenge.title.ilike(pattern, escape="\\"),
                              Challenge.background.ilike(pattern, escape="\\")))
    if filters.field_id:
        stmt = stmt.where(Challenge.field_id == filters.field_id)
    if filters.unit_id:
        stmt = stmt.where(Challenge.owner_unit_id == filters.unit_id)
    if filters.phase:
        stmt = stmt.where(phase_condition(filters.phase, now))
    if filters.mode:
        stmt = stmt.where(Challenge.mode == filters.mode.value)
    return stmt.order_by(*_order(filters.sort, now))


def _with_card_data(stmt: Select[Challenge]) -> Select[Challenge]:
    # many-to-one, so joined into the page query itself: no extra query per row
    return stmt.options(joinedload(Challenge.field), joinedload(Challenge.owner_unit))


async def search_catalogue(db: AsyncSession, filters: CatalogueFilters, page: int, now: datetime) -> Page[Challenge]:
    """One count query and one page query."""
    return await paginate(db, _with_card_data(catalogue_statement(filters, now)), page)


@dataclass(frozen=True)
class FilterOptions:
    fields: list[tuple[int, str]]
    units: list[tuple[int, str]]


async def filter_options(db: AsyncSession) -> FilterOptions:
    """Fields, and the units that own a public challenge: one query (a UNION of both lists)."""
    owns = exists().where(Challenge.owner_unit_id == Unit.id, publicly_visible())
    fields = select(literal("f").label("kind"), Field.id, Field.name, Field.name.label("sort_key"))
    units = select(literal("u").label("kind"), Unit.id, Unit.name, Unit.code.label("sort_key")).where(owns)
    rows = (await db.execute(union_all(fields, units).order_by("kind", "sort_key"))).all()
    return FilterOptions(fields=[(row.id, row.name) for row in rows if row.kind == "f"],
                         units=[(row.id, row.name) for row in rows if row.kind == "u"])


# --- one challenge ----------------------------------------------------------------------------

def _detail_options() -> list[Any]:
    return [
        joinedload(Challenge.field), joinedload(Challenge.owner_unit),
        selectinload(Challenge.eligible_units), selectinload(Challenge.eligible_fields),
        selectinload(Challenge.criteria), selectinload(Challenge.checkpoints),
        selectinload(Challenge.milestone_templates), selectinload(Challenge.tolerance_cases),
        selectinload(Challenge.amendments),
        selectinload(Challenge.attachments).joinedload(ChallengeAttachment.file),
    ]


async def load_challenge_detail(db: AsyncSession, challenge_id: int) -> Challenge | None:
    """The challenge with everything its page and announcement show, whatever its status (None
    for an unknown id, or one out of range)."""
    return await get_or_none(db, Challenge, challenge_id, *_detail_options())


async def get_visible_challenge(db: AsyncSession, challenge_id: int, actor: Actor | None) -> Challenge:
    """The challenge for its public page (policy.may_read); NotFound (404) for unknown ids and
    others' drafts alike."""
    challenge = await load_challenge_detail(db, challenge_id)
    if challenge is None or not policy.may_read(actor, challenge.status, challenge.organizer_id):
        raise NotFound(_("该榜单不存在，或尚未发布。"))
    return challenge


async def organizer_challenge(db: AsyncSession, actor: Actor, challenge_id: int) -> Challenge:
    """The challenge with everything loaded, for its organizer (policy.may_manage): every area's
    organizer pages load it here. Anyone else's answers as not found."""
    challenge = await load_challenge_detail(db, challenge_id)
    if challenge is None or not policy.may_manage(actor, challenge.organizer_id):
        raise NotFound(_("该榜单不存在，或不由你发布。"))
    return challenge


def publicly_visible() -> ColumnElement[bool]:
    """The SQL twin of policy.is_public, for every list and count of what anyone may read: a
    condition on Challenge. tests/challenges/test_policy.py checks that both agree."""
    return Challenge.status.in_(PUBLIC_STATUSES)


def managed_by(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of policy.may_manage, for lists (the organizer's challenges, queues and
    attention items): a condition on Challenge. tests/challenges/test_policy.py checks that
    both agree."""
    if actor.user_id is None or not actor.has(Role.ORGANIZER):
        return false()
    return Challenge.organizer_id == actor.user_id


@dataclass(frozen=True)
class RoundLink:
    id: int
    title: str
    round_no: int
    number: str | None


@dataclass(frozen=True)
class Rounds:
    previous: RoundLink | None = None
    next: RoundLink | None = None


async def load_rounds(db: AsyncSession, challenge: Challenge) -> Rounds:
    """The previous round (re-published from) and the next one, when public: one query."""
    linked = or_(Challenge.previous_round_id == challenge.id,
                 Challenge.id == challenge.previous_round_id if challenge.previous_round_id else false())
    rows = (await db.execute(
        select(Challenge.id, Challenge.title, Challenge.round_no, Challenge.number, Challenge.previous_round_id)
        .where(linked, publicly_visible()).order_by(Challenge.id)
    )).all()
    previous = next((RoundLink(r.id, r.title, r.round_no, r.number) for r in rows
                     if r.id == challenge.previous_round_id), None)
    following = next((RoundLink(r.id, r.title, r.round_no, r.number) for r in rows
                      if r.previous_round_id == challenge.id), None)
    return Rounds(previous=previous, next=following)


# --- amendments -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    item: str
    before: str
    after: str


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "、".join(_as_text(v) for v in value)
    return str(value)


AMENDMENT_ITEMS: dict[str, str] = {
    "background": lazy("项目背景"), "goals": lazy("目标与考核指标"), "deliverables": lazy("交付成果"),
    "reward": lazy("激励措施"), "bid_closes_at": lazy("揭榜截止时间"), "rubric": lazy("评分细则"),
}
"""What a 更正公告 may change, by the key stored in Amendment.changes: the permanent record holds
no display language, and the label is looked up when the notice is shown (issue 23 §5). Records
from before hold the Chinese label itself, shown as stored."""


def amendment_item_label(item: str) -> str:
    return _(AMENDMENT_ITEMS[item]) if item in AMENDMENT_ITEMS else item


def parse_changes(raw: str | None) -> list[Change]:
    """The amendment's canonical JSON list of {"item","before","after"}; anything else is
    shown as one change so that a malformed record still reads rather than breaking the page."""
    try:
        data = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return [Change(item="", before="", after=raw or "")]
    if not isinstance(data, list):
        data = [data]
    changes = []
    for entry in data:
        if isinstance(entry, dict):
            changes.append(Change(amendment_item_label(_as_text(entry.get("item"))), _as_text(entry.get("before")),
                                  _as_text(entry.get("after"))))
        else:
            changes.append(Change(item="", before="", after=_as_text(entry)))
    return changes


# --- days left --------------------------------------------------------------------------------

def local_day(moment: datetime) -> date:
    shown = to_display(moment)
    assert shown is not None
    return shown.date()


def days_until(moment: datetime | None, now: datetime) -> int | None:
    """Calendar days in Asia/Shanghai from today to `moment`'s day (0: today); None without one."""
    if moment is None:
        return None
    return (local_day(moment) - local_day(now)).days


# --- the cadre's eligible challenges ----------------------------------------------------------

async def load_cadre_facts(db: AsyncSession, user_id: int) -> CadreFacts | None:
    """The cadre linked to this login, with fields and unit chain (two queries)."""
    cadre = (await db.execute(select(Cadre).where(Cadre.user_id == user_id).options(joinedload(Cadre.fields))
                              )).unique().scalar_one_or_none()
    if cadre is None:
        return None
    return CadreFacts(rank=cadre.rank, birth_date=cadre.birth_date,
                      fields=tuple(Named(f.id, f.name) for f in cadre.fields),
                      unit_chain=await load_unit_chain(db, cadre.unit_id), frontline=cadre.frontline)


def _unit_chain_statement() -> Select[Any]:
    """The unit `:unit_id` and its ancestors (UNION also stops on a cycle). Built once: making a
    recursive CTE costs more than running it, and every cadre page asks for it."""
    chain = (select(Unit.id, Unit.parent_id, Unit.name).where(Unit.id == bindparam("unit_id"))
             .cte("unit_chain", recursive=True))
    parent = aliased(Unit)
    chain = chain.union(select(parent.id, parent.parent_id, parent.name).join(chain, parent.id == chain.c.parent_id))
    return select(chain.c.id, chain.c.parent_id, chain.c.name)


UNIT_CHAIN = _unit_chain_statement()


async def load_unit_chain(db: AsyncSession, unit_id: int) -> tuple[Named, ...]:
    """The unit and its ancestors, in one recursive query."""
    rows = (await db.execute(UNIT_CHAIN, {"unit_id": unit_id})).all()
    return unit_chain_from([(r.id, r.parent_id, r.name) for r in rows], unit_id)


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=DISPLAY_TZ).astimezone(UTC)


def _birthday(birth: date, years: int) -> date:
    """The day one turns `years` old: 29 February falls on 1 March in other years."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


AGE_HORIZON = 50
"""Age limits checked exactly up to this many years above the cadre's current age."""


def age_condition(birth: date, now: datetime, limits: Iterable[int] | None = None) -> ColumnElement[bool]:
    """SQL for "age on the closing day ≤ age_limit" (eligibility.check_age).

    Age on day d ≤ L exactly when d comes before the (L+1)th birthday, so the closing moment is
    compared with that birthday's midnight in Asia/Shanghai, chosen per limit by a CASE. Limits
    below the cadre's age today can never pass (open windows close today or later). `limits`,
    when given, are the only limits that occur (see `open_age_limits`): the CASE then names just
    those, which keeps the statement small.
    """
    today = local_day(now)
    age_now = age_on(birth, today)
    wanted = range(max(age_now, 0), age_now + AGE_HORIZON)
    chosen = sorted(set(limits) & set(wanted)) if limits is not None else list(wanted)
    if not chosen:
        return or_(Challenge.age_limit.is_(None),
                   and_(Challenge.bid_closes_at.is_(None), Challenge.age_limit >= age_now))
    cutoffs = {limit: _local_midnight_utc(_birthday(birth, limit + 1)) for limit in chosen}
    # typed literals: SQLite compares datetimes as text, so the column's own format is needed
    moment_type = Challenge.__table__.c.bid_closes_at.type
    cutoff = case(*[(Challenge.age_limit == limit, literal(moment, moment_type)) for limit, moment in cutoffs.items()],
                  else_=None)
    no_end = and_(Challenge.bid_closes_at.is_(None), Challenge.age_limit >= age_now)
    return or_(Challenge.age_limit.is_(None), no_end, Challenge.bid_closes_at < cutoff)


def rank_condition(rank: str) -> ColumnElement[bool]:
    try:
        mine = Rank(rank)
    except ValueError:
        return and_(Challenge.rank_min.is_(None), Challenge.rank_max.is_(None))
    at_or_below = [r.value for r in Rank if r.level <= mine.level]
    at_or_above = [r.value for r in Rank if r.level >= mine.level]
    return and_(or_(Challenge.rank_min.is_(None), Challenge.rank_min.in_(at_or_below)),
                or_(Challenge.rank_max.is_(None), Challenge.rank_max.in_(at_or_above)))


def _any_of(table: Any, column: str, ids: list[int]) -> ColumnElement[bool]:
    """No restriction in `table` for the challenge, or one of `ids` among the allowed."""
    restricted = exists().where(table.c.challenge_id == Challenge.id)
    allowed = exists().where(table.c.challenge_id == Challenge.id, table.c[column].in_(ids)) if ids else false()
    return or_(~restricted, allowed)


async def open_age_limits(db: AsyncSession, now: datetime) -> list[int]:
    """The age limits that open challenges actually set (a handful), for `age_condition`."""
    rows = await db.scalars(select(Challenge.age_limit).distinct()
                            .where(phase_condition(PublicPhase.OPEN, now), Challenge.age_limit.is_not(None)))
    return [int(limit) for limit in rows.all() if limit is not None]


def eligible_statement(cadre: CadreFacts, now: datetime,
                       age_limits: Iterable[int] | None = None) -> Select[Challenge]:
    """Open challenges whose rules this cadre meets, soonest deadline first. Exactly the
    challenges `check_eligibility` passes (tested against it), so pagination stays right.
    `age_limits`: from `open_age_limits`, to keep the age test small (all limits when None)."""
    return (
        select(Challenge)
        .where(
            phase_condition(PublicPhase.OPEN, now),
            rank_condition(cadre.rank),
            _any_of(challenge_eligible_field, "field_id", [f.id for f in cadre.fields]),
            _any_of(challenge_eligible_unit, "unit_id", [u.id for u in cadre.unit_chain]),
            age_condition(cadre.birth_date, now, age_limits) if cadre.birth_date else true(),
            true() if cadre.frontline else Challenge.require_frontline.is_(False),
        )
        .order_by(Challenge.bid_closes_at.asc().nulls_last(), Challenge.id.desc())
    )


async def eligible_challenges(db: AsyncSession, cadre: CadreFacts, page: int, now: datetime) -> Page[Challenge]:
    """The age limits in use, the page with its total, and the page's eligible units and fields
    (for the explanations): four queries."""
    limits = await open_age_limits(db, now)
    stmt = _with_card_data(eligible_statement(cadre, now, limits)).options(
        selectinload(Challenge.eligible_units), selectinload(Challenge.eligible_fields))
    return await paginate(db, stmt, page)


# --- what the challenge page shows ------------------------------------------------------------

MODE_LABELS: dict[ChallengeMode, str] = {
    ChallengeMode.SINGLE: lazy("单一揭榜"),
    ChallengeMode.HORSE_RACE: lazy("赛马制"),
}

AGGREGATION_TEXT: dict[Aggregation, str] = {
    Aggregation.TRIMMED_MEAN: lazy("去掉一个最高分和一个最低分后取平均（评分表不足 5 份时取算术平均）"),
    Aggregation.MEAN: lazy("取全部有效评分表总分的算术平均"),
    Aggregation.MEDIAN: lazy("取全部有效评分表总分的中位数"),
}


def mode_label(mode: str) -> str:
    known = _enum_value(ChallengeMode, mode)
    return _(MODE_LABELS[known]) if known else mode


def aggregation_text(rule: str) -> str:
    known = _enum_value(Aggregation, rule)
    return _(AGGREGATION_TEXT[known]) if known else rule


@dataclass(frozen=True)
class AmendmentView:
    seq: int
    published_at: datetime
    reason: str
    changes: list[Change]


@dataclass(frozen=True)
class ChallengeView:
    """Everything `_detail_body.html` reads besides the challenge itself, derived with `now`."""

    challenge: Challenge
    phase: PublicPhase
    days_left: int | None  # until the window closes, while it is open
    days_to_open: int | None  # until it opens, while upcoming
    bid_criteria: list[Criterion]
    acceptance_criteria: list[Criterion]
    amendments: list[AmendmentView]
    rounds: Rounds

    @property
    def rubric_total(self) -> Decimal:
        return sum((c.points for c in self.bid_criteria), Decimal(0))

    @property
    def acceptance_total(self) -> Decimal:
        return sum((c.points for c in self.acceptance_criteria), Decimal(0))

    @property
    def phase_label(self) -> str:
        return _(PHASE_LABELS[self.phase])

    @property
    def rank_range(self) -> str:
        return rank_range_text(self.challenge.rank_min, self.challenge.rank_max)

    @property
    def mode_label(self) -> str:
        return mode_label(self.challenge.mode)

    @property
    def aggregation_text(self) -> str:
        return aggregation_text(self.challenge.aggregation)

    @property
    def is_draft(self) -> bool:
        return self.challenge.status == ChallengeStatus.DRAFT.value


def challenge_view(challenge: Challenge, now: datetime, rounds: Rounds | None = None) -> ChallengeView:
    """Needs the challenge from `load_challenge_detail` (its collections loaded)."""
    phase = public_phase(challenge, now)
    return ChallengeView(
        challenge=challenge, phase=phase,
        days_left=days_until(challenge.bid_closes_at, now) if phase is PublicPhase.OPEN else None,
        days_to_open=days_until(challenge.bid_opens_at, now) if phase is PublicPhase.UPCOMING else None,
        bid_criteria=[c for c in challenge.criteria if c.kind == CriterionKind.BID.value],
        acceptance_criteria=[c for c in challenge.criteria if c.kind == CriterionKind.ACCEPTANCE.value],
        amendments=[AmendmentView(a.seq, a.published_at, a.reason, parse_changes(a.changes))
                    for a in sorted(challenge.amendments, key=lambda a: a.seq)],
        rounds=rounds or Rounds(),
    )


@dataclass(frozen=True)
class CardView:
    """One row of a list: the challenge and what the clock says about it."""

    challenge: Challenge
    phase: PublicPhase
    days_left: int | None
    days_to_open: int | None

    @property
    def phase_label(self) -> str:
        return _(PHASE_LABELS[self.phase])

    @property
    def mode_label(self) -> str:
        return mode_label(self.challenge.mode)


def card_view(challenge: Challenge, now: datetime) -> CardView:
    phase = public_phase(challenge, now)
    return CardView(challenge, phase,
                    days_until(challenge.bid_closes_at, now) if phase is PublicPhase.OPEN else None,
                    days_until(challenge.bid_opens_at, now) if phase is PublicPhase.UPCOMING else None)
