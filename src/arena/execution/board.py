"""The organizer's execution board (实施看板): which projects it lists for a filter (challenge,
project status, or "has an overdue milestone"), the challenges offered in the filter, and the
Excel export of the same rows.

Filters are SQL (STYLE: filter in SQL, not after loading); the overdue filter reads the
milestone index (status, due_on). The workbook is built in the workbook child process
(arena.offload.run_in_process) from plain rows, written through arena.excel (text is text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.styles import Font
from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.challenges.models import Challenge
from arena.challenges.queries import managed_by
from arena.excel import new_workbook, workbook_bytes
from arena.execution.models import Milestone, Project, ProjectStatus
from arena.execution.views import DONE, ProjectView

OVERDUE = "overdue"
"""The status filter's extra choice: projects with a milestone past its due date, not done."""
EXPORT_LIMIT = 2000
"""Projects in one export at most (the board of one organizer is far smaller)."""
Cell = str | int | date | None


@dataclass(frozen=True)
class BoardFilters:
    challenge_id: int | None = None
    status: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> BoardFilters:
        raw = str(params.get("challenge") or "").strip()
        status = str(params.get("status") or "")
        return cls(challenge_id=int(raw) if raw.isdigit() and len(raw) < 10 else None,
                   status=status if status in {*(s.value for s in ProjectStatus), OVERDUE} else "")

    def as_params(self) -> dict[str, Any]:
        return {"challenge": self.challenge_id or "", "status": self.status}

    @property
    def active(self) -> bool:
        return bool(self.challenge_id or self.status)


def statement(actor: Actor, filters: BoardFilters, today: date) -> Select[Any]:
    """The organizer's projects matching `filters`, newest first."""
    stmt = (select(Project).join(Challenge, Challenge.id == Project.challenge_id)
            .where(managed_by(actor)))
    if filters.challenge_id:
        stmt = stmt.where(Project.challenge_id == filters.challenge_id)
    if filters.status == OVERDUE:
        stmt = stmt.where(exists().where(Milestone.project_id == Project.id, Milestone.due_on < today,
                                         Milestone.status.not_in(DONE)))
    elif filters.status:
        stmt = stmt.where(Project.status == filters.status)
    return stmt.order_by(Project.id.desc())


async def challenge_options(db: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """The organizer's challenges that have projects, for the filter (one statement)."""
    has_project = exists().where(Project.challenge_id == Challenge.id)
    rows = await db.execute(select(Challenge.id, Challenge.title).where(managed_by(actor), has_project)
                            .order_by(Challenge.id.desc()))
    return [(cid, title) for cid, title in rows.tuples()]


def rows(views: list[ProjectView], project_labels: Mapping[str, str],
         milestone_labels: Mapping[str, str]) -> list[list[Cell]]:
    """One row per milestone (a project without milestones still gets its row)."""
    out: list[list[Cell]] = []
    for v in views:
        head: list[Cell] = [v.challenge.number or "", v.challenge.title, v.lead, v.unit,
                            project_labels.get(v.project.status, v.project.status)]
        if not v.milestones:
            out.append([*head, None, "", None, "", None, None])
        for mv in v.milestones:
            m = mv.milestone
            out.append([*head, m.position, m.title, m.due_on, milestone_labels.get(m.status, m.status),
                         mv.days_overdue or None, m.percent])
    return out


def build_workbook(title: str, header: list[str], body: list[list[Cell]]) -> bytes:
    """The board as .xlsx; runs in the workbook child process (plain data in, bytes out)."""
    book = new_workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in body:
        sheet.append(row)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
        cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFGHIJK", (14, 36, 10, 20, 12, 8, 28, 12, 10, 10, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return workbook_bytes(book)
