"""The award (挂帅) and the commitment (军令状), DESIGN §2.6.

After publicity ends with every objection answered, the organizer confirms the publicized
winners. Each winning bid becomes a project whose commitment letter is frozen from the bid's
submitted version (its commitment text and milestones) as canonical JSON with a SHA-256; the
lead signs it by re-entering their password, and its milestones become the binding plan.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.auth import service as accounts
from arena.auth.models import User
from arena.bids import service as bid_service
from arena.bids.models import Bid, BidMember, BidStatus, BidVersion, MemberStatus
from arena.canonical import canonical_json
from arena.challenges import transitions as challenge_transitions
from arena.challenges.models import Challenge
from arena.clock import Clock
from arena.db import get_or_none
from arena.errors import DomainError, NotFound, PermissionDenied
from arena.execution import policy
from arena.execution.models import Milestone, Project
from arena.execution.transitions import PROJECT
from arena.execution.views import ProjectView, load_project_view
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.publicity import service as publicity
from arena.units.models import Cadre


def canonical(data: dict[str, Any]) -> str:
    return canonical_json(data)


def letter_content(challenge: Challenge, bid: Bid, version: BidVersion, owner: str, awarded_on: date) -> dict[str, Any]:
    """The commitment letter: what the lead pledges, to whom, by when — from the submitted bid."""
    submitted = json.loads(version.content)
    return {
        "challenge": {"id": challenge.id, "number": challenge.number, "title": challenge.title,
                      "goals": challenge.goals, "owner": owner},
        "bid": {"number": bid.number, "version": version.version_no, "sha256": version.sha256},
        "lead": {"name": bid.lead.name, "code": bid.lead.code, "unit": bid.lead.unit.name,
                 "position": bid.lead.position},
        "team": [m.cadre.name for m in bid.members if m.status == MemberStatus.CONFIRMED.value],
        "commitment": submitted["commitment"],
        "milestones": [{"title": m["title"], "due_on": m["due_on"], "deliverable": m["deliverable"],
                        "kpi": m["kpi"]} for m in submitted["milestones"]],
        "awarded_on": awarded_on.isoformat(),
    }


async def award(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge) -> list[Project]:
    """Confirm the publicized winners: their bids win, the other reviewed bids are not chosen,
    and each winner's project waits for the lead's signature."""
    now = clock.now()
    if blockers := await publicity.award_blockers(db, challenge, now):
        raise DomainError("；".join(blockers))
    current = await publicity.current_publicity(db, challenge.id)
    assert current is not None
    winner_ids = {w["bid_id"] for w in publicity.winners_of(current)}
    await publicity.conclude(db, clock, actor, challenge)
    await challenge_transitions.transition(db, clock, actor, challenge, "award",
                                           {"winners": sorted(winner_ids), "publicity": current.seq})
    bids = (await db.scalars(select(Bid).where(Bid.challenge_id == challenge.id,
                                               Bid.status == BidStatus.QUALIFIED.value).options(
        joinedload(Bid.lead).joinedload(Cadre.unit),
        selectinload(Bid.members).joinedload(BidMember.cadre)).order_by(Bid.id))).unique().all()
    owner = challenge.owner_unit.name if challenge.owner_unit else ""
    projects = []
    for bid in bids:
        await bid_service.settle_award(db, clock, actor, bid, won=bid.id in winner_ids)
        if bid.id in winner_ids:
            projects.append(await _open_project(db, clock, actor, challenge, bid, owner))
        else:
            await notify(db, clock, [bid.lead.user_id], "bid.not_chosen",
                         _("未入选：{title}").format(title=challenge.title),
                         _("感谢参与揭榜。本榜已确定挂帅人选，你的揭榜未入选。"), f"/bids/{bid.id}")
    return projects


async def _open_project(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, bid: Bid,
                        owner: str) -> Project:
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid.id,
                                                       BidVersion.version_no == bid.submitted_version))
    assert version is not None
    now = clock.now()
    letter = canonical(letter_content(challenge, bid, version, owner, clock.today()))  # dated in Beijing
    project = Project(challenge_id=challenge.id, bid_id=bid.id, lead_id=bid.lead_id, awarded_at=now,
                      awarded_by_id=actor.user_id, commitment_content=letter,
                      commitment_sha256=hashlib.sha256(letter.encode()).hexdigest())
    db.add(project)
    await db.flush()
    for position, m in enumerate(json.loads(letter)["milestones"], start=1):
        db.add(Milestone(project_id=project.id, position=position, title=m["title"],
                         due_on=date.fromisoformat(m["due_on"]), deliverable=m["deliverable"], kpi=m["kpi"]))
    await audit.record(db, clock, actor, "organizer", "project.award", "project", project.id, {
        "challenge": challenge.id, "bid": bid.number, "commitment_sha256": project.commitment_sha256})
    team = [m.cadre.user_id for m in bid.members if m.status == MemberStatus.CONFIRMED.value]
    await notify(db, clock, [bid.lead.user_id], "project.awarded", _("挂帅：{title}").format(title=challenge.title),
                 _("你已被确定为本榜挂帅人。请阅读并签署军令状，签署后节点任务即成为约束性计划。"),
                 f"/projects/{project.id}")
    await notify(db, clock, team, "project.awarded", _("挂帅：{title}").format(title=challenge.title),
                 _("你所在的揭榜团队已被确定挂帅。"), f"/projects/{project.id}")
    return project


# --- reading and signing --------------------------------------------------------------------------

async def readable_project(db: AsyncSession, actor: Actor, project_id: int, today: date) -> ProjectView:
    """The project for its page, if the actor may read it; otherwise it answers as missing."""
    project = await get_or_none(db, Project, project_id)
    view = await load_project_view(db, project, today) if project else None
    if view is None or not policy.may_read(actor, view):
        raise NotFound(_("该项目不存在，或你无权查看"))
    return view


def require_lead(actor: Actor, view: ProjectView) -> None:
    if not policy.is_lead(actor, view):
        raise PermissionDenied(_("只有挂帅人（牵头人）本人可以办理"))


async def sign(db: AsyncSession, clock: Clock, actor: Actor, view: ProjectView, password: str, *,
               address: str | None) -> None:
    """The lead signs the letter by re-entering their password: time and content hash recorded.
    The password counts as a login attempt from `address` (auth.service.confirm_password), so
    the signing form is no way round the login throttle; a wrong or throttled one raises
    ReentryRefused, which the caller commits (the failure must count; nothing else changed)."""
    require_lead(actor, view)
    project = view.project
    PROJECT.check("sign", project.status)
    user = await db.get(User, actor.user_id)
    if user is None:
        raise PermissionDenied(_("只有挂帅人（牵头人）本人可以办理"))
    await accounts.confirm_password(db, clock, user, password, address, field="password",
                                    wrong=_("密码不正确，军令状未签署（此地址再失败 {n} 次将暂停登录该账号 15 分钟）"))
    if hashlib.sha256(project.commitment_content.encode()).hexdigest() != project.commitment_sha256:
        raise DomainError(_("军令状内容校验不一致，请联系发榜单位"))  # the stored letter was altered
    project.signed_at, project.signed_by_id = clock.now(), actor.user_id
    await PROJECT.move(db, clock, actor, "cadre", project, "sign", {
        "challenge": view.challenge.id, "sha256": project.commitment_sha256,
        "signed_at": project.signed_at.isoformat()})
    await notify(db, clock, [view.challenge.organizer_id], "project.signed",
                 _("军令状已签署：{title}").format(title=view.challenge.title),
                 _("{lead} 已签署军令状，项目进入实施。").format(lead=view.lead), f"/organizer/challenges/"
                 f"{view.challenge.id}/execution")


async def my_projects(db: AsyncSession, actor: Actor) -> list[tuple[Project, Challenge, bool]]:
    """Projects the actor leads or is on the team of: (project, challenge, leads it)."""
    cadre = await db.scalar(select(Cadre.id).where(Cadre.user_id == actor.user_id)) if actor.user_id else None
    if cadre is None:
        return []
    member_bids = select(BidMember.bid_id).where(BidMember.cadre_id == cadre,
                                                 BidMember.status == MemberStatus.CONFIRMED.value)
    rows = (await db.execute(select(Project, Challenge).join(Challenge, Challenge.id == Project.challenge_id)
                             .where((Project.lead_id == cadre) | Project.bid_id.in_(member_bids))
                             .order_by(Project.id.desc()).limit(200))).tuples().all()
    return [(p, c, p.lead_id == cadre) for p, c in rows]


