"""Review rules (专家评审): set up and draw the panel, answer the invitation, score, reopen,
close and freeze. No HTTP here; every change writes its audit event in the caller's transaction.

Sealing: before the panel closes nothing here hands an organizer another expert's scores —
`progress` returns counts only. Blind review: what an expert reads of a bid comes from
`bid_view`, which names no bidder when the challenge is blind.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.bids.models import Bid, BidMember, BidStatus, BidVersion, MemberStatus
from arena.bids.qualification import challenge_for_qualification
from arena.challenges import transitions as challenge_transitions
from arena.challenges.models import Challenge, ChallengeMode, ChallengeStatus, Criterion, CriterionKind
from arena.challenges.queries import get_visible_challenge, load_challenge_detail
from arena.clock import DISPLAY_TZ, Clock
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.execution.grades import Thresholds, grade_for
from arena.execution.views import ProjectView, project_view
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.review import draw as draw_math
from arena.review import scoring
from arena.review.conflicts import challenge_parties, conflicted_bids, declared
from arena.review.models import (
    Panel,
    PanelPurpose,
    PanelSeat,
    PanelStatus,
    ReviewResult,
    Score,
    ScoreSheet,
    SeatStatus,
    SheetStatus,
)
from arena.review.transitions import PANEL_TRANSITIONS, SEAT_TRANSITIONS, SHEET_TRANSITIONS, check
from arena.units.models import Cadre, Expert, expert_field

CENT = Decimal("0.01")
SCORE_PATTERN = re.compile(r"^\d+(\.\d)?$")


# --- loading, with the object-level checks -------------------------------------------------------

async def organizer_challenge(db: AsyncSession, actor: Actor, challenge_id: int) -> Challenge:
    """The organizer's own challenge, loaded for its pages (the same check as qualification)."""
    return await challenge_for_qualification(db, actor, challenge_id)


async def panel_of(db: AsyncSession, challenge_id: int, purpose: PanelPurpose = PanelPurpose.BID) -> Panel | None:
    return await db.scalar(select(Panel).where(Panel.challenge_id == challenge_id, Panel.purpose == purpose.value))


async def expert_of(db: AsyncSession, actor: Actor) -> Expert:
    expert = await db.scalar(select(Expert).where(Expert.user_id == actor.user_id))
    if expert is None:
        raise PermissionDenied(_("你的账号没有关联专家库中的专家，请联系管理员"))
    return expert


def bid_criteria(challenge: Challenge) -> list[Criterion]:
    return criteria_for(challenge, PanelPurpose.BID)


def criteria_for(challenge: Challenge, purpose: PanelPurpose | str) -> list[Criterion]:
    """The rubric a panel scores on: the bid rubric, or the acceptance rubric (验收评分细则)."""
    kind = CriterionKind.ACCEPTANCE if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE else CriterionKind.BID
    return [c for c in challenge.criteria if c.kind == kind.value]


STAGE = {PanelPurpose.BID: ChallengeStatus.REVIEWING, PanelPurpose.ACCEPTANCE: ChallengeStatus.EXECUTING}
"""The challenge's stage in which each kind of panel is set up and scores."""


def page_of(purpose: PanelPurpose | str) -> str:
    """The organizer's page of a panel, for links in notifications."""
    return "acceptance" if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE else "review"


# --- setting up and drawing the panel ---------------------------------------------------------

@dataclass(frozen=True)
class PanelSettings:
    size: int
    reserves: int
    trim_k: int | None


def parse_settings(raw: dict[str, str]) -> PanelSettings:
    """The organizer's panel form; FormErrors name each bad field."""
    errors: dict[str, str] = {}
    values: dict[str, int | None] = {}
    for name, low, high, optional in (("size", 3, 15, False), ("reserves", 0, 10, False), ("trim_k", 0, 3, True)):
        text = (raw.get(name) or "").strip()
        if not text and optional:
            values[name] = None
            continue
        if not text.isdigit() or not low <= int(text) <= high:
            errors[name] = _("请填写 {low}–{high} 之间的整数").format(low=low, high=high)
            continue
        values[name] = int(text)
    size = values.get("size")
    if "size" not in errors and size is not None and size % 2 == 0:
        errors["size"] = _("专家组人数须为奇数")
    trim_k = values.get("trim_k")
    if "trim_k" not in errors and trim_k is not None and size is not None and 2 * trim_k >= size:
        errors["trim_k"] = _("去掉的最高分和最低分份数过多，须少于专家组人数的一半")
    if errors:
        raise FormErrors(errors)
    assert size is not None and values["reserves"] is not None
    return PanelSettings(size, values["reserves"], trim_k)


