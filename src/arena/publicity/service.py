"""Publicity rules (公示, DESIGN §2.5): publish frozen results for N working days, take
objections, answer them, and say what still blocks the award. No HTTP here; every change
writes its audit event in the caller's transaction.

Anonymity: who filed an objection is read by the organizer and inspectors only. Nothing here
that the public pages use (`public_results`) loads an objector.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.auth.models import User
from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus
from arena.bids.qualification import disqualify_after_objection
from arena.canonical import canonical_json
from arena.challenges import transitions as challenge_transitions
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.queries import publicly_visible
from arena.clock import Clock, day_of
from arena.db import get_or_none, valid_id
from arena.errors import DomainError, FormErrors, NotFound
from arena.files.models import StoredFile
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.publicity import policy
from arena.publicity.models import (
    Objection,
    ObjectionAction,
    ObjectionEvidence,
    ObjectionStatus,
    Publicity,
    PublicityStatus,
)
from arena.publicity.rules import DEFAULT_WORKING_DAYS, MAX_WORKING_DAYS, Period, proposed_winners, publicity_period
from arena.publicity.transitions import OBJECTION, PUBLICITY
from arena.review import results as review_results
from arena.review import service as review
from arena.review.models import PanelStatus, ReviewResult
from arena.review.seal import SheetCheck
from arena.units.models import Cadre
from arena.workdays.days import MissingYear
from arena.workdays.service import load_calendar, missing_year_message

REASON_MAX = 4000
REPLY_MAX = 4000
MAX_EVIDENCE = 5


# --- reading -------------------------------------------------------------------------------------

async def current_publicity(db: AsyncSession, challenge_id: int) -> Publicity | None:
    """The challenge's latest publicity, whatever its state."""
    return await db.scalar(select(Publicity).where(Publicity.challenge_id == challenge_id)
                           .order_by(Publicity.seq.desc()).limit(1))


def is_running(publicity: Publicity | None, now: datetime) -> bool:
    """Objections may be filed: published, not withdrawn, and the clock before the end."""
    return publicity is not None and publicity.status == PublicityStatus.PUBLISHED.value and now < publicity.ends_at


def winners_of(publicity: Publicity) -> list[dict[str, Any]]:
    return list(json.loads(publicity.winners))


async def open_objections(db: AsyncSession, challenge_id: int) -> int:
    return int(await db.scalar(select(func.count()).select_from(Objection).where(
        Objection.challenge_id == challenge_id, Objection.status == ObjectionStatus.OPEN.value)) or 0)


async def award_blockers(db: AsyncSession, challenge: Challenge, now: datetime) -> list[str]:
    """Why the award may not happen yet — empty when it may (DESIGN §2.5: not while publicity
    runs or any objection is open)."""
    if challenge.status != ChallengeStatus.PUBLICITY.value:
        return [_("榜单不在结果公示阶段")]
    publicity = await current_publicity(db, challenge.id)
    blockers = []
    if publicity is None or publicity.status != PublicityStatus.PUBLISHED.value:
        blockers.append(_("结果尚未公示（或公示已撤回，须重新公示）"))
    elif now < publicity.ends_at:
        blockers.append(_("公示期至 {day} 结束，期满后才能确定挂帅").format(day=publicity.last_day.isoformat()))
    if waiting := await open_objections(db, challenge.id):
        blockers.append(_("还有 {n} 件异议未答复").format(n=waiting))
    return blockers


# --- publishing ----------------------------------------------------------------------------------

async def _current_result(db: AsyncSession, challenge: Challenge) -> ReviewResult:
    panel = await review.panel_of(db, challenge.id)
    result = (await review_results.frozen_result(db, panel)
              if panel and panel.status == PanelStatus.CLOSED.value else None)
    if result is None:
        raise DomainError(_("评审结束、结果冻结后才能公示"))
    return result


async def _excluded_codes(db: AsyncSession, challenge: Challenge, snapshot: dict[str, Any]) -> list[str]:
    """Review codes of ranked bids that no longer hold their qualification (an upheld objection)."""
    codes = [row["bid"] for row in snapshot["result"]["bids"]]
    rows = (await db.execute(select(Bid.review_code, Bid.status).where(
        Bid.challenge_id == challenge.id, Bid.review_code.in_(codes)))).all()
    return sorted(code for code, status in rows if status != BidStatus.QUALIFIED.value and code)


