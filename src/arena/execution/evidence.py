"""Who may download execution evidence (reports' and fault-tolerance requests'): those who may
read the project, the experts who may assess its reports, and the acceptance panel members
scoring it. Everyone else gets 404, the same as for a file that does not exist."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from arena.actor import Actor
from arena.db import valid_id
from arena.errors import NotFound
from arena.execution import policy
from arena.execution.models import ProgressReport, Project, ReportEvidence, ToleranceEvidence, ToleranceRequest
from arena.execution.reports import may_assess_as_expert
from arena.execution.views import ProjectView, load_project_view
from arena.files.models import StoredFile
from arena.i18n import gettext as _
from arena.review.models import Panel, PanelPurpose, ScoreSheet, SheetStatus
from arena.units.models import Expert


async def _on_acceptance_panel(db: AsyncSession, actor: Actor, project: Project) -> bool:
    sheet = (select(ScoreSheet.id).join(Panel, Panel.id == ScoreSheet.panel_id)
             .join(Expert, Expert.id == ScoreSheet.expert_id)
             .where(Panel.challenge_id == project.challenge_id, Panel.purpose == PanelPurpose.ACCEPTANCE.value,
                    ScoreSheet.bid_id == project.bid_id,
                    ScoreSheet.status.not_in((SheetStatus.RECUSED.value, SheetStatus.VOID.value)),
                    Expert.user_id == actor.user_id))
    return bool(await db.scalar(sheet))


async def _may_see(db: AsyncSession, actor: Actor, view: ProjectView, *, report: bool) -> bool:
    if policy.may_read(actor, view):
        return True
    if not report:
        return False
    return await may_assess_as_expert(db, actor, view) or await _on_acceptance_panel(db, actor, view.project)


async def report_evidence(db: AsyncSession, actor: Actor, report_id: int, evidence_id: int, today: date) -> StoredFile:
    found = await db.scalar(select(ReportEvidence).where(ReportEvidence.id == evidence_id,
                                                         ReportEvidence.report_id == report_id)
                            .options(joinedload(ReportEvidence.file))) if valid_id(evidence_id) else None
    report = await db.get(ProgressReport, report_id) if found else None
    project = await db.get(Project, report.project_id) if report else None
    if found is None or project is None or not await _may_see(db, actor, await load_project_view(db, project, today),
                                                               report=True):
        raise NotFound(_("材料不存在"))
    return found.file


async def tolerance_evidence(db: AsyncSession, actor: Actor, request_id: int, evidence_id: int,
                             today: date) -> StoredFile:
    found = await db.scalar(select(ToleranceEvidence).where(ToleranceEvidence.id == evidence_id,
                                                            ToleranceEvidence.request_id == request_id)
                            .options(joinedload(ToleranceEvidence.file))) if valid_id(evidence_id) else None
    request = await db.get(ToleranceRequest, request_id) if found else None
    project = await db.get(Project, request.project_id) if request else None
    if found is None or project is None or not await _may_see(db, actor, await load_project_view(db, project, today),
                                                               report=False):
        raise NotFound(_("材料不存在"))
    return found.file
