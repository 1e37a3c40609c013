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
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.models import AuditEvent
from arena.bids.models import Bid, BidMember, BidVersion, MemberStatus
from arena.canonical import canonical_json
from arena.challenges import queries as challenge_queries
from arena.challenges import transitions as challenge_transitions
from arena.challenges.models import Challenge, ChallengeMode, ChallengeStatus, Criterion, CriterionKind
from arena.challenges.queries import get_visible_challenge, load_challenge_detail
from arena.clock import Clock
from arena.db import get_or_none, valid_id
from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.execution.grades import Thresholds, grade_for
from arena.execution.views import ProjectView, project_view
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.review import blind as blind_words
from arena.review import policy, scoring, seal
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
from arena.review.transitions import PANEL, SEAT, SHEET
from arena.units.models import Cadre, Expert

CENT = Decimal("0.01")
NOT_OWED = tuple(sorted(policy.NOT_OWED))
"""Sheets nobody owes (policy.NOT_OWED), for `not_in` in SQL."""
SCORE_PATTERN = re.compile(r"^\d+(\.\d)?$")


# --- loading, with the object-level checks -------------------------------------------------------

organizer_challenge = challenge_queries.organizer_challenge
"""The organizer's own challenge, for review's, publicity's and execution's organizer pages: the
challenges area's loader, which asks challenges.policy.may_manage (not bids', as it used to)."""


def seat_facts(seat: PanelSeat, expert: Expert) -> policy.SeatFacts:
    """What review.policy needs to know about a seat (`expert` is the seat's)."""
    return policy.SeatFacts(expert_user_id=expert.user_id, status=seat.status, is_chair=seat.is_chair)


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


def __getattr__(name: str) -> Any:
    """The draw's functions live in review.panel_draw (commitments, beacon, proof); the old names
    `service.commit`, `candidates`, `draw_panel`, `verify_draw` keep working for callers."""
    if name in _MOVED_TO_PANEL_DRAW:
        from arena.review import panel_draw

        return getattr(panel_draw, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_MOVED_TO_PANEL_DRAW = frozenset({"commit", "candidates", "draw_panel", "verify_draw", "commit_supplement"})


def _invitation_title(purpose: PanelPurpose | str, challenge: Challenge) -> str:
    if PanelPurpose(purpose) is PanelPurpose.ACCEPTANCE:
        return _("验收评审邀请：{title}").format(title=challenge.title)
    return _("评审邀请：{title}").format(title=challenge.title)


# --- the expert's answer ------------------------------------------------------------------------

async def own_seat(db: AsyncSession, actor: Actor, seat_id: int) -> tuple[PanelSeat, Panel, Expert]:
    """The actor's own invitation (policy.holds_seat), with its panel; anyone else's: not found."""
    expert = await expert_of(db, actor)
    seat = await get_or_none(db, PanelSeat, seat_id, joinedload(PanelSeat.expert))
    if seat is None or not policy.holds_seat(actor, seat_facts(seat, seat.expert)):
        raise NotFound(_("没有找到这份评审邀请"))
    panel = await db.get(Panel, seat.panel_id)
    assert panel is not None
    return seat, panel, expert


async def answer(db: AsyncSession, clock: Clock, actor: Actor, seat_id: int, accept: bool, reason: str) -> None:
    seat, panel, expert = await own_seat(db, actor, seat_id)
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，不能再答复邀请"))
    action = "accept" if accept else "decline"
    SEAT.check(action, seat.status)
    if not accept and not reason.strip():
        raise FormErrors({"reason": _("请填写谢绝的理由")})
    seat.responded_at = clock.now()
    seat.decline_reason = None if accept else reason.strip()
    await SEAT.move(db, clock, actor, "expert", seat, action,
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
                     _("有席位空缺（专家谢绝或被替换），但已没有后备专家可以递补：可在评审页面公布补充抽取承诺。"),
                     f"/organizer/challenges/{challenge.id}/{page_of(panel.purpose)}")
        return
    reserve.invited_at = clock.now()
    await SEAT.move(db, clock, actor, "expert", reserve, "promote",
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
            .where(ScoreSheet.panel_id.in_(panel_ids), ScoreSheet.status.not_in(NOT_OWED))
            .group_by(ScoreSheet.panel_id, ScoreSheet.expert_id))
    if expert_id is not None:
        stmt = stmt.where(ScoreSheet.expert_id == expert_id)
    return {(p, e): (int(s or 0), int(n)) for p, e, s, n in (await db.execute(stmt)).all()}


async def expert_panel(db: AsyncSession, actor: Actor, panel_id: int) -> tuple[Panel, Challenge, PanelSeat, Expert]:
    """A panel the actor sits on (policy.sits_on), else 404 — the same answer whether it exists or not."""
    expert = await expert_of(db, actor)
    row = (await db.execute(
        select(Panel, PanelSeat).join(PanelSeat, PanelSeat.panel_id == Panel.id)
        .where(Panel.id == panel_id, PanelSeat.expert_id == expert.id))).first() if valid_id(panel_id) else None
    if row is None or not policy.sits_on(actor, seat_facts(row[1], expert)):
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
               ScoreSheet.status.not_in(NOT_OWED))
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
        .where(ScoreSheet.id == sheet_id)
        .options(selectinload(ScoreSheet.scores)))).first() if valid_id(sheet_id) else None
    # Another's sheet, a recused or a void one answer like a missing one (policy.may_score).
    if row is None or not policy.may_score(actor, row[2].user_id, row[0].status):
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


