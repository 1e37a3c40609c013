"""The cadre's rules for bids: drafting, team confirmation, submitting, new versions, withdrawing.

Every deadline is the server's clock (DESIGN §3). A draft carries a revision number: a save
names the revision it started from, so two tabs never silently overwrite each other. Submitting
freezes a `BidVersion` (canonical JSON and its SHA-256) that the receipt prints; nothing
submitted is ever deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.auth.models import Role
from arena.bids import policy
from arena.bids.models import Bid, BidAttachment, BidMember, BidMilestone, BidStatus, BidVersion, MemberStatus
from arena.bids.transitions import ACTIVE, BID, MEMBER
from arena.canonical import canonical_json
from arena.challenges.eligibility import ChallengeRules, check_eligibility
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.phase import window_is_open
from arena.challenges.queries import load_cadre_facts, load_challenge_detail
from arena.clock import DISPLAY_TZ, Clock
from arena.db import get_or_none, valid_id
from arena.errors import DomainError, FormErrors, NotFound
from arena.execution.models import Project, ProjectStatus
from arena.faults import pause_point
from arena.files.models import StoredFile
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.units.models import Cadre

NUMBER_LOCK_KEY = 0x41524E43


# --- finding ----------------------------------------------------------------------------------

async def cadre_of(db: AsyncSession, actor: Actor) -> Cadre:
    cadre = await db.scalar(select(Cadre).where(Cadre.user_id == actor.user_id)) if actor.user_id else None
    if cadre is None:
        raise DomainError(_("你的账号尚未关联干部信息，请联系管理员"))
    return cadre


async def get_own_bid(db: AsyncSession, actor: Actor, bid_id: int) -> Bid:
    """The bid this cadre leads (policy.is_lead), with team and milestones; anyone else's
    answers as not found."""
    bid = await get_or_none(db, Bid, bid_id, joinedload(Bid.lead),
                            selectinload(Bid.members).joinedload(BidMember.cadre), selectinload(Bid.milestones),
                            selectinload(Bid.attachments).joinedload(BidAttachment.file))
    if bid is None or not policy.is_lead(actor, bid.lead.user_id):
        raise NotFound(_("该揭榜申报不存在，或不由你牵头。"))
    return bid


def led_by(actor: Actor) -> ColumnElement[bool]:
    """The SQL twin of policy.is_lead, for the cadre's list: a condition on Bid.
    tests/bids/test_policy.py checks that both agree."""
    if actor.user_id is None or not actor.has(Role.CADRE):
        return false()
    return Bid.lead_id.in_(select(Cadre.id).where(Cadre.user_id == actor.user_id))


async def my_bids(db: AsyncSession, actor: Actor) -> list[tuple[Bid, Challenge]]:
    """Bids this cadre leads, newest first (one query)."""
    rows = await db.execute(select(Bid, Challenge).join(Challenge, Challenge.id == Bid.challenge_id)
                            .where(led_by(actor)).order_by(Bid.id.desc()).limit(200))
    return [(bid, challenge) for bid, challenge in rows.tuples().all()]


# --- starting a bid ---------------------------------------------------------------------------

async def _check_may_bid(db: AsyncSession, challenge: Challenge, cadre: Cadre, actor: Actor, now: datetime) -> None:
    if not window_is_open(challenge, now):
        raise DomainError(_("该榜单当前不在揭榜时间内（截止时间 {at}）").format(at=_when(challenge.bid_closes_at)))
    facts = await load_cadre_facts(db, actor.user_id) if actor.user_id else None
    if facts is None:
        raise DomainError(_("你的账号尚未关联干部信息，请联系管理员"))
    verdict = check_eligibility(ChallengeRules.from_challenge(challenge), facts, now)
    if not verdict.eligible:
        failed = [rule.explanation for rule in verdict.results if not rule.passed]
        raise DomainError(_("你不符合本榜揭榜条件：") + "；".join(failed))


async def start_bid(db: AsyncSession, clock: Clock, actor: Actor, challenge_id: int) -> Bid:
    """The cadre's bid on the challenge: their existing one, or a new draft when they may bid."""
    cadre = await cadre_of(db, actor)
    existing = await db.scalar(select(Bid).where(Bid.challenge_id == challenge_id, Bid.lead_id == cadre.id))
    if existing is not None:
        return existing
    challenge = await load_challenge_detail(db, challenge_id)
    if challenge is None or challenge.status != ChallengeStatus.PUBLISHED.value:
        raise NotFound(_("该榜单不存在，或尚未发布。"))
    now = clock.now()
    await _check_may_bid(db, challenge, cadre, actor, now)
    if await db.scalar(select(BidMember.id).where(BidMember.challenge_id == challenge_id,
                                                  BidMember.cadre_id == cadre.id,
                                                  BidMember.status == MemberStatus.CONFIRMED.value)):
        raise DomainError(_("你已是本榜另一揭榜团队的成员，不能再牵头揭榜"))
    bid = Bid(challenge_id=challenge_id, lead_id=cadre.id, status=BidStatus.DRAFT.value, revision=1)
    bid.milestones = [BidMilestone(position=t.position, template_id=t.id, title=t.title,
                                   due_on=_months_after(now.astimezone(DISPLAY_TZ).date(), t.due_month),
                                   deliverable=t.deliverable, kpi="")
                      for t in challenge.milestone_templates]
    bid.members, bid.attachments = [], []
    db.add(bid)
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "bid.create", "bid", bid.id, {"challenge": challenge_id})
    return bid


