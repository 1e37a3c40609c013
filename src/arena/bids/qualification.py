"""Qualification (资格审查) by the organizer and vetting (廉政审查) by the inspector.

After the window closes the organizer opens qualification, marks each submitted bid qualified
or not (with a reason the cadre reads), and finishes: no qualified bid left means a failed
listing (流榜). The inspector may veto a bid (一票否决) with a confidential reason, or record no
objection. A veto's reason is for inspectors and organizers only: the cadre's pages say just
that the bid did not pass qualification.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.bids.models import Bid, BidMember, BidStatus, MemberStatus, Vetting, VettingDecision
from arena.bids.transitions import BID
from arena.challenges import transitions as challenge_transitions
from arena.challenges.eligibility import CadreFacts, ChallengeRules, Named, Reader, Verdict, check_eligibility
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.phase import PublicPhase, public_phase
from arena.challenges.queries import load_challenge_detail, load_unit_chain
from arena.clock import Clock
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.notify.service import notify
from arena.units.models import Cadre

register_actions({"bid.vet_clear": lazy("廉政审查无异议")})

UNDER_REVIEW = (BidStatus.SUBMITTED.value, BidStatus.QUALIFIED.value, BidStatus.DISQUALIFIED.value,
                BidStatus.VETOED.value)


@dataclass(frozen=True)
class BidUnderReview:
    bid: Bid
    verdict: Verdict  # eligibility re-checked as of the submission
    vetting: Vetting | None


async def _bids(db: AsyncSession, challenge: Challenge) -> list[Bid]:
    rows = await db.scalars(
        select(Bid).where(Bid.challenge_id == challenge.id, Bid.status.in_(UNDER_REVIEW)).order_by(Bid.number)
        .options(joinedload(Bid.lead).joinedload(Cadre.unit), joinedload(Bid.lead).selectinload(Cadre.fields),
                 selectinload(Bid.members).joinedload(BidMember.cadre).joinedload(Cadre.unit),
                 selectinload(Bid.milestones)))
    return list(rows.unique().all())


async def bids_under_review(db: AsyncSession, challenge: Challenge) -> list[BidUnderReview]:
    """Every submitted bid with its eligibility at closing time and its vetting (fixed queries,
    plus one unit-chain query per distinct bidder unit)."""
    bids = await _bids(db, challenge)
    vettings = {v.bid_id: v for v in (await db.scalars(
        select(Vetting).where(Vetting.bid_id.in_([b.id for b in bids])))).all()} if bids else {}
    # Every rule as it stood when the bid was submitted: the challenge was published then, so
    # the window is judged against the submission time, not today's status (资格审查).
    rules = replace(ChallengeRules.from_challenge(challenge), status=ChallengeStatus.PUBLISHED.value)
    at = challenge.bid_closes_at or challenge.published_at
    assert at is not None
    chains: dict[int, tuple[Named, ...]] = {}
    result = []
    for bid in bids:
        lead = bid.lead
        if lead.unit_id not in chains:
            chains[lead.unit_id] = await load_unit_chain(db, lead.unit_id)
        facts = CadreFacts(rank=lead.rank, birth_date=lead.birth_date,
                           fields=tuple(Named(f.id, f.name) for f in lead.fields), unit_chain=chains[lead.unit_id],
                           frontline=lead.frontline)
        # as of the moment it was submitted (the window was open then; ages count to the closing day)
        verdict = check_eligibility(rules, facts, bid.submitted_at or at, Reader.ORGANIZER)
        result.append(BidUnderReview(bid, verdict, vettings.get(bid.id)))
    return result


async def start(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge) -> None:
    if public_phase(challenge, clock.now()) is not PublicPhase.CLOSED:
        raise DomainError(_("揭榜截止后才能开始资格审查"))
    await challenge_transitions.transition(db, clock, actor, challenge, "start_qualifying")


async def _own_bid(db: AsyncSession, challenge: Challenge, bid_id: int) -> Bid:
    bid = await db.get(Bid, bid_id)
    if bid is None or bid.challenge_id != challenge.id:
        raise NotFound(_("该揭榜申报不存在"))
    return bid


async def decide(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, bid_id: int,
                 qualified: bool, reason: str) -> None:
    """The organizer's decision on one bid; a refusal needs a reason the cadre will read."""
    if challenge.status != ChallengeStatus.QUALIFYING.value:
        raise DomainError(_("请先开始资格审查"))
    bid = await _own_bid(db, challenge, bid_id)
    if not qualified and not reason.strip():
        raise FormErrors({f"reason-{bid_id}": _("不通过须写明原因（揭榜人可以看到）")})
    action = "qualify" if qualified else "disqualify"
    BID.check(action, bid.status)
    bid.qualification_reason = reason.strip() or None
    bid.qualified_at, bid.qualified_by_id = clock.now(), actor.user_id
    await BID.move(db, clock, actor, "organizer", bid, action, {"reason": reason.strip()})
    lead_user = await db.scalar(select(Cadre.user_id).where(Cadre.id == bid.lead_id))
    body = _("审查意见：{reason}").format(reason=reason.strip()) if reason.strip() else ""
    await notify(db, clock, [lead_user], "bid.qualification",
                 _("资格审查通过：{title}").format(title=challenge.title) if qualified
                 else _("资格审查未通过：{title}").format(title=challenge.title), body, f"/bids/{bid.id}")


