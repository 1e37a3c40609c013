"""Demo data for records (issue 8 §7), through the services like the rest of the demo.

The execution stories already made proposals (the rules run when an outcome is known): the
accepted 科技金融 project (良好) proposed the 改革创新奖 for its lead, the excused milestone of the
县域平台 the exemption, the horse race's elimination an admonishment. Here:

- 科技成果“先用后转”改革试点: a story from last year, accepted 优秀 with its lead and a team member;
  its three proposals approved with a document number — two with certificates.
- the 改革创新奖 of 科技金融 and the 县域平台 exemption approved (a certificate for the award);
- the horse race's admonishment left waiting for the organizer (a proposal to decide).
"""

from __future__ import annotations

from sqlalchemy import select

from arena.challenges.demo import Story
from arena.demo import DemoContext, demo_step
from arena.execution.demo import StoryTime, _award, _milestones, _publicize, _report, _reviewed, accept
from arena.execution.models import Project
from arena.records import service
from arena.records.models import Record, RecordStatus

HISTORY = Story(
    "transfer-pilot", "organizer", "科技成果“先用后转”改革试点", "科技创新", "JZ-KJJ",
    "高校院所科技成果转化周期长、企业试用门槛高，“不敢转、不会转”问题突出。",
    "一年内推动 50 项成果以“先用后转”方式进入企业试用，转化落地 20 项，企业试用成本降低 50%。",
    "“先用后转”操作规程；试用成果清单；改革试点评估报告。", "260", 9, "closed", rank_min=None)


async def _history(ctx: DemoContext, time: StoryTime) -> None:
    """Last year's story, told on its own clock: two bids (the first with a confirmed member),
    award, three completed milestones, acceptance 优秀, and the records approved."""
    start = -420
    time.at(start)
    bids = {"lead": "cadre9", "member": "cadre15", "other": "cadre11"}
    await _reviewed(ctx, time, HISTORY, start, bidders=[(bids["lead"], ((bids["member"], True),)),
                                                        (bids["other"], ())])
    await _publicize(ctx, time, HISTORY.key, start + 3)
    (project,) = await _award(ctx, time, HISTORY.key, start + 15)
    texts = ["制定“先用后转”操作规程，遴选首批 18 项成果进入企业试用。", "试用成果增至 41 项，签订转化协议 12 项。",
             "累计 56 项成果进入企业试用，转化落地 23 项，企业试用成本平均降低 58%。"]
    for milestone, text, score, day in zip(await _milestones(ctx, project), texts, ("93", "91", "95"),
                                           (start + 60, start + 90, start + 210), strict=True):
        await _report(ctx, time, day, project, milestone, text, 100, "见附表", "completed", score, "超额完成。")
    await accept(ctx, time, HISTORY.key, start + 225, (("38", "29", "19", "9"), ("37", "28", "19", "9.5")),
                 "改革举措可复制可推广，转化落地数超过目标。")
    time.at(start + 240)
    for record in await _proposed(ctx, project.id):
        await service.approve(ctx.session, ctx.clock, ctx.actors["organizer"], record.id, "组干〔2026〕9号",
                              time.today(start + 240).isoformat())


async def _proposed(ctx: DemoContext, project_id: int) -> list[Record]:
    return list((await ctx.session.scalars(select(Record).where(
        Record.project_id == project_id, Record.status == RecordStatus.PROPOSED.value).order_by(Record.id))).all())


@demo_step
async def records(ctx: DemoContext) -> None:
    time = StoryTime(ctx)
    try:
        await _history(ctx, time)
        time.at(-1)
        organizer = ctx.actors["organizer"]
        for key, number in (("finance", "组干〔2026〕31号"), ("county", "组干〔2026〕32号")):
            for project_id in await _projects(ctx, key):
                for record in await _proposed(ctx, project_id):
                    await service.approve(ctx.session, ctx.clock, organizer, record.id, number,
                                          time.today(-1).isoformat())
    finally:
        time.end()


async def _projects(ctx: DemoContext, key: str) -> list[int]:
    return list((await ctx.session.scalars(select(Project.id).where(
        Project.challenge_id == ctx.challenges[key]).order_by(Project.id))).all())

