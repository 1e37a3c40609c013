"""Horse race (赛马制), DESIGN §2.7: at each checkpoint, in order, the organizer sees the
active teams ranked on their assessment scores and eliminates the last (末位淘汰) — unless they
record why not. The ranking decided on is frozen on the checkpoint. After the final checkpoint
the teams still active are the winners, who go on to acceptance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.challenges.models import Challenge, ChallengeMode, ChallengeStatus, Checkpoint, CheckpointStatus
from arena.clock import Clock
from arena.errors import DomainError, FormErrors, NotFound
from arena.execution.award import canonical
from arena.execution.models import Assessment, Project, ProjectStatus
from arena.execution.ranking import TeamRank, last_placed, rank_teams
from arena.execution.transitions import CHECKPOINT, PROJECT
from arena.i18n import gettext as _
from arena.notify.service import notify
from arena.records import proposals
from arena.units.models import Cadre


@dataclass
class RankedTeam:
    rank: TeamRank
    project: Project
    lead: str
    lead_user_id: int | None


async def ranking(db: AsyncSession, challenge: Challenge) -> list[RankedTeam]:
    """The active teams in rank order by the mean of all their assessment scores so far (2 queries)."""
    rows = (await db.execute(select(Project, Cadre.name, Cadre.user_id).join(Cadre, Cadre.id == Project.lead_id)
                             .where(Project.challenge_id == challenge.id,
                                    Project.status == ProjectStatus.ACTIVE.value))).tuples().all()
    scores: dict[int, list[Decimal]] = {p.id: [] for p, _n, _u in rows}
    for project_id, score in (await db.execute(select(Assessment.project_id, Assessment.score)
                                               .where(Assessment.project_id.in_(list(scores))))).tuples().all():
        scores[project_id].append(score)
    by_id = {p.id: (p, name, user_id) for p, name, user_id in rows}
    return [RankedTeam(r, *by_id[r.project_id]) for r in rank_teams(scores)]


def next_checkpoint(challenge: Challenge) -> Checkpoint | None:
    return next((c for c in challenge.checkpoints if c.status == CheckpointStatus.PENDING.value), None)


async def decide(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, checkpoint_id: int,
                 eliminate: int | None, keep_reason: str) -> Checkpoint:
    """Freeze the ranking on the checkpoint and eliminate the chosen last-placed team, or keep
    every team with a recorded reason."""
    if challenge.mode != ChallengeMode.HORSE_RACE.value or challenge.status != ChallengeStatus.EXECUTING.value:
        raise DomainError(_("只有实施中的赛马制榜单才有赛马节点比选"))
    checkpoint = next((c for c in challenge.checkpoints if c.id == checkpoint_id), None)
    if checkpoint is None:
        raise NotFound(_("该赛马节点不存在"))
    CHECKPOINT.check("decide", checkpoint.status)
    if checkpoint is not next_checkpoint(challenge):
        raise DomainError(_("请按顺序比选：先完成前面的赛马节点"))
    if await db.scalar(select(Project.id).where(Project.challenge_id == challenge.id,
                                                Project.status == ProjectStatus.PENDING_SIGNATURE.value)):
        raise DomainError(_("还有挂帅人未签署军令状，签署后才能比选"))
    teams = await ranking(db, challenge)
    eliminated: RankedTeam | None = None
    if eliminate is not None:
        eliminated = next((t for t in teams if t.project.id == eliminate), None)
        if eliminated is None or eliminate not in last_placed([t.rank for t in teams]):
            raise FormErrors({"eliminate": _("末位淘汰只能淘汰排名最后的团队")})
        if len(teams) <= 1:
            raise FormErrors({"eliminate": _("只剩一个团队，不能再淘汰")})
    elif not keep_reason.strip():
        raise FormErrors({"keep_reason": _("不实行末位淘汰的，须写明理由")})
    elif len(keep_reason) > 2000:
        raise FormErrors({"keep_reason": _("理由最多 2000 个字符")})
    frozen = [{"project": t.project.id, "lead": t.lead, "rank": t.rank.rank, "assessments": t.rank.assessments,
               "mean": None if t.rank.mean is None else str(t.rank.mean)} for t in teams]
    checkpoint.ranking = canonical({"teams": frozen})
    checkpoint.eliminated_project_id = eliminated.project.id if eliminated else None
    checkpoint.keep_reason = None if eliminated else keep_reason.strip()
    checkpoint.decided_at, checkpoint.decided_by_id = clock.now(), actor.user_id
    summary = {"challenge": challenge.id, "checkpoint": checkpoint.position, "ranking": frozen,
               "eliminated": checkpoint.eliminated_project_id, "keep_reason": checkpoint.keep_reason}
    await CHECKPOINT.move(db, clock, actor, "organizer", checkpoint, "decide", summary)
    if eliminated:
        eliminated.project.eliminated_at = clock.now()
        await PROJECT.move(db, clock, actor, "organizer", eliminated.project, "eliminate",
                           {"challenge": challenge.id, "checkpoint": checkpoint.position})
        await proposals.after_elimination(db, clock, actor, challenge, eliminated.project, checkpoint,
                                          eliminated.rank.rank, len(teams))
        await notify(db, clock, [eliminated.lead_user_id], "project.eliminated",
                     _("赛马节点比选结果：{title}").format(title=challenge.title),
                     _("在“{cp}”比选中，你的团队排名末位，按规则予以淘汰。").format(cp=checkpoint.title),
                     f"/projects/{eliminated.project.id}")
    return checkpoint


def frozen_ranking(checkpoint: Checkpoint) -> list[dict[str, object]]:
    return list(json.loads(checkpoint.ranking)["teams"]) if checkpoint.ranking else []