async def commit(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, settings: PanelSettings,
                 *, seed: str | None = None, purpose: PanelPurpose = PanelPurpose.BID) -> Panel:
    """Publish the commitment for the draw (or change the settings before it). `seed` is for the
    demo data only, so its panels are the same on every machine; real draws get a fresh secret.
    An acceptance panel is checked for readiness by execution.acceptance before it comes here."""
    if challenge.status != STAGE[purpose].value:
        raise DomainError(_("资格审查结束、榜单进入专家评审后才能组建专家组") if purpose is PanelPurpose.BID
                          else _("榜单实施阶段才能组建验收专家组"))
    if purpose is PanelPurpose.ACCEPTANCE and not criteria_for(challenge, purpose):
        raise DomainError(_("本榜单还没有验收评分细则，请先在验收页面录入"))
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None:
        seed = seed or draw_math.new_seed()
        panel = Panel(challenge_id=challenge.id, purpose=purpose.value, seed=seed,
                      seed_commitment=draw_math.commitment(seed), committed_at=clock.now())
        db.add(panel)
    else:
        check(PANEL_TRANSITIONS, PanelStatus, "commit", panel.status)
    panel.size, panel.reserves, panel.trim_k = settings.size, settings.reserves, settings.trim_k
    if purpose is PanelPurpose.BID:
        challenge.panel_size, challenge.panel_reserves = settings.size, settings.reserves
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "panel.commit", "panel", panel.id, {
        "challenge": challenge.id, "purpose": purpose.value, "commitment": panel.seed_commitment,
        "size": settings.size,
        "reserves": settings.reserves, "trim_k": settings.trim_k})
    return panel


def _year_bounds(moment: datetime) -> tuple[datetime, datetime]:
    local = moment.astimezone(DISPLAY_TZ)
    start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, start.replace(year=start.year + 1)


async def candidates(db: AsyncSession, challenge: Challenge, now: datetime,
                     purpose: PanelPurpose = PanelPurpose.BID) -> list[Expert]:
    """Experts who may be drawn: in the challenge's field, with an account, no conflict with any
    bid the panel scores, and under their annual cap of panels. Sorted by code."""
    start, end = _year_bounds(now)
    seats_this_year = (select(func.count()).select_from(PanelSeat).join(Panel, Panel.id == PanelSeat.panel_id)
                       .where(PanelSeat.expert_id == Expert.id,
                              PanelSeat.status.in_([SeatStatus.INVITED.value, SeatStatus.ACCEPTED.value]),
                              Panel.drawn_at >= start, Panel.drawn_at < end)
                       .correlate(Expert).scalar_subquery())
    in_field = (select(Expert).join(expert_field, expert_field.c.expert_id == Expert.id)
                .where(expert_field.c.field_id == challenge.field_id, Expert.user_id.is_not(None),
                       seats_this_year < Expert.annual_panel_cap)
                .order_by(Expert.code))
    experts = list((await db.scalars(in_field)).all())
    parties = await challenge_parties(db, challenge.id, purpose)
    declarations = await declared(db, [e.id for e in experts])
    return [e for e in experts if not conflicted_bids(e, parties, declarations.get(e.id, []))]


async def draw_panel(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge,
                     purpose: PanelPurpose = PanelPurpose.BID) -> Panel:
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None:
        raise DomainError(_("请先设置专家组并公布抽取承诺值"))
    target = check(PANEL_TRANSITIONS, PanelStatus, "draw", panel.status)
    now = clock.now()
    pool = await candidates(db, challenge, now, purpose)
    if len(pool) < panel.size:
        raise DomainError(_("符合条件的专家只有 {n} 名，少于专家组人数 {size} 名：请调整专家组人数，"
                            "或请管理员补充该领域的专家").format(n=len(pool), size=panel.size))
    codes = [e.code for e in pool]
    result = draw_math.draw(panel.seed, codes, panel.size, panel.reserves)
    by_code = {e.code: e for e in pool}
    for rank, code in enumerate(result.drawn, start=1):
        member = rank <= panel.size
        db.add(PanelSeat(panel_id=panel.id, expert_id=by_code[code].id, drawn_rank=rank,
                         status=(SeatStatus.INVITED if member else SeatStatus.RESERVE).value,
                         invited_at=now if member else None))
    panel.candidates = draw_math.canonical_candidates(codes)
    panel.candidates_sha256 = draw_math.candidates_hash(codes)
    panel.drawn = json.dumps(list(result.drawn), separators=(",", ":"))
    panel.status, panel.drawn_at = target, now
    if purpose is PanelPurpose.BID:
        await _assign_review_codes(db, challenge, panel.seed)
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "panel.draw", "panel", panel.id, {
        "challenge": challenge.id, "purpose": purpose.value, "seed": panel.seed,
        "candidates_sha256": panel.candidates_sha256,
        "members": list(result.members), "reserves": list(result.reserves)})
    await notify(db, clock, [by_code[c].user_id for c in result.members], "review.invited",
                 _invitation_title(purpose, challenge), _("你被随机抽取为该榜单的评审专家，请确认是否参加。"),
                 "/review")
    return panel


def _invitation_title(purpose: PanelPurpose | str, challenge: Challenge) -> str:
    if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE:
        return _("验收评审邀请：{title}").format(title=challenge.title)
    return _("评审邀请：{title}").format(title=challenge.title)