@dataclass(frozen=True)
class Refused:
    """One selected bid a bulk decision could not be applied to, and why."""

    bid_id: int
    number: str
    reason: str


class BulkRefused(DomainError):
    """A bulk decision refused as a whole: `refused` says which bids stood in the way."""

    def __init__(self, selected: int, refused: list[Refused]) -> None:
        super().__init__(_("所选 {n} 份揭榜中有 {k} 份不能作此结论，全部未作更改：{items}").format(
            n=selected, k=len(refused), items="；".join(f"{r.number}：{r.reason}" for r in refused)))
        self.refused = refused


async def decide_many(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, bid_ids: list[int],
                      qualified: bool, reason: str) -> int:
    """One decision, with one reason, for several bids: each audited and notified as if decided
    alone, in the caller's transaction. All or nothing: every selected bid is checked first, and
    if any may not take the decision (vetoed, already so decided, not this challenge's) nothing
    changes and `BulkRefused` lists each one with its reason. Returns how many were decided."""
    if challenge.status != ChallengeStatus.QUALIFYING.value:
        raise DomainError(_("请先开始资格审查"))
    ids = list(dict.fromkeys(bid_ids))
    if not ids:
        raise FormErrors({"bulk": _("请先勾选要作结论的揭榜")})
    if not qualified and not reason.strip():
        raise FormErrors({"bulk-reason": _("批量不予通过须写明原因（所选揭榜人都可以看到）")})
    bids = {b.id: b for b in (await db.scalars(
        select(Bid).where(Bid.id.in_(ids), Bid.challenge_id == challenge.id))).all()}
    action = "qualify" if qualified else "disqualify"
    refused: list[Refused] = []
    for bid_id in ids:
        bid = bids.get(bid_id)
        if bid is None:
            refused.append(Refused(bid_id, str(bid_id), _("该揭榜申报不存在")))
            continue
        try:
            BID.check(action, bid.status)
        except DomainError as exc:
            vetoed = bid.status == BidStatus.VETOED.value
            message = _("已被纪检监察一票否决，不能作资格审查结论") if vetoed else exc.message
            refused.append(Refused(bid.id, bid.number or str(bid.id), message))
    if refused:
        raise BulkRefused(len(ids), refused)
    for bid_id in ids:
        await decide(db, clock, actor, challenge, bid_id, qualified, reason)
    return len(ids)


async def finish(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge) -> bool:
    """Close qualification: on to review, or a failed listing (流榜) when none qualified.
    Returns whether review follows."""
    bids = await _bids(db, challenge)
    undecided = [b.number for b in bids if b.status == BidStatus.SUBMITTED.value]
    if undecided:
        raise DomainError(_("还有 {n} 份揭榜未作结论：{numbers}").format(n=len(undecided),
                                                                  numbers="、".join(n or "" for n in undecided)))
    qualified = [b for b in bids if b.status == BidStatus.QUALIFIED.value]
    action = "start_review" if qualified else "fail"
    await challenge_transitions.transition(db, clock, actor, challenge, action, {"qualified": len(qualified)})
    return bool(qualified)


