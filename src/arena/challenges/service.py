"""The organizer's rules for challenges: drafting, publishing, amending, cancelling, new rounds.

Every function takes the session, the clock and the actor, changes state in the caller's
transaction and writes the audit event with it. Object-level permission: an organizer acts
only on challenges they organize; anyone else's answers as not found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.summary import register_values
from arena.bids.models import Bid, BidStatus
from arena.challenges import transitions
from arena.challenges.forms import ChallengeDraft, CriterionRow
from arena.challenges.models import (
    Amendment,
    Challenge,
    ChallengeAttachment,
    ChallengeMode,
    ChallengeStatus,
    Checkpoint,
    Criterion,
    CriterionKind,
    MilestoneTemplate,
    ToleranceCase,
)
from arena.challenges.queries import AMENDMENT_ITEMS, managed_by
from arena.clock import DISPLAY_TZ, Clock
from arena.errors import DomainError, FormErrors, NotFound
from arena.files.models import StoredFile
from arena.i18n import gettext as _
from arena.pagination import like_pattern
from arena.units.models import Field, Unit

NUMBER_LOCK_KEY = 0x41524E42  # serialises 榜单编号 assignment on PostgreSQL
# every state a bid can reach by being submitted (drafts and withdrawn bids do not count)
SUBMITTED_STATES = sorted(s.value for s in BidStatus if s not in (BidStatus.DRAFT, BidStatus.WITHDRAWN))


# --- reading ----------------------------------------------------------------------------------

def own_challenges(actor: Actor, status: str | None = None, q: str = "") -> Select[Any]:
    """The organizer's challenges (filter in SQL), newest first; `q` (关键词, cleaned by
    pagination.clean_search) matches the title or the challenge number."""
    stmt = select(Challenge).where(managed_by(actor))
    if status in ChallengeStatus.__members__.values():
        stmt = stmt.where(Challenge.status == status)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(Challenge.title.like(pattern, escape="\\"), Challenge.number.like(pattern, escape="\\")))
    return stmt.options(joinedload(Challenge.field)).order_by(Challenge.id.desc())


async def submitted_bid_counts(db: AsyncSession, challenge_ids: list[int]) -> dict[int, int]:
    """Bids that have been submitted (in any later state), per challenge: one query."""
    if not challenge_ids:
        return {}
    rows = await db.execute(select(Bid.challenge_id, func.count()).where(
        Bid.challenge_id.in_(challenge_ids), Bid.status.in_(SUBMITTED_STATES)).group_by(Bid.challenge_id))
    return {challenge_id: count for challenge_id, count in rows.tuples().all()}


async def has_submitted_bids(db: AsyncSession, challenge: Challenge) -> bool:
    """Once a bid is submitted the rubric and eligibility are frozen for good (issue 4 §3)."""
    return bool((await submitted_bid_counts(db, [challenge.id])).get(challenge.id))


# --- drafting ---------------------------------------------------------------------------------

async def _check_references(db: AsyncSession, draft: ChallengeDraft) -> None:
    """Ids posted for field, units and eligibility must exist (two queries)."""
    errors: dict[str, str] = {}
    field_ids = set(draft.eligible_field_ids) | ({draft.field_id} if draft.field_id else set())
    unit_ids = set(draft.eligible_unit_ids) | ({draft.owner_unit_id} if draft.owner_unit_id else set())
    known_fields = set((await db.scalars(select(Field.id).where(Field.id.in_(field_ids)))).all())
    known_units = set((await db.scalars(select(Unit.id).where(Unit.id.in_(unit_ids)))).all())
    if draft.field_id and draft.field_id not in known_fields:
        errors["field_id"] = _("领域不存在")
    if draft.owner_unit_id and draft.owner_unit_id not in known_units:
        errors["owner_unit_id"] = _("单位不存在")
    if set(draft.eligible_field_ids) - known_fields:
        errors["eligible_fields"] = _("领域不存在")
    if set(draft.eligible_unit_ids) - known_units:
        errors["eligible_units"] = _("单位不存在")
    if errors:
        raise FormErrors(errors)


SCALARS = ("title", "background", "goals", "deliverables", "field_id", "owner_unit_id", "budget", "reward",
           "duration_months", "mode", "horse_race_teams", "rank_min", "rank_max", "age_limit", "require_frontline",
           "bid_opens_at", "bid_closes_at", "pass_score", "aggregation", "blind_review", "panel_size", "panel_reserves",
           "grade_excellent", "grade_good", "grade_qualified")


async def _apply(db: AsyncSession, challenge: Challenge, draft: ChallengeDraft) -> None:
    if challenge.id is not None:
        # Rows are unique by (challenge, position), and the unit of work inserts new rows before
        # it deletes replaced ones: delete the old rows first, or a re-saved draft collides.
        challenge.criteria, challenge.milestone_templates, challenge.checkpoints = [], [], []
        challenge.tolerance_cases = []
        await db.flush()
    for name in SCALARS:
        setattr(challenge, name, getattr(draft, name))
    challenge.eligible_fields = list((await db.scalars(
        select(Field).where(Field.id.in_(draft.eligible_field_ids)))).all()) if draft.eligible_field_ids else []
    challenge.eligible_units = list((await db.scalars(
        select(Unit).where(Unit.id.in_(draft.eligible_unit_ids)))).all()) if draft.eligible_unit_ids else []
    challenge.criteria = [
        Criterion(kind=kind.value, position=i, name=c.name, points=c.points_value or Decimal(0), guidance=c.guidance)
        for kind, rows in ((CriterionKind.BID, draft.criteria), (CriterionKind.ACCEPTANCE, draft.acceptance))
        for i, c in enumerate(rows, 1)]
    challenge.milestone_templates = [MilestoneTemplate(position=i, title=m.title, due_month=int(m.due_month),
                                                       deliverable=m.deliverable)
                                     for i, m in enumerate(draft.milestones, 1)]
    challenge.checkpoints = [Checkpoint(position=i, title=cp.title, due_on=date.fromisoformat(cp.due_on))
                             for i, cp in enumerate(draft.checkpoints, 1)] \
        if draft.mode == ChallengeMode.HORSE_RACE.value else []
    challenge.tolerance_cases = [ToleranceCase(position=i, description=t.description)
                                 for i, t in enumerate(draft.tolerance, 1)]


async def create_draft(db: AsyncSession, clock: Clock, actor: Actor, draft: ChallengeDraft) -> Challenge:
    await _check_references(db, draft)
    challenge = Challenge(organizer_id=actor.user_id, status=ChallengeStatus.DRAFT.value, title=draft.title)
    challenge.eligible_fields, challenge.eligible_units = [], []
    challenge.criteria, challenge.milestone_templates, challenge.checkpoints = [], [], []
    challenge.tolerance_cases, challenge.amendments, challenge.attachments = [], [], []
    await _apply(db, challenge, draft)
    db.add(challenge)
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "challenge.create", "challenge", challenge.id,
                       {"title": draft.title})
    return challenge


async def update_draft(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge,
                       draft: ChallengeDraft) -> None:
    if challenge.status != ChallengeStatus.DRAFT.value:
        raise DomainError(_("榜单已发布，修改须通过更正公告"))
    await _check_references(db, draft)
    await _apply(db, challenge, draft)
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "challenge.update", "challenge", challenge.id,
                       {"title": draft.title})


# --- publishing -------------------------------------------------------------------------------

def _bid_criteria(challenge: Challenge) -> list[Criterion]:
    return [c for c in challenge.criteria if c.kind == CriterionKind.BID.value]


def publish_checklist(challenge: Challenge, now: datetime) -> list[str]:
    """What is missing before the challenge may be published; empty when it may."""
    missing = []
    for name, label in (("background", _("项目背景")), ("goals", _("目标与考核指标")),
                        ("deliverables", _("交付成果"))):
        if not getattr(challenge, name).strip():
            missing.append(_("请填写{label}").format(label=label))
    if challenge.field_id is None:
        missing.append(_("请选择领域"))
    if challenge.owner_unit_id is None:
        missing.append(_("请选择发榜单位"))
    if challenge.duration_months is None:
        missing.append(_("请填写实施周期"))
    if challenge.bid_opens_at is None or challenge.bid_closes_at is None:
        missing.append(_("请设置揭榜开始和截止时间"))
    elif challenge.bid_closes_at <= now:
        missing.append(_("揭榜截止时间已过，请改为将来的时间"))
    criteria = _bid_criteria(challenge)
    total = sum((c.points for c in criteria), Decimal(0))
    if not criteria:
        missing.append(_("请填写评分细则"))
    elif total != challenge.max_score:
        missing.append(_("评分细则总分为 {total} 分，须等于满分 {max} 分").format(
            total=_points(total), max=_points(challenge.max_score)))
    acceptance = [c for c in challenge.criteria if c.kind == CriterionKind.ACCEPTANCE.value]
    accepted_total = sum((c.points for c in acceptance), Decimal(0))
    if acceptance and accepted_total != challenge.max_score:
        missing.append(_("验收评分细则总分为 {total} 分，须等于满分 {max} 分").format(
            total=_points(accepted_total), max=_points(challenge.max_score)))
    if challenge.pass_score is None:
        missing.append(_("请设置合格线"))
    elif challenge.pass_score > challenge.max_score:
        missing.append(_("合格线不能高于满分"))
    if not challenge.milestone_templates:
        missing.append(_("请至少设置一个节点任务"))
    if challenge.mode == ChallengeMode.HORSE_RACE.value:
        if not challenge.horse_race_teams:
            missing.append(_("赛马制须设置并行团队数"))
        if not challenge.checkpoints:
            missing.append(_("赛马制须设置至少一个赛马节点"))
    return missing


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


async def _next_number(db: AsyncSession, year: int) -> str:
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBER_LOCK_KEY})
    prefix = f"JB-{year}-"
    last = await db.scalar(select(func.max(Challenge.number)).where(Challenge.number.like(f"{prefix}%")))
    sequence = int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{sequence:04d}"


async def publish(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge) -> None:
    now = clock.now()
    transitions.CHALLENGE.check("publish", challenge.status)
    missing = publish_checklist(challenge, now)
    if missing:
        raise DomainError(_("还不能发布：") + "；".join(missing))
    challenge.number = await _next_number(db, now.astimezone(DISPLAY_TZ).year)
    challenge.published_at = now
    await transitions.transition(db, clock, actor, challenge, "publish", {"number": challenge.number})


# --- amendments, cancelling, new rounds ---------------------------------------------------------

AMENDABLE_TEXTS = ("background", "goals", "deliverables", "reward")


@dataclass(frozen=True)
class AmendmentDraft:
    reason: str
    texts: dict[str, str]
    bid_closes_at: datetime | None
    criteria: list[CriterionRow] | None  # None: rubric unchanged


register_values("items", AMENDMENT_ITEMS)  # the audit log names what an amendment changed


def _rubric_text(criteria: list[tuple[str, Decimal]]) -> str:
    return "；".join(f"{name} {_points(points)} 分" for name, points in criteria)


async def amend(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, change: AmendmentDraft) -> None:
    """Publish a 更正公告: what changed, before and after, with the reason, kept in full."""
    transitions.CHALLENGE.check("amend", challenge.status)
    now = clock.now()
    errors: dict[str, str] = {}
    changes: list[dict[str, str]] = []  # "item": a key of queries.AMENDMENT_ITEMS, never a label
    for name, value in change.texts.items():
        if value != getattr(challenge, name):
            changes.append({"item": name, "before": getattr(challenge, name), "after": value})
    if change.bid_closes_at and change.bid_closes_at != challenge.bid_closes_at:
        if challenge.bid_closes_at and change.bid_closes_at < challenge.bid_closes_at:
            errors["bid_closes_at"] = _("截止时间只能延后，不能提前")
        elif change.bid_closes_at <= now:
            errors["bid_closes_at"] = _("新的截止时间必须晚于现在")
        else:
            changes.append({"item": "bid_closes_at", "before": _when(challenge.bid_closes_at),
                            "after": _when(change.bid_closes_at)})
    new_rubric = None
    if change.criteria is not None:
        before = [(c.name, c.points) for c in _bid_criteria(challenge)]
        after = [(c.name, c.points_value or Decimal(0)) for c in change.criteria]
        if before != after or [c.guidance for c in _bid_criteria(challenge)] != [c.guidance for c in change.criteria]:
            if await has_submitted_bids(db, challenge):
                errors["rubric"] = _("已有揭榜申报提交，评分细则不能再修改")
            elif sum((p for _n, p in after), Decimal(0)) != challenge.max_score:
                errors["rubric"] = _("评分细则总分须等于满分 {max} 分").format(max=_points(challenge.max_score))
            else:
                new_rubric = change.criteria
                changes.append({"item": "rubric", "before": _rubric_text(before), "after": _rubric_text(after)})
    if not change.reason.strip():
        errors["reason"] = _("请填写更正原因")
    if not changes and not errors:
        errors["reason"] = _("没有任何内容被修改")
    if errors:
        raise FormErrors(errors)
    for name, value in change.texts.items():
        setattr(challenge, name, value)
    if change.bid_closes_at and any(c["item"] == "bid_closes_at" for c in changes):
        challenge.bid_closes_at = change.bid_closes_at
    if new_rubric is not None:
        acceptance = [c for c in challenge.criteria if c.kind == CriterionKind.ACCEPTANCE.value]
        challenge.criteria = acceptance + [
            Criterion(kind=CriterionKind.BID.value, position=i, name=c.name, points=c.points_value or Decimal(0),
                      guidance=c.guidance) for i, c in enumerate(new_rubric, 1)]
    seq = len(challenge.amendments) + 1
    challenge.amendments.append(Amendment(seq=seq, reason=change.reason.strip(), published_at=now,
                                          author_id=actor.user_id,
                                          changes=json.dumps(changes, ensure_ascii=False, sort_keys=True)))
    await transitions.transition(db, clock, actor, challenge, "amend",
                                 {"seq": seq, "items": [c["item"] for c in changes]})


def _when(moment: datetime | None) -> str:
    return moment.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


async def cancel(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str) -> None:
    transitions.CHALLENGE.check("cancel", challenge.status)
    if not reason.strip():
        raise FormErrors({"reason": _("请填写撤榜原因")})
    challenge.cancelled_at = clock.now()
    challenge.cancel_reason = reason.strip()
    await transitions.transition(db, clock, actor, challenge, "cancel", {"reason": reason.strip()})


async def new_round(db: AsyncSession, clock: Clock, actor: Actor, old: Challenge) -> Challenge:
    """Re-publish a failed or cancelled challenge: a new draft with the same content, linked."""
    if old.status not in (ChallengeStatus.FAILED.value, ChallengeStatus.CANCELLED.value):
        raise DomainError(_("只有流榜或已撤榜的榜单才能重新发榜"))
    if await db.scalar(select(Challenge.id).where(Challenge.previous_round_id == old.id)):
        raise DomainError(_("该榜单已经重新发榜，请在新一轮榜单上继续"))
    copy = Challenge(organizer_id=actor.user_id, status=ChallengeStatus.DRAFT.value,
                     round_no=old.round_no + 1, previous_round_id=old.id,
                     **{name: getattr(old, name) for name in SCALARS if name not in ("bid_opens_at", "bid_closes_at")})
    copy.max_score, copy.deviation_share = old.max_score, old.deviation_share
    copy.eligible_fields, copy.eligible_units = list(old.eligible_fields), list(old.eligible_units)
    copy.criteria = [Criterion(kind=c.kind, position=c.position, name=c.name, points=c.points, guidance=c.guidance)
                     for c in old.criteria]
    copy.milestone_templates = [MilestoneTemplate(position=m.position, title=m.title, due_month=m.due_month,
                                                  deliverable=m.deliverable) for m in old.milestone_templates]
    copy.checkpoints = []
    copy.tolerance_cases = [ToleranceCase(position=t.position, description=t.description)
                            for t in old.tolerance_cases]
    copy.amendments, copy.attachments = [], []
    db.add(copy)
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "challenge.new_round", "challenge", copy.id,
                       {"previous": old.id, "round": copy.round_no})
    return copy


# --- attachments ------------------------------------------------------------------------------

async def add_attachment(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, title: str,
                         stored: StoredFile) -> ChallengeAttachment:
    """Attachments change with the draft; once published, the public text is fixed (issue 4 §3)."""
    if challenge.status != ChallengeStatus.DRAFT.value:
        raise DomainError(_("榜单已发布，附件不能再增删"))
    attachment = ChallengeAttachment(challenge_id=challenge.id, file_id=stored.id, title=title or stored.filename)
    db.add(attachment)
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "challenge.attach", "challenge", challenge.id,
                       {"title": attachment.title, "sha256": stored.sha256, "size": stored.size})
    return attachment


async def remove_attachment(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge,
                            attachment_id: int) -> None:
    if challenge.status != ChallengeStatus.DRAFT.value:
        raise DomainError(_("榜单已发布，附件不能再增删"))
    attachment = next((a for a in challenge.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound(_("附件不存在"))
    challenge.attachments.remove(attachment)
    await audit.record(db, clock, actor, "organizer", "challenge.detach", "challenge", challenge.id,
                       {"title": attachment.title})


def draft_from_challenge(challenge: Challenge) -> dict[str, Any]:
    """The form's values for an existing challenge (strings, as the form shows them)."""
    values: dict[str, Any] = {name: getattr(challenge, name) for name in SCALARS}
    for name in ("bid_opens_at", "bid_closes_at"):
        moment = getattr(challenge, name)
        values[name] = moment.astimezone(DISPLAY_TZ).strftime("%Y-%m-%dT%H:%M") if moment else ""
    values["eligible_fields"] = [str(f.id) for f in challenge.eligible_fields]
    values["eligible_units"] = [str(u.id) for u in challenge.eligible_units]
    values["criteria"] = [CriterionRow(c.name, _points(c.points), c.guidance) for c in _bid_criteria(challenge)]
    values["acceptance"] = [CriterionRow(c.name, _points(c.points), c.guidance) for c in challenge.criteria
                            if c.kind == CriterionKind.ACCEPTANCE.value]
    values["milestones"] = [{"title": m.title, "due_month": str(m.due_month), "deliverable": m.deliverable}
                            for m in challenge.milestone_templates]
    values["checkpoints"] = [{"title": c.title, "due_on": c.due_on.isoformat()} for c in challenge.checkpoints]
    values["tolerance"] = [{"description": t.description} for t in challenge.tolerance_cases]
    return values