async def _assign_review_codes(db: AsyncSession, challenge: Challenge, seed: str) -> None:
    """评审编号 P01, P02… in an order that tells nothing about who bid or when."""
    bids = (await db.scalars(select(Bid).where(Bid.challenge_id == challenge.id,
                                               Bid.status == BidStatus.QUALIFIED.value))).all()
    ordered = sorted(bids, key=lambda b: hashlib.sha256(f"{seed}:bid:{b.id}".encode()).hexdigest())
    for index, bid in enumerate(ordered, start=1):
        bid.review_code = f"P{index:02d}"


# --- the expert's answer ------------------------------------------------------------------------

async def own_seat(db: AsyncSession, actor: Actor, seat_id: int) -> tuple[PanelSeat, Panel, Expert]:
    expert = await expert_of(db, actor)
    seat = await db.get(PanelSeat, seat_id) if 0 < seat_id < 2**53 else None
    if seat is None or seat.expert_id != expert.id:
        raise NotFound(_("没有找到这份评审邀请"))
    panel = await db.get(Panel, seat.panel_id)
    assert panel is not None
    return seat, panel, expert


async def answer(db: AsyncSession, clock: Clock, actor: Actor, seat_id: int, accept: bool, reason: str) -> None:
    seat, panel, expert = await own_seat(db, actor, seat_id)
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，不能再答复邀请"))
    action = "accept" if accept else "decline"
    target = check(SEAT_TRANSITIONS, SeatStatus, action, seat.status)
    if not accept and not reason.strip():
        raise FormErrors({"reason": _("请填写谢绝的理由")})
    seat.status, seat.responded_at = target, clock.now()
    seat.decline_reason = None if accept else reason.strip()
    await audit.record(db, clock, actor, "expert", f"seat.{action}", "panel_seat", seat.id,
                       {"panel": panel.id, "expert": expert.code} | ({} if accept else {"reason": reason.strip()}))
    if accept:
        await _open_sheets(db, clock, panel, expert)
    else:
        await _promote_reserve(db, clock, actor, panel)


async def _open_sheets(db: AsyncSession, clock: Clock, panel: Panel, expert: Expert) -> None:
    """One sheet per scored bid; a conflict found since the draw recuses that sheet."""
    parties = await challenge_parties(db, panel.challenge_id, PanelPurpose(panel.purpose))
    conflicts = conflicted_bids(expert, parties, (await declared(db, [expert.id])).get(expert.id, []))
    for bid_id in sorted(parties.bids):
        reason = conflicts.get(bid_id)
        db.add(ScoreSheet(panel_id=panel.id, expert_id=expert.id, bid_id=bid_id,
                          status=(SheetStatus.RECUSED if reason else SheetStatus.DRAFT).value, recusal_reason=reason))
    await db.flush()


async def _promote_reserve(db: AsyncSession, clock: Clock, actor: Actor, panel: Panel) -> None:
    reserve = await db.scalar(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                      PanelSeat.status == SeatStatus.RESERVE.value)
                              .order_by(PanelSeat.drawn_rank).limit(1).options(joinedload(PanelSeat.expert)))
    challenge = await db.get(Challenge, panel.challenge_id)
    assert challenge is not None
    if reserve is None:
        await notify(db, clock, [challenge.organizer_id], "review.reserves_exhausted",
                     _("后备专家已用尽：{title}").format(title=challenge.title),
                     _("有专家谢绝邀请，但已没有后备专家可以递补。"),
                     f"/organizer/challenges/{challenge.id}/{page_of(panel.purpose)}")
        return
    reserve.status = check(SEAT_TRANSITIONS, SeatStatus, "promote", reserve.status)
    reserve.invited_at = clock.now()
    await audit.record(db, clock, actor, "expert", "seat.promote", "panel_seat", reserve.id,
                       {"panel": panel.id, "expert": reserve.expert.code, "drawn_rank": reserve.drawn_rank})
    await notify(db, clock, [reserve.expert.user_id], "review.invited", _invitation_title(panel.purpose, challenge),
                 _("你作为后备专家递补进入评审专家组，请确认是否参加。"), "/review")


async def set_chair(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, seat_id: int,
                    purpose: PanelPurpose = PanelPurpose.BID) -> None:
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None or panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("只有评审进行中才能指定组长"))
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id)
                              .options(joinedload(PanelSeat.expert)))).all()
    chosen = next((s for s in seats if s.id == seat_id and s.status == SeatStatus.ACCEPTED.value), None)
    if chosen is None:
        raise DomainError(_("组长须是已接受邀请的专家组成员"))
    for seat in seats:
        seat.is_chair = seat is chosen
    await audit.record(db, clock, actor, "organizer", "panel.chair", "panel", panel.id,
                       {"expert": chosen.expert.code})
    await notify(db, clock, [chosen.expert.user_id], "review.chair",
                 _("你被指定为评审组组长：{title}").format(title=challenge.title),
                 _("组长可以查看评分进度和偏离提示，并可退回评分表重评。"), f"/review/panels/{panel.id}")


# --- what the expert sees ------------------------------------------------------------------------

