"""The organizer's execution board (issue 22): each milestone's due date and days overdue,
filters by challenge and status kept in the page links, the Excel export of the filtered board
(text never a formula), a fixed number of queries; and the assessor picker's form still takes
an expert code typed by hand."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from arena.clock import DISPLAY_TZ
from arena.execution.models import Milestone, Project
from arena.units.models import Expert
from tests.conftest import as_user
from tests.execution.factories import awarded


async def test_the_board_filters_shows_due_dates_and_exports_what_it_shows(app, db, clock, query_counter):
    story = await awarded(db, clock, horse_race=True)
    late_id, other_id = story.project_ids
    today = clock.now().astimezone(DISPLAY_TZ).date()
    late = await db.scalar(select(Milestone).where(Milestone.project_id == late_id).order_by(Milestone.position))
    late.due_on, late.title = today - timedelta(days=8), "=HYPERLINK(\"http://x\")"
    other = await db.get(Project, other_id)
    other.status = "eliminated"
    await db.commit()
    org = await as_user(app, "org")

    board = (await org.get("/organizer/board")).text
    assert "逾期 8 天" in board and f'datetime="{(today - timedelta(days=8)).isoformat()}"' in board
    assert board.count("截止") >= 2 and "有逾期节点任务" in board

    def leads(html: str) -> set[int]:
        return {int(n) for n in re.findall(r'href="/projects/(\d+)"', html)}

    assert leads(board) == {late_id, other_id}
    assert leads((await org.get("/organizer/board?status=overdue")).text) == {late_id}
    assert leads((await org.get("/organizer/board?status=eliminated")).text) == {other_id}
    assert leads((await org.get(f"/organizer/board?challenge={story.challenge_id}")).text) == {late_id, other_id}
    none = (await org.get(f"/organizer/board?challenge={story.challenge_id + 999}")).text
    assert leads(none) == set() and "没有符合筛选条件的项目" in none
    assert (await org.get("/organizer/board?challenge=abc&status=<x>&page=-1")).status_code == 200
    filtered = (await org.get("/organizer/board?status=overdue")).text
    assert 'href="/organizer/board.xlsx?challenge=&amp;status=overdue"' in filtered

    # the same statements whether one project shows or two (no query per project or milestone)
    counts = []
    for path in ("/organizer/board?status=overdue", "/organizer/board"):
        with query_counter() as counter:
            assert (await org.get(path)).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts

    # the export: the filtered projects, a row per milestone, the title as text (never a formula)
    export = await org.get("/organizer/board.xlsx?status=overdue")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("榜单编号", "榜单名称", "牵头人") and rows[0][9] == "逾期天数"
    milestones = (await db.scalars(select(Milestone).where(Milestone.project_id == late_id))).all()
    assert len(rows) == 1 + len(milestones)
    first = rows[1]
    assert first[6] == "=HYPERLINK(\"http://x\")" and sheet.cell(2, 7).data_type == "s"
    assert first[7].date() == today - timedelta(days=8) and first[9] == 8
    everything = load_workbook(io.BytesIO((await org.get("/organizer/board.xlsx")).content)).active
    assert everything.max_row == 1 + len((await db.scalars(select(Milestone).where(
        Milestone.project_id.in_(story.project_ids)))).all())
    other_org = await as_user(app, "lead1")
    assert (await other_org.get("/organizer/board.xlsx")).status_code in (403, 404)

    # the assessor picker sits in a plain form: an expert code typed by hand still assigns
    page = (await org.get(f"/organizer/challenges/{story.challenge_id}/execution")).text
    assert 'name="expert"' in page and 'hx-get="/pick/experts"' in page
    wrong = await org.post(f"/organizer/challenges/{story.challenge_id}/execution/assessors", {"expert": "ZJ-NONE"})
    assert wrong.status_code == 400 and 'value="ZJ-NONE"' in wrong.text
    expert = await db.scalar(select(Expert).where(Expert.name == "专家1"))
    picked = (await org.get("/pick/experts?q=专家1&account=1")).text
    assert f'data-pick-value="{expert.code}"' in picked
    assert (await org.post(f"/organizer/challenges/{story.challenge_id}/execution/assessors",
                           {"expert": expert.code})).status_code == 303