async def _winner_entries(db: AsyncSession, challenge: Challenge, snapshot: dict[str, Any],
                          codes: list[str]) -> list[dict[str, Any]]:
    """What the announcement says of each proposed winner: names are public from here on."""
    bids = {b.review_code: b for b in (await db.scalars(
        select(Bid).where(Bid.challenge_id == challenge.id, Bid.review_code.in_(codes)).options(
            joinedload(Bid.lead).joinedload(Cadre.unit),
            selectinload(Bid.members).joinedload(BidMember.cadre)))).unique().all()}
    aggregates = {row["bid"]: row["aggregate"] for row in snapshot["result"]["bids"]}
    return [{"bid": code, "bid_id": bids[code].id, "number": bids[code].number, "lead": bids[code].lead.name,
             "unit": bids[code].lead.unit.name, "aggregate": aggregates[code],
             "team": [m.cadre.name for m in bids[code].members if m.status == MemberStatus.CONFIRMED.value]}
            for code in codes]


async def period_for(db: AsyncSession, published_at: datetime, working_days: int) -> Period:
    """The period by the stored working-day calendar, or a message telling the admin which
    year's arrangement to enter."""
    start = day_of(published_at)
    calendar = await load_calendar(db, start, start + timedelta(days=working_days * 3 + 40))
    try:
        return publicity_period(published_at, working_days, calendar)
    except MissingYear as missing:
        raise DomainError(missing_year_message(missing)) from missing


def parse_working_days(raw: str) -> int:
    text = (raw or "").strip() or str(DEFAULT_WORKING_DAYS)
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKING_DAYS:
        raise FormErrors({"working_days": _("公示期须为 1–{n} 个工作日").format(n=MAX_WORKING_DAYS)})
    return int(text)


async def publish(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, working_days: int) -> Publicity:
    """Publish the frozen results (or publish again after an upheld objection withdrew them)."""
    again = challenge.status == ChallengeStatus.PUBLICITY.value
    if challenge.status != ChallengeStatus.REVIEWING.value and not again:
        raise DomainError(_("评审结束后才能发布结果公示"))
    previous = await current_publicity(db, challenge.id)
    if previous is not None and previous.status == PublicityStatus.PUBLISHED.value:
        raise DomainError(_("结果已在公示中"))
    result = await _current_result(db, challenge)
    snapshot = json.loads(result.snapshot)
    excluded = await _excluded_codes(db, challenge, snapshot)
    codes = proposed_winners(snapshot["result"]["bids"], excluded, review_results.winners_wanted(challenge))
    if not codes:
        raise DomainError(_("没有达到合格线且仍具备资格的揭榜，不能公示"))
    now = clock.now()
    period = await period_for(db, now, working_days)
    publicity = Publicity(
        challenge_id=challenge.id, seq=(previous.seq + 1) if previous else 1, result_id=result.id,
        results_sha256=result.sha256, excluded=json.dumps(excluded), working_days=working_days,
        winners=canonical_json(await _winner_entries(db, challenge, snapshot, codes)),
        first_day=period.first_day, last_day=period.last_day, published_at=now,
        ends_at=period.ends_at, published_by_id=actor.user_id)
    db.add(publicity)
    await db.flush()
    await challenge_transitions.transition(db, clock, actor, challenge, "republicize" if again else "publicize",
                                           {"publicity": publicity.seq})
    await audit.record(db, clock, actor, "organizer", "publicity.publish", "publicity", publicity.id, {
        "challenge": challenge.id, "seq": publicity.seq, "results_sha256": result.sha256, "winners": codes,
        "excluded": excluded, "working_days": working_days, "last_day": period.last_day.isoformat()})
    leads = (await db.scalars(select(Cadre.user_id).join(Bid, Bid.lead_id == Cadre.id).where(
        Bid.challenge_id == challenge.id, Bid.review_code.is_not(None)))).all()
    await notify(db, clock, leads, "publicity.published", _("评审结果公示：{title}").format(title=challenge.title),
                 _("评审结果已公示至 {day}，公示期间可提出异议。").format(day=period.last_day.isoformat()),
                 f"/results/{challenge.id}")
    return publicity