@dataclass
class SeatRow:
    seat: PanelSeat
    panel: Panel
    challenge: Challenge
    submitted: int
    to_score: int


async def my_seats(db: AsyncSession, actor: Actor) -> list[SeatRow]:
    """The expert's invitations and panels, newest first, with their sheet counts (3 queries)."""
    expert = await expert_of(db, actor)
    rows = (await db.execute(
        select(PanelSeat, Panel, Challenge).join(Panel, Panel.id == PanelSeat.panel_id)
        .join(Challenge, Challenge.id == Panel.challenge_id)
        .where(PanelSeat.expert_id == expert.id, PanelSeat.status != SeatStatus.RESERVE.value)
        .order_by(Panel.drawn_at.desc(), Panel.id.desc()))).all()
    counts = await _sheet_counts(db, [p.id for _s, p, _c in rows], expert.id)
    return [SeatRow(s, p, c, *counts.get((p.id, expert.id), (0, 0))) for s, p, c in rows]


async def _sheet_counts(db: AsyncSession, panel_ids: list[int], expert_id: int | None = None
                        ) -> dict[tuple[int, int], tuple[int, int]]:
    """(panel, expert) → (submitted sheets, sheets to score, i.e. not recused)."""
    if not panel_ids:
        return {}
    stmt = (select(ScoreSheet.panel_id, ScoreSheet.expert_id,
                   func.sum(case((ScoreSheet.status == SheetStatus.SUBMITTED.value, 1), else_=0)),
                   func.count())
            .where(ScoreSheet.panel_id.in_(panel_ids), ScoreSheet.status != SheetStatus.RECUSED.value)
            .group_by(ScoreSheet.panel_id, ScoreSheet.expert_id))
    if expert_id is not None:
        stmt = stmt.where(ScoreSheet.expert_id == expert_id)
    return {(p, e): (int(s or 0), int(n)) for p, e, s, n in (await db.execute(stmt)).all()}


async def expert_panel(db: AsyncSession, actor: Actor, panel_id: int) -> tuple[Panel, Challenge, PanelSeat, Expert]:
    """A panel the actor sits on (accepted), else 404 — the same answer whether it exists or not."""
    expert = await expert_of(db, actor)
    row = (await db.execute(
        select(Panel, PanelSeat).join(PanelSeat, PanelSeat.panel_id == Panel.id)
        .where(Panel.id == panel_id, PanelSeat.expert_id == expert.id,
               PanelSeat.status == SeatStatus.ACCEPTED.value))).first() if 0 < panel_id < 2**53 else None
    if row is None:
        raise NotFound(_("没有找到这个评审专家组，或你不在其中"))
    panel, seat = row
    challenge = await load_challenge_detail(db, panel.challenge_id)
    assert challenge is not None
    return panel, challenge, seat, expert


async def my_sheets(db: AsyncSession, panel: Panel, expert: Expert) -> list[tuple[ScoreSheet, str]]:
    """The expert's sheets on a panel with each bid's review code — never a recused one."""
    rows = (await db.execute(
        select(ScoreSheet, Bid.review_code).join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.panel_id == panel.id, ScoreSheet.expert_id == expert.id,
               ScoreSheet.status != SheetStatus.RECUSED.value)
        .order_by(Bid.review_code))).all()
    return [(sheet, code or "") for sheet, code in rows]


@dataclass
class SheetContext:
    sheet: ScoreSheet
    panel: Panel
    challenge: Challenge
    expert: Expert
    code: str
    bid: BidView | None  # None for autosave, which shows nothing of the bid
    criteria: list[Criterion]
    values: dict[int, str]
    project: ProjectView | None = None  # what an acceptance panel scores, instead of the bid

    @property
    def acceptance(self) -> bool:
        return self.panel.purpose == PanelPurpose.ACCEPTANCE.value


async def expert_sheet(db: AsyncSession, actor: Actor, sheet_id: int, *, with_bid: bool = True) -> SheetContext:
    """The actor's own sheet with what scoring needs, in a fixed number of queries; the bid as the
    expert reads it only `with_bid` (autosave does not show it)."""
    row = (await db.execute(
        select(ScoreSheet, Panel, Expert, Bid.review_code).join(Panel, Panel.id == ScoreSheet.panel_id)
        .join(Expert, Expert.id == ScoreSheet.expert_id).join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.id == sheet_id, Expert.user_id == actor.user_id)
        .options(selectinload(ScoreSheet.scores)))).first() if 0 < sheet_id < 2**53 else None
    # A recused sheet answers like a missing one: the expert learns nothing about that bid.
    if row is None or row[0].status == SheetStatus.RECUSED.value:
        raise NotFound(_("没有找到这份评分表"))
    sheet, panel, expert, code = row
    challenge = await db.scalar(select(Challenge).where(Challenge.id == panel.challenge_id)
                                .options(selectinload(Challenge.criteria)))
    assert challenge is not None
    acceptance = panel.purpose == PanelPurpose.ACCEPTANCE.value
    view = await bid_view(db, sheet.bid_id, challenge.blind_review) if with_bid and not acceptance else None
    project = await project_view(db, sheet.bid_id) if with_bid and acceptance else None
    return SheetContext(sheet, panel, challenge, expert, code or "", view, criteria_for(challenge, panel.purpose),
                        {s.criterion_id: _plain(s.value) for s in sheet.scores}, project)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# --- the bid as an expert reads it ----------------------------------------------------------------