REDACTED = blind_words.REDACTED
redact = blind_words.redact  # the bidder's own words with every identifying value blacked out


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
    people = [bid.lead] + [m.cadre for m in bid.members]  # invited or declined, a name still tells
    names = await blind_words.identity_words(db, people) if blind else []

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


async def _claim(db: AsyncSession, sheet: ScoreSheet, revision: int, action: str, editor: str = "") -> None:
    """Compare-and-set on the sheet's revision and state, moving it by `action` (save or submit,
    SHEET): a stale tab or a second click of submit finds nothing to update and is refused, so a
    sheet locks once.

    A page posts everything it shows, so when the revision moved only because this same page
    autosaved a moment before (its answer not yet arrived when the expert pressed submit), the
    page's own post supersedes it: the claim is retried on the current revision."""
    if await _set_revision(db, sheet.id, revision, action, editor):
        await db.refresh(sheet, ["revision", "status", "editor"])
        return
    current = (await db.execute(select(ScoreSheet.revision, ScoreSheet.status, ScoreSheet.editor)
                                .where(ScoreSheet.id == sheet.id))).one()
    own_save = bool(editor) and current.editor == editor and current.status == SheetStatus.DRAFT.value
    if own_save and current.revision > revision and await _set_revision(db, sheet.id, current.revision,
                                                                         action, editor):
        await db.refresh(sheet, ["revision", "status", "editor"])
        return
    if current.status != SheetStatus.DRAFT.value:
        raise DomainError(_("这份评分表已经提交，不能再修改"))
    raise DomainError(_("这份评分表已在另一个窗口或设备上修改过，请刷新页面，核对最新内容后再操作"))


async def _set_revision(db: AsyncSession, sheet_id: int, revision: int, action: str, editor: str) -> bool:
    stmt = (update(ScoreSheet).where(ScoreSheet.id == sheet_id, ScoreSheet.revision == revision)
            .values(revision=revision + 1, editor=editor or None))
    stmt = SHEET.moving(stmt, ScoreSheet.status, action)  # only from a draft; a submit locks it
    return bool((await db.execute(stmt)).rowcount == 1)  # type: ignore[attr-defined]


def _check_open(ctx: SheetContext) -> None:
    if ctx.panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，评分表不能再修改"))


async def save(db: AsyncSession, clock: Clock, actor: Actor, ctx: SheetContext, revision: int,
               raw: dict[int, str], comment: str, *, submit: bool = False, editor: str = "") -> None:
    """Save (autosave) or submit the sheet. Bad input changes nothing. `editor` is the page's
    token (see _claim)."""
    _check_open(ctx)
    action = "submit" if submit else "save"
    before = ctx.sheet.status
    SHEET.check(action, before)
    values, errors = parse_scores(ctx.criteria, raw)
    if len(comment) > 4000:
        errors["comment"] = _("评语不能超过 4000 字")
    if submit and not errors:
        errors |= {f"c-{c.id}": _("请填写本项分数") for c in ctx.criteria if c.id not in values}
    if errors:
        raise FormErrors(errors)
    await _claim(db, ctx.sheet, revision, action, editor)
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
    # Sealed (DESIGN §5): the events carry no score, total or comment — the log is read while the
    # panel scores. A submit commits to the sheet instead; review.seal explains the commitment.
    if submit:
        ctx.sheet.submitted_at, ctx.sheet.salt = clock.now(), seal.new_salt()
        await SHEET.record(db, clock, actor, "expert", ctx.sheet, "submit", before, {
            "panel": ctx.panel.id, "bid": ctx.code, "revision": ctx.sheet.revision,
            "commitment": seal.commitment(ctx.sheet.id, values, seal.comment_digest(ctx.sheet.comment),
                                          ctx.sheet.salt)})
    else:  # a draft saved stays a draft: no state to name
        await audit.record(db, clock, actor, "expert", "sheet.save", "score_sheet", ctx.sheet.id,
                           {"panel": ctx.panel.id, "bid": ctx.code, "revision": ctx.sheet.revision})
    await db.flush()