# --- the inspector ----------------------------------------------------------------------------

async def challenges_to_vet(db: AsyncSession, clock: Clock) -> list[Challenge]:
    """Challenges whose bidders the inspector may vet: window closed, qualification not over."""
    now = clock.now()
    rows = await db.scalars(select(Challenge).where(
        (Challenge.status == ChallengeStatus.QUALIFYING.value)
        | ((Challenge.status == ChallengeStatus.PUBLISHED.value) & (Challenge.bid_closes_at <= now)))
        .order_by(Challenge.bid_closes_at.desc()).limit(200))
    return list(rows.all())


async def challenge_for_vetting(db: AsyncSession, clock: Clock, challenge_id: int) -> Challenge:
    challenge = await load_challenge_detail(db, challenge_id)
    if challenge is None or public_phase(challenge, clock.now()) is not PublicPhase.CLOSED:
        raise NotFound(_("该榜单不在廉政审查阶段"))
    return challenge


async def vet(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, bid_id: int,
              veto: bool, reason: str) -> None:
    """Veto (confidential reason required) or record no objection; one decision per bid."""
    bid = await _own_bid(db, challenge, bid_id)
    if bid.status not in (BidStatus.SUBMITTED.value, BidStatus.QUALIFIED.value):
        raise DomainError(_("该揭榜当前不能再作廉政审查结论"))
    if await db.scalar(select(Vetting.id).where(Vetting.bid_id == bid.id)):
        raise DomainError(_("该揭榜已有廉政审查结论"))
    if veto and not reason.strip():
        raise FormErrors({f"veto-{bid_id}": _("一票否决须写明理由（仅纪检监察和发榜单位可见）")})
    db.add(Vetting(bid_id=bid.id, decision=(VettingDecision.VETO if veto else VettingDecision.NO_OBJECTION).value,
                   reason=reason.strip(), inspector_id=actor.user_id, decided_at=clock.now()))
    if veto:
        # The audit summary names no reason: the log is read more widely than the vetting page.
        await BID.move(db, clock, actor, "inspector", bid, "veto")
        # Nor do the notifications: the cadre learns only the outcome, the organizer only the flag.
        lead_user = await db.scalar(select(Cadre.user_id).where(Cadre.id == bid.lead_id))
        await notify(db, clock, [lead_user], "bid.qualification",
                     _("资格审查未通过：{title}").format(title=challenge.title), "", f"/bids/{bid.id}")
        await notify(db, clock, [challenge.organizer_id], "bid.veto",
                     _("纪检监察对揭榜 {number} 作出一票否决").format(number=bid.number),
                     _("理由请在资格审查页面查看。"), f"/organizer/challenges/{challenge.id}/qualification")
    else:
        await audit.record(db, clock, actor, "inspector", "bid.vet_clear", "bid", bid.id, {})


def confirmed_members(bid: Bid) -> list[BidMember]:
    return [m for m in bid.members if m.status == MemberStatus.CONFIRMED.value]


async def disqualify_after_objection(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge,
                                     bid_id: int, reason: str) -> Bid:
    """An upheld objection during publicity (公示) takes a qualified bid out: the same state
    change as qualification's refusal, with the organizer's reply as the reason the cadre reads."""
    bid = await _own_bid(db, challenge, bid_id)
    BID.check("disqualify", bid.status)
    bid.qualification_reason = reason
    bid.qualified_at, bid.qualified_by_id = clock.now(), actor.user_id
    await BID.move(db, clock, actor, "organizer", bid, "disqualify", {"reason": reason, "after": "objection"})
    lead_user = await db.scalar(select(Cadre.user_id).where(Cadre.id == bid.lead_id))
    await notify(db, clock, [lead_user], "bid.qualification",
                 _("资格审查未通过：{title}").format(title=challenge.title),
                 _("审查意见：{reason}").format(reason=reason), f"/bids/{bid.id}")
    return bid