@dataclass
class BidView:
    code: str
    blind: bool
    plan: str
    commitment: str
    milestones: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    version_sha256: str
    lead: str | None = None  # only when not blind
    unit: str | None = None
    team: list[str] | None = None


REDACTED = "■■"


def redact(text: str, names: list[str]) -> str:
    """Blind the bidder's own words: their names and units become ■■ (longest first)."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, REDACTED)
    return text


async def bid_view(db: AsyncSession, bid_id: int, blind: bool) -> BidView:
    """The submitted version of a bid, as an expert may read it."""
    bid = await db.scalar(select(Bid).where(Bid.id == bid_id).options(
        joinedload(Bid.lead).joinedload(Cadre.unit),
        selectinload(Bid.members).joinedload(BidMember.cadre).joinedload(Cadre.unit)))
    assert bid is not None
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid.id,
                                                       BidVersion.version_no == bid.submitted_version))
    assert version is not None
    content = json.loads(version.content)
    people = [bid.lead] + [m.cadre for m in bid.members if m.status == MemberStatus.CONFIRMED.value]
    names = [p.name for p in people] + [p.unit.name for p in people] + [p.code for p in people]

    def shown(text: str) -> str:
        return redact(text, names) if blind else text

    milestones = [{k: shown(v) if isinstance(v, str) else v for k, v in m.items()} for m in content["milestones"]]
    attachments = [{"index": i, "title": shown(a["title"])} for i, a in enumerate(content["attachments"], start=1)]
    view = BidView(bid.review_code or "", blind, shown(content["plan"]), shown(content["commitment"]),
                   milestones, attachments, version.sha256)
    if not blind:
        view.lead, view.unit = bid.lead.name, bid.lead.unit.name
        view.team = [m.cadre.name for m in bid.members if m.status == MemberStatus.CONFIRMED.value]
    return view


# --- scoring -------------------------------------------------------------------------------------

def parse_scores(criteria: list[Criterion], raw: dict[int, str]) -> tuple[dict[int, Decimal], dict[str, str]]:
    """Each criterion's input checked against its points: values and errors keyed `c-{id}`."""
    values: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for criterion in criteria:
        text = (raw.get(criterion.id) or "").strip()
        if not text:
            continue
        key = f"c-{criterion.id}"
        try:
            number = Decimal(text)
        except InvalidOperation:
            errors[key] = _("请输入数字")
            continue
        if not number.is_finite():
            errors[key] = _("请输入数字")
        elif number < 0:
            errors[key] = _("分数不能为负数")
        elif not SCORE_PATTERN.match(text):
            errors[key] = _("最多保留一位小数") if SCORE_PATTERN.match(text.split(".")[0]) else _("请输入数字")
        elif number > criterion.points:
            errors[key] = _("不能超过本项分值 {points} 分").format(points=_plain(criterion.points))
        else:
            values[criterion.id] = number
    return values, errors


async def _claim(db: AsyncSession, sheet: ScoreSheet, revision: int, status: str | None = None) -> None:
    """Compare-and-set on the sheet's revision (and status): a stale tab or a second click of
    submit finds nothing to update and is refused, so a sheet locks once."""
    stmt = (update(ScoreSheet).where(ScoreSheet.id == sheet.id, ScoreSheet.revision == revision,
                                     ScoreSheet.status == SheetStatus.DRAFT.value)
            .values(revision=revision + 1))
    if status is not None:
        stmt = stmt.values(status=status)
    claimed = (await db.execute(stmt)).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        raise DomainError(_("这份评分表已在别处修改或已提交，请刷新页面后再操作"))
    await db.refresh(sheet, ["revision", "status"])


def _check_open(ctx: SheetContext) -> None:
    if ctx.panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，评分表不能再修改"))