async def recuse(db: AsyncSession, clock: Clock, actor: Actor, ctx: SheetContext, reason: str) -> None:
    _check_open(ctx)
    SHEET.check("recuse", ctx.sheet.status)
    if not reason.strip():
        raise FormErrors({"recusal_reason": _("请说明回避的理由")})
    ctx.sheet.recusal_reason = reason.strip()
    ctx.sheet.revision += 1
    # Neither the reason nor the review code in the event: in blind review a reason may name the
    # bidder, and a code beside the expert's own `expert.conflict` event (which names a cadre)
    # would tie that cadre to the code. The sheet keeps both for those who may read them.
    await SHEET.move(db, clock, actor, "expert", ctx.sheet, "recuse", {"panel": ctx.panel.id})


# --- the chair -----------------------------------------------------------------------------------

@dataclass
class ChairRow:
    """What the chair may know before close: a sheet's state and a deviation flag, no number —
    the row holds no sheet, so no page or fragment built from it can show a score."""

    sheet_id: int
    status: str
    expert: Expert
    code: str
    deviates: bool


async def chair_view(db: AsyncSession, actor: Actor, panel_id: int) -> tuple[Panel, Challenge, list[ChairRow]]:
    """Every sheet's state and whether it deviates — not the scores: they stay sealed."""
    panel, challenge, seat, expert = await expert_panel(db, actor, panel_id)
    if not policy.may_chair(actor, seat_facts(seat, expert)):
        raise PermissionDenied(_("只有评审组组长可以查看全组评分进度"))
    rows = (await db.execute(
        select(ScoreSheet, Expert, Bid.review_code).join(Expert, Expert.id == ScoreSheet.expert_id)
        .join(Bid, Bid.id == ScoreSheet.bid_id)
        .where(ScoreSheet.panel_id == panel.id, ScoreSheet.status != SheetStatus.VOID.value)
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

    return panel, challenge, [ChairRow(s.id, s.status, e, c or "", deviates(s)) for s, e, c in rows]


async def reopen(db: AsyncSession, clock: Clock, actor: Actor, panel_id: int, sheet_id: int, reason: str) -> None:
    panel, _challenge, _rows = await chair_view(db, actor, panel_id)
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，评分表不能再退回"))
    sheet = await get_or_none(db, ScoreSheet, sheet_id)
    if sheet is None or sheet.panel_id != panel.id:
        raise NotFound(_("没有找到这份评分表"))
    SHEET.check("reopen", sheet.status)
    if not reason.strip():
        raise FormErrors({f"reason-{sheet.id}": _("请填写退回重评的理由")})
    sheet.submitted_at = None
    sheet.revision += 1
    expert = await db.get(Expert, sheet.expert_id)
    code = await db.scalar(select(Bid.review_code).where(Bid.id == sheet.bid_id))
    assert expert is not None
    await SHEET.move(db, clock, actor, "expert", sheet, "reopen",
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


async def build_snapshot(db: AsyncSession, challenge: Challenge, panel: Panel, *, sealed: bool = True
                         ) -> dict[str, Any]:
    """The results as frozen: inputs (rule, criteria, every submitted sheet) and outputs. `sealed`
    adds each sheet's id, salt and comment digest, so each can be checked against the commitment
    its submit wrote (review.seal); False rebuilds a snapshot frozen before sealing existed."""
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
                    "scores": {str(k): str(v) for k, v in sorted(s.scores.items())}}
                   | (_sealed_fields(sheet) if sealed else {}) for s, (sheet, *_r) in zip(sheets, rows, strict=True)],
        "result": scoring.snapshot_dict(result),
    }
    from arena.review.opinion import snapshot_field  # it reads this module: imported here, not above

    snapshot |= snapshot_field(panel)  # the chair's 专家组综合意见, when written (absent before it existed)
    if panel.purpose == PanelPurpose.ACCEPTANCE.value:
        thresholds = Thresholds.of(challenge)
        snapshot["purpose"] = panel.purpose
        snapshot["grades"] = {"thresholds": thresholds.as_dict(),
                              "bids": {b.bid: grade_for(b.aggregate, thresholds).value for b in result.bids}}
    return snapshot


def _sealed_fields(sheet: ScoreSheet) -> dict[str, Any]:
    return {"sheet": sheet.id, "salt": sheet.salt, "comment_sha256": seal.comment_digest(sheet.comment)}


