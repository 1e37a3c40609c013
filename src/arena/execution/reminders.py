"""Reminders of execution and publicity, run by `arena worker` (DESIGN §2.7: overdue milestones
are flagged and reminded). Each fires once per object and person (notify.reminders)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import Clock
from arena.execution.models import Milestone, Project, ProjectStatus
from arena.execution.transitions import OPEN_MILESTONE
from arena.i18n import gettext as _
from arena.notify.reminders import Reminder, rule
from arena.publicity.models import Publicity, PublicityStatus
from arena.units.models import Cadre


@rule("milestone.overdue")
async def overdue_milestones(db: AsyncSession, clock: Clock) -> list[Reminder]:
    """The lead and the organizer, once, when an open milestone of an active project passes its date."""
    today = clock.today()
    rows = (await db.execute(
        select(Milestone.id, Milestone.title, Milestone.due_on, Project.id, Cadre.user_id, Challenge.organizer_id,
               Challenge.title)
        .join(Project, Project.id == Milestone.project_id).join(Cadre, Cadre.id == Project.lead_id)
        .join(Challenge, Challenge.id == Project.challenge_id)
        .where(Milestone.status.in_(OPEN_MILESTONE), Milestone.due_on < today,
               Project.status == ProjectStatus.ACTIVE.value).limit(500))).tuples().all()
    found = []
    for milestone_id, title, due_on, project_id, lead_user, organizer, challenge in rows:
        body = _("“{challenge}”的节点任务“{m}”应于 {day} 完成，目前尚未考核为完成。").format(
            challenge=challenge, m=title, day=due_on.isoformat())
        if lead_user is not None:
            found.append(Reminder("milestone", milestone_id, int(lead_user), _("节点任务逾期：{m}").format(m=title),
                                  body + _("请尽快报告进展，或申请计划变更。"), f"/projects/{project_id}"))
        found.append(Reminder("milestone", milestone_id, int(organizer), _("节点任务逾期：{m}").format(m=title),
                              body, f"/projects/{project_id}"))
    return found


@rule("publicity.ended")
async def publicity_ended(db: AsyncSession, clock: Clock) -> list[Reminder]:
    """The organizer, once, when a publicity's period is over: the award may follow."""
    rows = (await db.execute(
        select(Publicity.id, Challenge.id, Challenge.organizer_id, Challenge.title)
        .join(Challenge, Challenge.id == Publicity.challenge_id)
        .where(Publicity.status == PublicityStatus.PUBLISHED.value, Publicity.ends_at <= clock.now(),
               Challenge.status == ChallengeStatus.PUBLICITY.value))).tuples().all()
    return [Reminder("publicity", publicity_id, int(organizer), _("公示期满：{title}").format(title=title),
                     _("结果公示期已满。异议全部答复后即可确定挂帅。"),
                     f"/organizer/challenges/{challenge_id}/publicity")
            for publicity_id, challenge_id, organizer, title in rows]