async def save(db: AsyncSession, clock: Clock, actor: Actor, ctx: SheetContext, revision: int,
               raw: dict[int, str], comment: str, *, submit: bool = False) -> None:
    """Save (autosave) or submit the sheet. Bad input changes nothing."""
    _check_open(ctx)
    check(SHEET_TRANSITIONS, SheetStatus, "submit" if submit else "save", ctx.sheet.status)
    values, errors = parse_scores(ctx.criteria, raw)
    if len(comment) > 4000:
        errors["comment"] = _("评语不能超过 4000 字")
    if submit and not errors:
        errors |= {f"c-{c.id}": _("请填写本项分数") for c in ctx.criteria if c.id not in values}
    if errors:
        raise FormErrors(errors)
    await _claim(db, ctx.sheet, revision, SheetStatus.SUBMITTED.value if submit else None)
    by_criterion = {s.criterion_id: s for s in ctx.sheet.scores}
    for criterion_id, value in values.items():
        if criterion_id in by_criterion:
            by_criterion[criterion_id].value = value
        else:
            ctx.sheet.scores.append(Score(criterion_id=criterion_id, value=value))
    for criterion_id, score in by_criterion.items():
        if criterion_id not in values:
            ctx.sheet.scores.remove(score)
    ctx.sheet.comment = comment.strip()
    ctx.sheet.total = sum(values.values(), Decimal(0)) if values else None
    ctx.values = {k: _plain(v) for k, v in values.items()}
    if submit:
        ctx.sheet.submitted_at = clock.now()
        await audit.record(db, clock, actor, "expert", "sheet.submit", "score_sheet", ctx.sheet.id, {
            "panel": ctx.panel.id, "bid": ctx.code, "total": str(ctx.sheet.total),
            "scores": {str(k): str(v) for k, v in sorted(values.items())}})
    await db.flush()


async def recuse(db: AsyncSession, clock: Clock, actor: Actor, ctx: SheetContext, reason: str) -> None:
    _check_open(ctx)
    target = check(SHEET_TRANSITIONS, SheetStatus, "recuse", ctx.sheet.status)
    if not reason.strip():
        raise FormErrors({"recusal_reason": _("请说明回避的理由")})
    ctx.sheet.status, ctx.sheet.recusal_reason = target, reason.strip()
    ctx.sheet.revision += 1
    await audit.record(db, clock, actor, "expert", "sheet.recuse", "score_sheet", ctx.sheet.id,
                       {"panel": ctx.panel.id, "bid": ctx.code, "reason": reason.strip()})


# --- the chair -----------------------------------------------------------------------------------

@dataclass
class ChairRow:
    sheet: ScoreSheet
    expert: Expert
    code: str
    deviates: bool


async def chair_view(db: AsyncSession, actor: Actor, panel_id: int) -> tuple[Panel, Challenge, list[ChairRow]]:
    """Every sheet's state and whether it deviates — not the scores: they stay sealed."""
    panel, challenge, seat, _expert = await expert_panel(db, actor, panel_id)
    if not seat.is_chair:
        raise PermissionDenied(_("只有评审组组长可以查看全组评分进度"))
    rows = (await db.execute(
        select(ScoreSheet, Expert, Bid.review_code).join(Expert, Expert.id == ScoreSheet.expert_id)
        .join(Bid, Bid.id == ScoreSheet.bid_id).where(ScoreSheet.panel_id == panel.id)
        .order_by(Bid.review_code, Expert.code))).all()
    totals: dict[int, list[Decimal]] = {}
    for sheet, _e, _c in rows:
        if sheet.status == SheetStatus.SUBMITTED.value and sheet.total is not None:
            totals.setdefault(sheet.bid_id, []).append(sheet.total)
    limit = challenge.deviation_share * sum((c.points for c in criteria_for(challenge, panel.purpose)), Decimal(0))

    def deviates(sheet: ScoreSheet) -> bool:
        peers = totals.get(sheet.bid_id, [])
        if sheet.status != SheetStatus.SUBMITTED.value or sheet.total is None or len(peers) < 2:
            return False
        return abs(sheet.total - sum(peers, Decimal(0)) / len(peers)) > limit

    return panel, challenge, [ChairRow(s, e, c or "", deviates(s)) for s, e, c in rows]


async def reopen(db: AsyncSession, clock: Clock, actor: Actor, panel_id: int, sheet_id: int, reason: str) -> None:
    panel, _challenge, _rows = await chair_view(db, actor, panel_id)
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，评分表不能再退回"))
    sheet = await db.get(ScoreSheet, sheet_id) if 0 < sheet_id < 2**53 else None
    if sheet is None or sheet.panel_id != panel.id:
        raise NotFound(_("没有找到这份评分表"))
    target = check(SHEET_TRANSITIONS, SheetStatus, "reopen", sheet.status)
    if not reason.strip():
        raise FormErrors({f"reason-{sheet.id}": _("请填写退回重评的理由")})
    sheet.status, sheet.submitted_at = target, None
    sheet.revision += 1
    expert = await db.get(Expert, sheet.expert_id)
    code = await db.scalar(select(Bid.review_code).where(Bid.id == sheet.bid_id))
    assert expert is not None
    await audit.record(db, clock, actor, "expert", "sheet.reopen", "score_sheet", sheet.id,
                       {"panel": panel.id, "bid": code, "expert": expert.code, "reason": reason.strip()})
    await notify(db, clock, [expert.user_id], "review.reopened",
                 _("评分表被退回重评：{code}").format(code=code),
                 _("评审组组长退回了你对 {code} 的评分表，理由：{reason}").format(code=code, reason=reason.strip()),
                 f"/review/sheets/{sheet.id}")


# --- the organizer: progress, close, results ------------------------------------------------------

@dataclass
class SeatProgress:
    seat: PanelSeat
    submitted: int
    to_score: int


