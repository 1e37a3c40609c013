"""Acceptance (验收), DESIGN §2.8: a panel drawn as in review (review.panel_draw and
review.results with the acceptance purpose) scores each active project's results on the acceptance rubric; closing it
freezes the results, gives each project its grade by the challenge's thresholds, concludes the
projects and the challenge.
"""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.bids.models import Bid
from arena.challenges import transitions as challenge_transitions
from arena.challenges.forms import CriterionRow
from arena.challenges.models import (
    Challenge,
    ChallengeMode,
    ChallengeStatus,
    CheckpointStatus,
    Criterion,
    CriterionKind,
)
from arena.clock import Clock
from arena.errors import DomainError, FormErrors
from arena.execution.grades import GRADE_LABELS
from arena.execution.models import Project, ProjectStatus
from arena.execution.transitions import PROJECT
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.notify.service import notify
from arena.records import proposals
from arena.review import panel_draw
from arena.review import results as review_results
from arena.review import service as review
from arena.review.models import Panel, PanelPurpose, ReviewResult
from arena.units.models import Cadre

ACCEPTANCE = PanelPurpose.ACCEPTANCE
register_actions({"challenge.acceptance_rubric": lazy("录入验收评分细则")})


async def blockers(db: AsyncSession, challenge: Challenge) -> list[str]:
    """What must happen before an acceptance panel is set up; empty when ready."""
    if challenge.status != ChallengeStatus.EXECUTING.value:
        return [_("榜单实施阶段才能组织验收")]
    found = []
    counts = dict((await db.execute(select(Project.status, func.count()).where(
        Project.challenge_id == challenge.id).group_by(Project.status))).tuples().all())
    if counts.get(ProjectStatus.PENDING_SIGNATURE.value):
        found.append(_("还有挂帅人未签署军令状"))
    if not counts.get(ProjectStatus.ACTIVE.value):
        found.append(_("没有实施中的项目"))
    if challenge.mode == ChallengeMode.HORSE_RACE.value and any(
            c.status == CheckpointStatus.PENDING.value for c in challenge.checkpoints):
        found.append(_("赛马节点尚未全部比选"))
    if not review.criteria_for(challenge, ACCEPTANCE):
        found.append(_("尚未录入验收评分细则"))
    return found


async def commit(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge,
                 settings: panel_draw.PanelSettings, *, plan: panel_draw.BeaconPlan | None = None, reason: str = "",
                 seed: str | None = None) -> Panel:
    """Commit the acceptance panel's draw — the same commitment, frozen list and beacon as in
    review (review.panel_draw) — once the challenge is ready for acceptance."""
    panel = await review.panel_of(db, challenge.id, ACCEPTANCE)
    if panel is None and (found := await blockers(db, challenge)):
        raise DomainError("；".join(found))
    return await panel_draw.commit(db, clock, actor, challenge, settings, plan=plan, reason=reason, seed=seed,
                                   purpose=ACCEPTANCE)


async def close(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, reason: str) -> ReviewResult:
    """Freeze the acceptance results, grade and conclude every project scored, accept the challenge."""
    result = await review_results.close(db, clock, actor, challenge, reason, purpose=ACCEPTANCE)
    snapshot = json.loads(result.snapshot)
    grades = snapshot["grades"]["bids"]
    aggregates = {row["bid"]: Decimal(row["aggregate"]) for row in snapshot["result"]["bids"]}
    rows = (await db.execute(select(Project, Cadre.user_id, Cadre.name).join(Cadre, Cadre.id == Project.lead_id)
                             .where(Project.challenge_id == challenge.id,
                                    Project.status == ProjectStatus.ACTIVE.value))).tuples().all()
    codes = dict((await db.execute(select(Bid.id, Bid.review_code).where(
        Bid.id.in_([p.bid_id for p, _u, _n in rows])))).tuples().all())
    for project, lead_user, _name in rows:
        code = codes.get(project.bid_id) or ""
        if code not in grades:  # scored by nobody (every sheet recused): cannot be graded
            raise DomainError(_("项目 {code} 没有任何有效的验收评分表，不能结束验收").format(code=code))
        project.grade, project.acceptance_score = grades[code], aggregates[code]
        project.concluded_at = clock.now()
        await PROJECT.move(db, clock, actor, "organizer", project, "conclude", {
            "challenge": challenge.id, "grade": project.grade, "score": str(project.acceptance_score),
            "sha256": result.sha256})
        await proposals.after_acceptance(db, clock, actor, challenge, project, result.sha256)
        await notify(db, clock, [lead_user], "project.concluded", _("验收结果：{title}").format(title=challenge.title),
                     _("验收综合得分 {score}，等次：{grade}。").format(
                         score=project.acceptance_score, grade=_(GRADE_LABELS[project.grade])),
                     f"/projects/{project.id}")
    await challenge_transitions.transition(db, clock, actor, challenge, "accept", {"sha256": result.sha256})
    return result


async def set_rubric(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge,
                     rows: list[CriterionRow]) -> None:
    """Enter the acceptance rubric of a challenge published without one (frozen once it exists,
    like the bid rubric): before the acceptance panel is set up."""
    if challenge.status != ChallengeStatus.EXECUTING.value:
        raise DomainError(_("榜单实施阶段才能录入验收评分细则"))
    if review.criteria_for(challenge, ACCEPTANCE):
        raise DomainError(_("验收评分细则已随榜单公布，不能更改"))
    errors: dict[str, str] = {}
    kept = [r for r in rows if r.name.strip() or r.points.strip()]
    for n, row in enumerate(kept, start=1):
        points = row.points_value
        if not row.name.strip() or len(row.name) > 100:
            errors[f"acceptance-{n}"] = _("第 {n} 项：请填写评分项名称（最多 100 个字符）").format(n=n)
        elif points is None or points <= 0 or points > 100 or points != points.quantize(Decimal("0.1")):
            errors[f"acceptance-{n}"] = _("第 {n} 项：分值须为 0–100 之间的数，最多一位小数").format(n=n)
        elif len(row.guidance) > 2000:
            errors[f"acceptance-{n}"] = _("第 {n} 项：评分要点最多 2000 个字符").format(n=n)
    if not kept:
        errors["acceptance"] = _("请至少录入一个验收评分项")
    elif not errors and sum((r.points_value or Decimal(0) for r in kept), Decimal(0)) != challenge.max_score:
        errors["acceptance"] = _("验收评分项分值合计须为 {total} 分").format(total=challenge.max_score.normalize())
    if errors:
        raise FormErrors(errors)
    for n, row in enumerate(kept, start=1):
        challenge.criteria.append(Criterion(kind=CriterionKind.ACCEPTANCE.value, position=n, name=row.name.strip(),
                                            points=row.points_value or Decimal(0), guidance=row.guidance.strip()))
    await db.flush()
    await audit.record(db, clock, actor, "organizer", "challenge.acceptance_rubric", "challenge", challenge.id,
                       {"criteria": [[r.name.strip(), r.points.strip()] for r in kept]})