# --- objections ----------------------------------------------------------------------------------

def check_objection_text(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise FormErrors({"reason": _("请写明异议的事实和理由")})
    if len(reason) > REASON_MAX or "\x00" in reason:
        raise FormErrors({"reason": _("异议理由最多 {n} 个字符").format(n=REASON_MAX)})
    return reason


async def file_objection(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str,
                         evidence: list[tuple[str, StoredFile]]) -> Objection:
    """Any logged-in person may object while the publicity runs; the public never learns who."""
    publicity = await current_publicity(db, challenge.id)
    now = clock.now()
    if not is_running(publicity, now):
        raise DomainError(_("当前不在公示期内，不能提出异议"))
    assert publicity is not None
    reason = check_objection_text(reason)
    if len(evidence) > MAX_EVIDENCE:
        raise FormErrors({"evidence": _("证明材料最多 {n} 个文件").format(n=MAX_EVIDENCE)})
    seq = int(await db.scalar(select(func.coalesce(func.max(Objection.seq), 0))
                              .where(Objection.challenge_id == challenge.id)) or 0) + 1
    objection = Objection(challenge_id=challenge.id, publicity_id=publicity.id, seq=seq, objector_id=actor.user_id,
                          reason=reason, filed_at=now)
    objection.evidence = [ObjectionEvidence(file_id=f.id, title=(title or f.filename)[:200]) for title, f in evidence]
    db.add(objection)
    await db.flush()
    await audit.record(db, clock, actor, "user", "objection.file", "objection", objection.id, {
        "challenge": challenge.id, "publicity": publicity.seq, "seq": seq, "evidence": len(evidence)})
    await notify(db, clock, [challenge.organizer_id], "objection.filed",
                 _("收到异议：{title}").format(title=challenge.title),
                 _("结果公示期间收到第 {n} 件异议，请核实后答复。公示期满且异议全部答复后才能确定挂帅。").format(n=seq),
                 f"/organizer/challenges/{challenge.id}/publicity#objections")
    return objection


@dataclass(frozen=True)
class Answer:
    uphold: bool
    reply: str
    action: ObjectionAction | None = None
    target_bid_id: int | None = None


def parse_answer(raw: dict[str, str]) -> Answer:
    errors: dict[str, str] = {}
    verdict = raw.get("verdict", "")
    if verdict not in ("upheld", "dismissed"):
        errors["verdict"] = _("请选择异议是否成立")
    reply = raw.get("reply", "").strip()
    if not reply:
        errors["reply"] = _("请填写答复意见（异议人可以看到）")
    elif len(reply) > REPLY_MAX:
        errors["reply"] = _("答复意见最多 {n} 个字符").format(n=REPLY_MAX)
    action: ObjectionAction | None = None
    target: int | None = None
    if verdict == "upheld":
        try:
            action = ObjectionAction(raw.get("action", ""))
        except ValueError:
            errors["action"] = _("异议成立时须选择处理方式：取消某份揭榜的资格，或重新开启评审")
        if action is ObjectionAction.DISQUALIFY:
            text = raw.get("target", "")
            if not text.isdigit():
                errors["target"] = _("请选择要取消资格的揭榜")
            else:
                target = int(text)
    if errors:
        raise FormErrors(errors)
    return Answer(verdict == "upheld", reply, action, target)


async def organizer_objection(db: AsyncSession, actor: Actor, challenge: Challenge, objection_id: int) -> Objection:
    """An objection to this challenge, for its organizer to answer (policy.may_answer_objection);
    anyone else — an organizer whose role was taken away too — is told it does not exist."""
    objection = await get_or_none(db, Objection, objection_id)
    if (objection is None or objection.challenge_id != challenge.id
            or not policy.may_answer_objection(actor, challenge.organizer_id)):
        raise NotFound(_("该异议不存在"))
    return objection


async def answer_objection(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, objection_id: int,
                           answer: Answer) -> Objection:
    """Uphold (with the action it leads to, carried out at once) or dismiss, with a reply."""
    objection = await organizer_objection(db, actor, challenge, objection_id)
    action = "uphold" if answer.uphold else "dismiss"
    OBJECTION.check(action, objection.status)
    if answer.uphold:
        await _carry_out(db, clock, actor, challenge, objection, answer)
    objection.reply, objection.answered_at, objection.answered_by_id = answer.reply, clock.now(), actor.user_id
    objection.action = answer.action.value if answer.action else None
    objection.target_bid_id = answer.target_bid_id
    await OBJECTION.move(db, clock, actor, "organizer", objection, action, {
        "challenge": challenge.id, "seq": objection.seq, "action": objection.action,
        "target_bid": answer.target_bid_id})
    await notify(db, clock, [objection.objector_id], "objection.answered",
                 _("异议已答复：{title}").format(title=challenge.title),
                 (_("经核实，异议成立。") if answer.uphold else _("经核实，异议不成立。"))
                 + _("答复意见：{reply}").format(reply=answer.reply), "/objections")
    return objection


async def _carry_out(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, objection: Objection,
                     answer: Answer) -> None:
    """The recorded action of an upheld objection. The running publicity is withdrawn either way:
    what it announced is no longer right."""
    if challenge.status != ChallengeStatus.PUBLICITY.value:
        raise DomainError(_("评审已重新开启，待结果重新公示后再处理其他异议，或认定其不成立"))
    publicity = await current_publicity(db, challenge.id)
    if answer.action is ObjectionAction.DISQUALIFY:
        assert answer.target_bid_id is not None
        bid = await db.get(Bid, answer.target_bid_id)
        if bid is None or bid.challenge_id != challenge.id or bid.status != BidStatus.QUALIFIED.value:
            raise FormErrors({"target": _("只能取消参加评审且仍具备资格的揭榜")})
        await disqualify_after_objection(db, clock, actor, challenge, bid.id,
                                         _("结果公示期间异议经核实成立：{reply}").format(reply=answer.reply))
    if publicity is not None and publicity.status == PublicityStatus.PUBLISHED.value:
        publicity.closed_at = clock.now()
        publicity.withdraw_reason = _("第 {n} 件异议成立").format(n=objection.seq)
        await PUBLICITY.move(db, clock, actor, "organizer", publicity, "withdraw",
                             {"challenge": challenge.id, "objection": objection.seq, "action": answer.action})
    if answer.action is ObjectionAction.REOPEN_REVIEW:
        await challenge_transitions.transition(db, clock, actor, challenge, "reopen_review",
                                               {"objection": objection.seq})
        await review_results.reopen_panel(db, clock, actor, challenge, answer.reply)
        return
    result = await _current_result(db, challenge)
    snapshot = json.loads(result.snapshot)
    left = proposed_winners(snapshot["result"]["bids"], await _excluded_codes(db, challenge, snapshot),
                            review_results.winners_wanted(challenge))
    if not left:  # nobody above the pass score keeps their qualification: a failed listing (流榜)
        await challenge_transitions.transition(db, clock, actor, challenge, "fail",
                                               {"reason": "objection upheld", "objection": objection.seq})


async def conclude(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge) -> Publicity:
    """Close the publicity at the award (the award has checked `award_blockers`)."""
    publicity = await current_publicity(db, challenge.id)
    assert publicity is not None
    publicity.closed_at = clock.now()
    await PUBLICITY.move(db, clock, actor, "organizer", publicity, "conclude", {"challenge": challenge.id})
    return publicity


# --- what each person may read -------------------------------------------------------------------

async def disqualifiable_bids(db: AsyncSession, challenge: Challenge) -> list[tuple[int, str]]:
    """Bids an upheld objection may disqualify (the qualified ones that were reviewed), labelled
    for the organizer: review code, bid number and lead."""
    rows = (await db.execute(
        select(Bid.id, Bid.review_code, Bid.number, Cadre.name).join(Cadre, Cadre.id == Bid.lead_id)
        .where(Bid.challenge_id == challenge.id, Bid.status == BidStatus.QUALIFIED.value,
               Bid.review_code.is_not(None)).order_by(Bid.review_code))).all()
    return [(bid_id, f"{code} · {number} · {name}") for bid_id, code, number, name in rows]


@dataclass
class ObjectionRow:
    objection: Objection
    objector: str  # display name: organizer and inspector pages only


async def objections_for_organizer(db: AsyncSession, challenge: Challenge) -> list[ObjectionRow]:
    rows = (await db.execute(
        select(Objection, User.display_name).join(User, User.id == Objection.objector_id)
        .where(Objection.challenge_id == challenge.id).options(
            selectinload(Objection.evidence).joinedload(ObjectionEvidence.file))
        .order_by(Objection.seq.desc()))).unique().all()
    return [ObjectionRow(o, name) for o, name in rows]


async def my_objections(db: AsyncSession, actor: Actor) -> list[tuple[Objection, Challenge]]:
    rows = (await db.execute(
        select(Objection, Challenge).join(Challenge, Challenge.id == Objection.challenge_id)
        .where(Objection.objector_id == actor.user_id)
        .options(selectinload(Objection.evidence).joinedload(ObjectionEvidence.file))
        .order_by(Objection.id.desc()).limit(200))).unique().all()
    return [(o, c) for o, c in rows]


async def readable_evidence(db: AsyncSession, actor: Actor, objection_id: int, evidence_id: int) -> ObjectionEvidence:
    """Evidence for the objector, the challenge's organizer and inspectors
    (policy.may_read_evidence); others get 404."""
    found = await db.scalar(select(ObjectionEvidence).where(
        ObjectionEvidence.id == evidence_id, ObjectionEvidence.objection_id == objection_id)
        .options(joinedload(ObjectionEvidence.file))) if valid_id(evidence_id) else None
    objection = await db.get(Objection, objection_id) if found else None
    challenge = await db.get(Challenge, objection.challenge_id) if objection else None
    allowed = objection is not None and challenge is not None and policy.may_read_evidence(
        actor, objection.objector_id, challenge.organizer_id)
    if not allowed or found is None:
        raise NotFound(_("材料不存在"))
    return found


@dataclass
class PublicResults:
    challenge: Challenge
    publicity: Publicity
    result: ReviewResult
    snapshot: dict[str, Any]
    winners: list[dict[str, Any]]
    excluded: list[str]
    recomputed_sha256: str
    objections_total: int
    objections_open: int
    running: bool
    criteria: list[dict[str, Any]] = field(default_factory=list)
    # Each frozen sheet against the commitment its submit left in the audit chain (DESIGN §5);
    # empty for results frozen before sealing was introduced.
    sheet_checks: list[SheetCheck] = field(default_factory=list)

    @property
    def sealed(self) -> bool:
        return bool(self.sheet_checks)

    @property
    def sheets_ok(self) -> bool:
        return not any(c.failed for c in self.sheet_checks)

    @property
    def hash_ok(self) -> bool:
        return self.recomputed_sha256 == self.result.sha256 == self.publicity.results_sha256

    @property
    def winner_codes(self) -> set[str]:
        return {w["bid"] for w in self.winners}


async def public_results(db: AsyncSession, challenge_id: int, now: datetime) -> PublicResults:
    """What anyone may read once results are published: the ranking by review code, the
    winners by name, the hash recomputed from the stored snapshot, and objection counts."""
    row = (await db.execute(
        select(Challenge, Publicity, ReviewResult).join(Publicity, Publicity.challenge_id == Challenge.id)
        .join(ReviewResult, ReviewResult.id == Publicity.result_id)
        .where(Challenge.id == challenge_id, publicly_visible())
        .options(joinedload(Challenge.owner_unit)).order_by(Publicity.seq.desc()).limit(1))).first() \
        if valid_id(challenge_id) else None
    if row is None:
        raise NotFound(_("该榜单的评审结果尚未公示"))
    challenge, publicity, result = row
    snapshot = json.loads(result.snapshot)
    total, waiting = (await db.execute(select(
        func.count(), func.sum(case((Objection.status == ObjectionStatus.OPEN.value, 1), else_=0)))
        .where(Objection.challenge_id == challenge.id))).one()
    return PublicResults(challenge, publicity, result, snapshot, winners_of(publicity), json.loads(publicity.excluded),
                         hashlib.sha256(result.snapshot.encode()).hexdigest(), int(total or 0), int(waiting or 0),
                         is_running(publicity, now), list(snapshot["criteria"]),
                         await review_results.sheet_checks(db, result))