async def seats_with_progress(db: AsyncSession, panel: Panel) -> list[SeatProgress]:
    """Each drawn expert with the number of sheets submitted — counts only, never scores."""
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id)
                              .options(joinedload(PanelSeat.expert)).order_by(PanelSeat.drawn_rank))).all()
    counts = await _sheet_counts(db, [panel.id])
    return [SeatProgress(s, *counts.get((panel.id, s.expert_id), (0, 0))) for s in seats]


def missing_work(progress: list[SeatProgress]) -> int:
    """Sheets not yet submitted, plus seats still waiting for an answer."""
    waiting = sum(1 for p in progress if p.seat.status == SeatStatus.INVITED.value)
    return waiting + sum(p.to_score - p.submitted for p in progress if p.seat.status == SeatStatus.ACCEPTED.value)


def _rule(challenge: Challenge, panel: Panel) -> scoring.Rule:
    if panel.purpose == PanelPurpose.ACCEPTANCE.value:  # no winners: every project gets its grade
        return scoring.Rule(method=challenge.aggregation, trim_k=panel.trim_k,
                            deviation_share=challenge.deviation_share, pass_score=None, winners=0)
    return scoring.Rule(method=challenge.aggregation, trim_k=panel.trim_k, deviation_share=challenge.deviation_share,
                        pass_score=challenge.pass_score, winners=winners_wanted(challenge))


def winners_wanted(challenge: Challenge) -> int:
    """How many bids win: one, or the horse race's N parallel teams."""
    return challenge.horse_race_teams or 1 if challenge.mode == ChallengeMode.HORSE_RACE.value else 1


async def build_snapshot(db: AsyncSession, challenge: Challenge, panel: Panel) -> dict[str, Any]:
    """The results as frozen: inputs (rule, criteria, every submitted sheet) and outputs."""
    rows = (await db.execute(
        select(ScoreSheet, Expert.code, Bid.review_code, Bid.number).join(Expert, Expert.id == ScoreSheet.expert_id)
        .join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.panel_id == panel.id, ScoreSheet.status == SheetStatus.SUBMITTED.value)
        .options(selectinload(ScoreSheet.scores)).order_by(Bid.review_code, Expert.code))).all()
    criteria = criteria_for(challenge, panel.purpose)
    specs = [scoring.CriterionSpec(c.id, c.position, c.points) for c in criteria]
    # Quantized so the snapshot reads the same whether a value came from this session or the database.
    sheets = [scoring.SheetScores(expert, code or "", {s.criterion_id: s.value.quantize(CENT) for s in sheet.scores})
              for sheet, expert, code, _n in rows]
    rule = _rule(challenge, panel)
    result = scoring.compute(specs, sheets, rule)
    snapshot = {
        "challenge": {"id": challenge.id, "number": challenge.number, "title": challenge.title},
        "panel": panel.id,
        # Stored columns hold two places: written that way, a value from this session (a demo that
        # creates and closes at once) reads the same as one loaded from the database.
        "rule": {"method": rule.method, "trim_k": rule.trim_k, "deviation_share": _two(rule.deviation_share),
                 "pass_score": None if rule.pass_score is None else _two(rule.pass_score), "winners": rule.winners},
        "criteria": [{"id": c.id, "name": c.name, "points": _two(c.points)} for c in criteria],
        "bids": sorted({code or "": number for _s, _e, code, number in rows}.items()),
        "sheets": [{"expert": s.expert, "bid": s.bid, "total": str(s.total),
                    "scores": {str(k): str(v) for k, v in sorted(s.scores.items())}} for s in sheets],
        "result": scoring.snapshot_dict(result),
    }
    if panel.purpose == PanelPurpose.ACCEPTANCE.value:
        thresholds = Thresholds.of(challenge)
        snapshot["purpose"] = panel.purpose
        snapshot["grades"] = {"thresholds": thresholds.as_dict(),
                              "bids": {b.bid: grade_for(b.aggregate, thresholds).value for b in result.bids}}
    return snapshot