def _months_after(day: date, months: int) -> date:
    """The same day `months` later (the 28th when the month is shorter): a milestone's due date."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    try:
        return date(year, month, day.day)
    except ValueError:
        return date(year, month, 28)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"


# --- drafting ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MilestoneDraft:
    title: str
    due_on: date | None  # None only on a form being sent back with its errors
    deliverable: str
    kpi: str
    template_id: int | None
    row_id: int | None = None  # the row it edits; None: the challenge's row `template_id`, or a new row


@dataclass(frozen=True)
class BidDraft:
    revision: int  # the revision the form was loaded at
    plan: str
    commitment: str
    milestones: list[MilestoneDraft]


class StaleDraft(DomainError):
    """Another tab (or person) saved the draft since this form was loaded."""


async def save_draft(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, draft: BidDraft) -> None:
    """Save the draft if nobody saved it since `draft.revision`; each save bumps the revision.

    The compare-and-set is one UPDATE … WHERE revision = ?, so two saves racing cannot both win."""
    if bid.status not in (BidStatus.DRAFT.value, BidStatus.SUBMITTED.value):
        raise DomainError(_("该揭榜申报已不能修改（当前状态不允许）"))
    challenge = await db.get(Challenge, bid.challenge_id)
    assert challenge is not None
    if not window_is_open(challenge, clock.now()):
        raise DomainError(_("揭榜已截止（截止时间 {at}），草稿已保留但不能再修改").format(
            at=_when(challenge.bid_closes_at)))
    plan = _plan_milestones(bid, draft.milestones)
    await claim_revision(db, bid, draft.revision)
    bid.plan, bid.commitment = draft.plan, draft.commitment
    await _apply_milestones(db, bid, plan)
    await audit.record(db, clock, actor, "cadre", "bid.save", "bid", bid.id, {"revision": bid.revision})
    await pause_point("bid.save")  # crash tests stop the server here, mid-transaction


MAX_MILESTONES = 20


@dataclass(frozen=True)
class _MilestonePlan:
    updates: list[tuple[BidMilestone, MilestoneDraft]]
    removed: list[BidMilestone]
    added: list[MilestoneDraft]


def _plan_milestones(bid: Bid, drafts: list[MilestoneDraft]) -> _MilestonePlan:
    """Match the form's rows to the bid's: by row id, else by the challenge's milestone it covers;
    the rest are rows the bidder added. The challenge's own milestones are never dropped; a row the
    bidder added and left out of the form is."""
    by_id = {row.id: row for row in bid.milestones}
    by_template = {row.template_id: row for row in bid.milestones if row.template_id is not None}
    updates: list[tuple[BidMilestone, MilestoneDraft]] = []
    added: list[MilestoneDraft] = []
    for m in drafts:
        if m.due_on is None or not m.title:
            raise DomainError(_("每个节点都须写明名称和完成日期"))
        if m.row_id is not None:
            row = by_id.get(m.row_id)
        else:
            row = by_template.get(m.template_id) if m.template_id is not None else None
        if row is not None:
            updates.append((row, m))
        elif m.row_id is None:
            added.append(m)
        # else: a row removed meanwhile (an earlier autosave); nothing to do
    kept = {row.id for row, _m in updates}
    removed = [row for row in bid.milestones if row.id not in kept and row.template_id is None]
    if len(bid.milestones) - len(removed) + len(added) > MAX_MILESTONES:
        raise DomainError(_("节点任务最多 {n} 个").format(n=MAX_MILESTONES))
    return _MilestonePlan(updates, removed, added)


async def _apply_milestones(db: AsyncSession, bid: Bid, plan: _MilestonePlan) -> None:
    for row, m in plan.updates:
        assert m.due_on is not None
        row.title, row.due_on, row.deliverable, row.kpi = m.title, m.due_on, m.deliverable, m.kpi
    for row in plan.removed:
        bid.milestones.remove(row)
    await db.flush()  # deletes first: positions are unique per bid
    position = max((row.position for row in bid.milestones), default=0)
    for m in plan.added:
        assert m.due_on is not None
        position += 1
        bid.milestones.append(BidMilestone(position=position, template_id=None, title=m.title, due_on=m.due_on,
                                           deliverable=m.deliverable, kpi=m.kpi))
    await db.flush()


async def claim_revision(db: AsyncSession, bid: Bid, revision: int) -> None:
    """Compare-and-set on the draft's revision in one UPDATE, so of two racing saves (two tabs,
    a double click) exactly one wins; the other gets StaleDraft and changes nothing."""
    result = await db.execute(
        update(Bid).where(Bid.id == bid.id, Bid.revision == revision).values(revision=Bid.revision + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleDraft(_("此草稿已在其他窗口或设备上修改过。为避免互相覆盖，本次未保存；"
                           "请复制你的修改，刷新页面后再保存。"))
    bid.revision = revision + 1


# --- attachments ------------------------------------------------------------------------------

MAX_ATTACHMENTS = 10


async def add_attachment(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, title: str,
                         stored: StoredFile) -> BidAttachment:
    """While the bid may still change (a draft, or submitted with the window open)."""
    await _check_editable(db, clock, bid)
    if len(bid.attachments) >= MAX_ATTACHMENTS:
        raise DomainError(_("每份揭榜最多 {n} 个附件").format(n=MAX_ATTACHMENTS))
    attachment = BidAttachment(bid_id=bid.id, file_id=stored.id, title=title or stored.filename)
    bid.attachments.append(attachment)
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "bid.attach", "bid", bid.id,
                       {"title": attachment.title, "sha256": stored.sha256, "size": stored.size})
    return attachment


async def remove_attachment(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, attachment_id: int) -> None:
    await _check_editable(db, clock, bid)
    attachment = next((a for a in bid.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound(_("附件不存在"))
    bid.attachments.remove(attachment)
    await audit.record(db, clock, actor, "cadre", "bid.detach", "bid", bid.id, {"title": attachment.title})


async def _check_editable(db: AsyncSession, clock: Clock, bid: Bid) -> None:
    if bid.status not in (BidStatus.DRAFT.value, BidStatus.SUBMITTED.value):
        raise DomainError(_("该揭榜申报已不能修改（当前状态不允许）"))
    challenge = await db.get(Challenge, bid.challenge_id)
    if challenge is None or not window_is_open(challenge, clock.now()):
        raise DomainError(_("揭榜已截止，附件不能再增删"))


async def readable_attachment(db: AsyncSession, actor: Actor, bid_id: int, attachment_id: int) -> BidAttachment:
    """A bid's attachment for those who may see the bid: its lead and team, the challenge's
    organizer once it is submitted, and inspectors (policy.may_read). Anyone else: not found."""
    attachment = (await db.execute(select(BidAttachment).where(
        BidAttachment.id == attachment_id, BidAttachment.bid_id == bid_id).options(joinedload(BidAttachment.file))
    )).scalar_one_or_none() if valid_id(attachment_id) and valid_id(bid_id) else None
    bid = await db.get(Bid, bid_id) if attachment else None
    if attachment is None or bid is None or not policy.may_read(actor, await bid_facts(db, bid)):
        raise NotFound(_("附件不存在"))
    return attachment


async def bid_facts(db: AsyncSession, bid: Bid) -> policy.BidFacts:
    """What bids.policy needs to know about the bid (three small queries)."""
    lead = await db.scalar(select(Cadre.user_id).where(Cadre.id == bid.lead_id))
    team = await db.scalars(select(Cadre.user_id).join(BidMember, BidMember.cadre_id == Cadre.id)
                            .where(BidMember.bid_id == bid.id, Cadre.user_id.is_not(None)))
    organizer = await db.scalar(select(Challenge.organizer_id).where(Challenge.id == bid.challenge_id))
    assert organizer is not None
    return policy.BidFacts(lead_user_id=lead, team_user_ids=frozenset(u for u in team if u is not None),
                           organizer_id=organizer, status=bid.status, has_version=bool(bid.submitted_version))


# --- team -------------------------------------------------------------------------------------

async def invite(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, code: str, duty: str) -> BidMember:
    if bid.status != BidStatus.DRAFT.value:
        raise FormErrors({"member_code": _("提交后不能再调整团队；如需调整，请撤回后重新起草")})
    cadre = await db.scalar(select(Cadre).where(Cadre.code == code.strip()))
    if cadre is None:
        raise FormErrors({"member_code": _("没有工号为“{code}”的干部").format(code=code.strip()[:32])})
    if cadre.id == bid.lead_id or any(m.cadre_id == cadre.id for m in bid.members):
        raise FormErrors({"member_code": _("{name}已在团队中").format(name=cadre.name)})
    member = BidMember(bid_id=bid.id, challenge_id=bid.challenge_id, cadre_id=cadre.id, duty=duty.strip(),
                       status=MemberStatus.INVITED.value)
    bid.members.append(member)
    await db.flush()
    await audit.record(db, clock, actor, "cadre", "bid.invite", "bid", bid.id, {"member": cadre.code})
    challenge = await db.get(Challenge, bid.challenge_id)
    await notify(db, clock, [cadre.user_id], "bid.invite", _("揭榜团队邀请"),
                 _("{lead}邀请你加入揭榜团队：{title}").format(lead=actor.display_name,
                                                     title=challenge.title if challenge else ""),
                 "/bids#invitations")
    return member


async def remove_member(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, member_id: int) -> None:
    if bid.status != BidStatus.DRAFT.value:
        raise DomainError(_("提交后不能再调整团队；如需调整，请撤回后重新起草"))
    member = next((m for m in bid.members if m.id == member_id), None)
    if member is None:
        raise NotFound(_("团队成员不存在"))
    bid.members.remove(member)
    await audit.record(db, clock, actor, "cadre", "bid.remove_member", "bid", bid.id, {"member": member.cadre_id})


async def invitations(db: AsyncSession, actor: Actor) -> list[tuple[BidMember, Bid, Challenge, Cadre]]:
    """Team invitations waiting for this cadre (or answered), newest first: one query."""
    mine = select(Cadre.id).where(Cadre.user_id == actor.user_id).scalar_subquery()
    rows = await db.execute(
        select(BidMember, Bid, Challenge, Cadre).join(Bid, Bid.id == BidMember.bid_id)
        .join(Challenge, Challenge.id == Bid.challenge_id).join(Cadre, Cadre.id == Bid.lead_id)
        .where(BidMember.cadre_id == mine).order_by(BidMember.id.desc()).limit(100))
    return [tuple(row) for row in rows.tuples().all()]  # type: ignore[misc]


async def answer_invitation(db: AsyncSession, clock: Clock, actor: Actor, member_id: int, accept: bool) -> None:
    cadre = await cadre_of(db, actor)
    member = await db.get(BidMember, member_id)
    if member is None or member.cadre_id != cadre.id:
        raise NotFound(_("该邀请不存在"))
    if member.status != MemberStatus.INVITED.value:
        raise DomainError(_("该邀请已答复过"))
    if accept:
        other = await db.scalar(select(func.count()).select_from(BidMember).where(
            BidMember.challenge_id == member.challenge_id, BidMember.cadre_id == cadre.id,
            BidMember.status == MemberStatus.CONFIRMED.value))
        leads = await db.scalar(select(Bid.id).where(Bid.challenge_id == member.challenge_id,
                                                     Bid.lead_id == cadre.id,
                                                     Bid.status != BidStatus.WITHDRAWN.value))
        if other or leads:
            raise DomainError(_("你已在本榜的另一揭榜中（牵头或作为成员），同一榜单只能参加一个团队"))
    member.responded_at = clock.now()
    await MEMBER.move(db, clock, actor, "cadre", member, "member_confirm" if accept else "member_decline",
                      {"member": cadre.code})
    lead_user = await db.scalar(select(Cadre.user_id).join(Bid, Bid.lead_id == Cadre.id).where(Bid.id == member.bid_id))
    await notify(db, clock, [lead_user], "bid.member_answer",
                 _("{name}已确认加入团队").format(name=cadre.name) if accept
                 else _("{name}谢绝加入团队").format(name=cadre.name), "", f"/bids/{member.bid_id}#team")


# --- submitting, withdrawing ------------------------------------------------------------------

def submission_problems(bid: Bid, challenge: Challenge) -> list[str]:
    """What stops the bid from being submitted (empty: it may be)."""
    problems = []
    if not bid.plan.strip():
        problems.append(_("请填写实施方案"))
    if not bid.commitment.strip():
        problems.append(_("请填写承诺事项"))
    covered = {m.template_id for m in bid.milestones if m.template_id}
    for template in challenge.milestone_templates:
        if template.id not in covered:
            problems.append(_("节点任务“{title}”尚未安排").format(title=template.title))
    for m in bid.milestones:
        if not m.title.strip() or not m.kpi.strip():
            problems.append(_("每个节点都须写明名称和考核指标"))
            break
    waiting = [m.cadre.name for m in bid.members if m.status != MemberStatus.CONFIRMED.value]
    if waiting:
        problems.append(_("以下团队成员尚未确认：{names}").format(names="、".join(waiting)))
    return problems


def canonical_content(bid: Bid, challenge: Challenge) -> str:
    """What was submitted, in a canonical form: sorted keys, no spaces, dates ISO."""
    content: dict[str, Any] = {
        "challenge": {"id": challenge.id, "number": challenge.number},
        "lead": bid.lead.code, "plan": bid.plan, "commitment": bid.commitment,
        "team": [{"code": m.cadre.code, "duty": m.duty} for m in bid.members],
        "milestones": [{"title": m.title, "due_on": m.due_on.isoformat(), "deliverable": m.deliverable,
                        "kpi": m.kpi, "template": m.template_id} for m in bid.milestones],
        "attachments": [{"title": a.title, "file": a.file_id} for a in bid.attachments],
    }
    return canonical_json(content)


async def _next_number(db: AsyncSession, challenge: Challenge) -> str:
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBER_LOCK_KEY})
    count = await db.scalar(select(func.count()).select_from(Bid).where(
        Bid.challenge_id == challenge.id, Bid.number.is_not(None)))
    return f"{challenge.number or challenge.id}-B{int(count or 0) + 1:03d}"


async def submit(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, revision: int, *,
                 cap: int = 2) -> BidVersion:
    """`cap`: at most this many active bids per cadre at once (issue 5 §3; Settings.active_bid_cap)."""
    """Submit (or submit a new version): the window must be open by the server's clock. The
    revision the page showed is claimed first, so a double click submits once."""
    action = "resubmit" if bid.status == BidStatus.SUBMITTED.value else "submit"
    BID.check(action, bid.status)
    await claim_revision(db, bid, revision)
    challenge = await load_challenge_detail(db, bid.challenge_id)
    assert challenge is not None
    now = clock.now()
    cadre = await cadre_of(db, actor)
    await _check_may_bid(db, challenge, cadre, actor, now)
    problems = submission_problems(bid, challenge)
    if problems:
        raise DomainError(_("还不能提交：") + "；".join(problems))
    if action == "submit":
        # A won bid stops counting once its project is over (accepted or eliminated).
        finished = exists().where(Project.bid_id == Bid.id, Project.status.in_(
            [ProjectStatus.CONCLUDED.value, ProjectStatus.ELIMINATED.value]))
        active = await db.scalar(select(func.count()).select_from(Bid).where(
            Bid.lead_id == bid.lead_id, Bid.status.in_([s.value for s in ACTIVE]), ~finished))
        if int(active or 0) >= cap:
            raise DomainError(_("你已有 {n} 个在办的揭榜项目，达到上限，不能再提交").format(n=cap))
        bid.number = bid.number or await _next_number(db, challenge)
    content = canonical_content(bid, challenge)
    version_no = (bid.submitted_version or 0) + 1
    version = BidVersion(bid_id=bid.id, version_no=version_no, content=content,
                         sha256=hashlib.sha256(content.encode()).hexdigest(), submitted_at=now,
                         submitted_by_id=actor.user_id)
    db.add(version)
    bid.submitted_at, bid.submitted_version = now, version_no
    await BID.move(db, clock, actor, "cadre", bid, action,
                   {"number": bid.number, "version": version_no, "sha256": version.sha256})
    await pause_point("bid.submit")  # crash tests stop the server here, mid-transaction
    await notify(db, clock, [m.cadre.user_id for m in bid.members], "bid.submitted",
                 _("揭榜已提交：{title}").format(title=challenge.title),
                 _("你所在团队的揭榜申报（{number}）已提交第 {n} 版。").format(number=bid.number, n=version_no),
                 "/bids")
    return version


async def withdraw(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, reason: str) -> None:
    BID.check("withdraw", bid.status)
    challenge = await db.get(Challenge, bid.challenge_id)
    assert challenge is not None
    if not window_is_open(challenge, clock.now()):
        raise DomainError(_("揭榜已截止（截止时间 {at}），不能再撤回").format(at=_when(challenge.bid_closes_at)))
    if not reason.strip() and bid.status != BidStatus.DRAFT.value:  # a draft is only abandoned
        raise FormErrors({"reason": _("请填写撤回原因")})
    bid.withdrawn_at, bid.withdraw_reason = clock.now(), reason.strip()
    await BID.move(db, clock, actor, "cadre", bid, "withdraw", {"reason": reason.strip()})


# --- the award's outcome ----------------------------------------------------------------------

async def settle_award(db: AsyncSession, clock: Clock, actor: Actor, bid: Bid, *, won: bool) -> None:
    """The award's outcome for one qualified bid — chosen (挂帅) or not (未入选) — for
    execution.award: the bids area moves its own rows. The caller has checked the policy."""
    await BID.move(db, clock, actor, "organizer", bid, "win" if won else "not_chosen")


async def assign_review_codes(db: AsyncSession, challenge_id: int, seed: str) -> None:
    """评审编号 P01, P02… for a challenge's qualified bids, in an order that tells nothing about who
    bid or when: for review.panel_draw, with the draw's public randomness as `seed`, so anyone can
    recompute it. The bids area numbers its own rows."""
    bids = (await db.scalars(select(Bid).where(Bid.challenge_id == challenge_id,
                                               Bid.status == BidStatus.QUALIFIED.value))).all()
    ordered = sorted(bids, key=lambda b: hashlib.sha256(f"{seed}:bid:{b.id}".encode()).hexdigest())
    for index, bid in enumerate(ordered, start=1):
        bid.review_code = f"P{index:02d}"


async def latest_version(db: AsyncSession, bid: Bid) -> BidVersion | None:
    if not bid.submitted_version:
        return None
    return await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid.id,
                                                    BidVersion.version_no == bid.submitted_version))


async def versions(db: AsyncSession, bid: Bid) -> list[BidVersion]:
    return list((await db.scalars(select(BidVersion).where(BidVersion.bid_id == bid.id)
                                  .order_by(BidVersion.version_no.desc()))).all())