def _two(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def canonical(snapshot: dict[str, Any]) -> str:
    return canonical_json(snapshot)


async def close(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str,
                purpose: PanelPurpose = PanelPurpose.BID) -> ReviewResult:
    """Close review: compute, freeze and hash the results. Missing sheets need a reason. An
    acceptance panel's results give the grades (execution.acceptance carries them out)."""
    panel = await panel_of(db, challenge.id, purpose)
    if panel is None:
        raise DomainError(_("还没有抽取评审专家"))
    PANEL.check("close", panel.status)
    progress = await seats_with_progress(db, panel)
    missing = missing_work(progress)
    if missing and not reason.strip():
        raise FormErrors({"reason": _("还有 {n} 份评分表或邀请未完成，结束评审须说明理由").format(n=missing)})
    if not any(p.submitted for p in progress):
        raise DomainError(_("还没有任何已提交的评分表，不能结束评审"))
    snapshot = await build_snapshot(db, challenge, panel)
    text = canonical(snapshot)
    result = ReviewResult(panel_id=panel.id, challenge_id=challenge.id, snapshot=text,
                          sha256=hashlib.sha256(text.encode()).hexdigest(), frozen_at=clock.now(),
                          frozen_by_id=actor.user_id)
    db.add(result)
    panel.closed_at = clock.now()
    panel.close_reason = reason.strip() or None
    await PANEL.move(db, clock, actor, "organizer", panel, "close", {
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
    PANEL.check("reopen", panel.status)
    current = await frozen_result(db, panel)
    if current is not None:
        current.superseded_at = clock.now()
    panel.closed_at, panel.close_reason = None, None
    await PANEL.move(db, clock, actor, "organizer", panel, "reopen", {
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
    sealed: bool = False  # False: frozen before sealing, so there are no sheet commitments to check
    sheets: list[seal.SheetCheck] = field(default_factory=list)  # the frozen sheets against the chain
    changed: list[tuple[str, str]] = field(default_factory=list)  # (bid, expert) whose stored sheet moved

    @property
    def failed_sheets(self) -> list[seal.SheetCheck]:
        return [c for c in self.sheets if c.failed]

    @property
    def ok(self) -> bool:
        return (self.snapshot_matches and self.stored_sha256 == self.recomputed_sha256
                and not self.failed_sheets and not self.changed)


async def sheet_checks(db: AsyncSession, result: ReviewResult) -> list[seal.SheetCheck]:
    """Each sheet of a frozen snapshot against the commitment of its last submit before the
    freeze (a reopened and resubmitted sheet answers to its latest commitment)."""
    snapshot = json.loads(result.snapshot)
    if not seal.is_sealed(snapshot):
        return []
    ids = [str(s["sheet"]) for s in snapshot["sheets"]]
    events = (await db.execute(
        select(AuditEvent.object_id, AuditEvent.summary, AuditEvent.occurred_at)
        .where(AuditEvent.action == "sheet.submit", AuditEvent.object_type == "score_sheet",
               AuditEvent.object_id.in_(ids), AuditEvent.occurred_at <= result.frozen_at)
        .order_by(AuditEvent.seq))).all()
    commitments: dict[int, tuple[str, datetime]] = {}
    for object_id, summary, occurred_at in events:
        committed = json.loads(summary).get("commitment")
        if committed:  # later events overwrite earlier ones: the last submit counts
            commitments[int(object_id)] = (committed, occurred_at)
        else:
            commitments.pop(int(object_id), None)
    return seal.check_sheets(snapshot, commitments)


def _sheet_key(sheet: dict[str, Any]) -> tuple[str, str]:
    return str(sheet["bid"]), str(sheet["expert"])


async def verify_results(db: AsyncSession, challenge_id: int,
                         purpose: PanelPurpose = PanelPurpose.BID) -> Verification:
    """Recompute the results from the stored sheets and compare with the frozen snapshot; check
    every frozen sheet against the commitment its submit left in the audit chain. Which sheets
    fail is named: those not matching their commitment, and those changed since the freeze."""
    challenge = await load_challenge_detail(db, challenge_id)
    panel = await panel_of(db, challenge_id, purpose) if challenge else None
    stored = await frozen_result(db, panel) if panel else None
    if challenge is None or panel is None or stored is None:
        raise NotFound(_("该榜单没有冻结的评审结果"))
    frozen = json.loads(stored.snapshot)
    sealed = seal.is_sealed(frozen)
    recomputed = await build_snapshot(db, challenge, panel, sealed=sealed)
    text = canonical(recomputed)
    now = {_sheet_key(s): s for s in recomputed["sheets"]}
    then = {_sheet_key(s): s for s in frozen["sheets"]}
    changed = sorted(k for k in now.keys() | then.keys() if now.get(k) != then.get(k))
    return Verification(stored.sha256, hashlib.sha256(text.encode()).hexdigest(), text == stored.snapshot,
                        sealed, await sheet_checks(db, stored), changed)


async def public_challenge(db: AsyncSession, challenge_id: int) -> Challenge:
    """A challenge anyone may read (published or later), for the draw's public page."""
    return await get_visible_challenge(db, challenge_id, None)