def _two(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def canonical(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


async def close(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str,
                purpose: PanelPurpose = PanelPurpose.BID) -> ReviewResult:
    """Close review: compute, freeze and hash the results. Missing sheets need a reason. An
    acceptance panel's results give the grades (execution.acceptance carries them out)."""
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None:
        raise DomainError(_("还没有抽取评审专家"))
    target = check(PANEL_TRANSITIONS, PanelStatus, "close", panel.status)
    progress = await seats_with_progress(db, panel)
    missing = missing_work(progress)
    if missing and not reason.strip():
        raise FormErrors({"reason": _("还有 {n} 份评分表或邀请未完成，提前结束须说明理由").format(n=missing)})
    if not any(p.submitted for p in progress):
        raise DomainError(_("还没有任何已提交的评分表，不能结束评审"))
    snapshot = await build_snapshot(db, challenge, panel)
    text = canonical(snapshot)
    result = ReviewResult(panel_id=panel.id, challenge_id=challenge.id, snapshot=text,
                          sha256=hashlib.sha256(text.encode()).hexdigest(), frozen_at=clock.now(),
                          frozen_by_id=actor.user_id)
    db.add(result)
    panel.status, panel.closed_at = target, clock.now()
    panel.close_reason = reason.strip() or None
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "panel.close", "panel", panel.id, {
        "challenge": challenge.id, "purpose": purpose.value, "sha256": result.sha256, "missing": missing,
        "reason": panel.close_reason, "winners": snapshot["result"]["winners"]})
    if purpose is PanelPurpose.BID and not snapshot["result"]["winners"]:
        # No bid reached the pass score: a failed listing (流榜), which may be re-published.
        await challenge_transitions.transition(db, clock, actor, challenge, "fail", {"reason": "no bid passed"})
    await notify(db, clock, [p.seat.expert.user_id for p in progress if p.seat.status == SeatStatus.ACCEPTED.value],
                 "review.closed", _("评审已结束：{title}").format(title=challenge.title),
                 _("该榜单的专家评审已结束，结果已冻结。"), "/review")
    return result


async def frozen_result(db: AsyncSession, panel: Panel) -> ReviewResult | None:
    """The panel's current results (a reopened review supersedes the earlier ones)."""
    return await db.scalar(select(ReviewResult).where(ReviewResult.panel_id == panel.id,
                                                      ReviewResult.superseded_at.is_(None))
                           .order_by(ReviewResult.id.desc()).limit(1))


async def reopen_panel(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str) -> Panel:
    """Reopen a closed bid review (an upheld objection, DESIGN §2.5): the frozen results are
    superseded and kept, the panel scores again, and the chair may reopen sheets; closing again
    freezes new results."""
    panel = await panel_of(db, challenge.id)
    if panel is None:
        raise DomainError(_("还没有抽取评审专家"))
    target = check(PANEL_TRANSITIONS, PanelStatus, "reopen", panel.status)
    current = await frozen_result(db, panel)
    if current is not None:
        current.superseded_at = clock.now()
    panel.status, panel.closed_at, panel.close_reason = target, None, None
    await audit.record(db, clock, actor, "organizer", "panel.reopen", "panel", panel.id, {
        "challenge": challenge.id, "superseded": current.sha256 if current else None, "reason": reason})
    members = (await db.scalars(select(Expert.user_id).join(PanelSeat, PanelSeat.expert_id == Expert.id)
                                .where(PanelSeat.panel_id == panel.id,
                                       PanelSeat.status == SeatStatus.ACCEPTED.value))).all()
    await notify(db, clock, members, "review.reopened_panel", _("评审重新开启：{title}").format(title=challenge.title),
                 _("结果公示期间的异议经核实成立，评审重新开启。组长可退回评分表重评，评审结束后结果重新冻结。"),
                 "/review")
    return panel


@dataclass
class Verification:
    stored_sha256: str
    recomputed_sha256: str
    snapshot_matches: bool

    @property
    def ok(self) -> bool:
        return self.snapshot_matches and self.stored_sha256 == self.recomputed_sha256


async def verify_results(db: AsyncSession, challenge_id: int,
                         purpose: PanelPurpose = PanelPurpose.BID) -> Verification:
    """Recompute the results from the stored sheets and compare with the frozen snapshot."""
    challenge = await load_challenge_detail(db, challenge_id)
    panel = await panel_of(db, challenge_id, purpose) if challenge else None
    stored = await frozen_result(db, panel) if panel else None
    if challenge is None or panel is None or stored is None:
        raise NotFound(_("该榜单没有冻结的评审结果"))
    text = canonical(await build_snapshot(db, challenge, panel))
    return Verification(stored.sha256, hashlib.sha256(text.encode()).hexdigest(), text == stored.snapshot)


async def verify_draw(db: AsyncSession, challenge_id: int,
                      purpose: PanelPurpose = PanelPurpose.BID) -> tuple[Panel, list[str]]:
    panel = await panel_of(db, challenge_id, purpose) if 0 < challenge_id < 2**53 else None
    if panel is None or panel.drawn_at is None or panel.candidates is None:
        raise NotFound(_("该榜单还没有抽取评审专家"))
    drawn_codes = json.loads(panel.drawn or "[]")
    stored_seats = (await db.execute(select(Expert.code).join(PanelSeat, PanelSeat.expert_id == Expert.id)
                                     .where(PanelSeat.panel_id == panel.id).order_by(PanelSeat.drawn_rank))).scalars()
    problems = draw_math.verify(panel.seed, panel.seed_commitment, panel.candidates, panel.candidates_sha256 or "",
                                drawn_codes, panel.size, panel.reserves)
    if list(stored_seats) != drawn_codes:
        problems.append("seats")
    return panel, problems


async def public_challenge(db: AsyncSession, challenge_id: int) -> Challenge:
    """A challenge anyone may read (published or later), for the draw's public page."""
    if not 0 < challenge_id < 2**53:
        raise NotFound(_("该榜单不存在，或尚未发布。"))
    return await get_visible_challenge(db, challenge_id, None)
