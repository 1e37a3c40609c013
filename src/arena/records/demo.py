"""Demo data for records (issue 8 §7), through the services like the rest of the demo.

The execution stories already made proposals (the rules run when an outcome is known): the
accepted 科技金融 project (良好) proposed the 改革创新奖 for its lead, the excused milestone of the
县域平台 the exemption, the horse race's elimination an admonishment. Here:

- 科技成果“先用后转”改革试点: a story from last year, accepted 优秀 with its lead and a team member;
  its three proposals approved by the 组织部门 (中共江州市委组织部, account `orgdept`), published
  (表彰公示 / 任前公示) and in effect with their certificates — the lead's 担当作为奖 later revoked
  (撤销) with its reason, so /verify shows a revoked certificate.
- 社区科普阵地提档升级: an earlier story (2024–25), accepted 不合格: the rules proposed an
  admonishment (诫勉) for its lead; the 组织部门 opened the hearing (陈述申辩) and the lead has
  filed a statement — the decision waits for the period to end.
- the 县域平台 exemption decided;
- the organizer recommended the 科技金融 lead for 优先提拔使用; approved, it is in its 任前公示 and a
  cadre has objected (waiting for the department's answer);
- waiting for the 组织部门: the 改革创新奖 of 科技金融 (proposed by the rules) and the organizer's
  recommendation (推荐) of last year's team member for 跨层级晋升, with its 推荐意见.
"""

from __future__ import annotations

from sqlalchemy import select

from arena.challenges.demo import Story
from arena.demo import DemoContext, demo_step
from arena.execution.demo import StoryTime, _award, _milestones, _publicize, _report, _reviewed, accept
from arena.execution.models import Project
from arena.records import decisions, hearing, notices, policy
from arena.records.models import Record, RecordStatus, RecordType

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
    await _decide(ctx, await _proposed(ctx, project.id), "组干〔2026〕9号", time.today(start + 240).isoformat())
    time.at(start + 260)  # the 公示 has ended with no objection: in effect, certificates issued
    await notices.conclude_due(ctx.session, ctx.clock)
    time.at(-30)
    (award,) = (await ctx.session.scalars(select(Record.id).where(
        Record.project_id == project.id, Record.record_type == RecordType.AWARD_RESPONSIBILITY.value))).all()
    await notices.revoke(ctx.session, ctx.clock, ctx.actors["orgdept"], award,
                         "经复核，该同志已因同一事项获得市级表彰，按照不重复奖励的规定，撤销本项担当作为奖。")


SLIPPED = Story(
    "community-science", "organizer", "社区科普阵地提档升级", "科技创新", "JZ-KJJ",
    "全市 120 个社区科普活动室设施陈旧、活动稀少，居民参与度低。",
    "一年内完成 60 个社区科普活动室提档升级，年均开展活动 1,000 场，居民参与 5 万人次。",
    "社区科普阵地建设标准；升级改造清单；年度成效评估报告。", "180", 9, "closed", rank_min=None)


async def _slipped(ctx: DemoContext, time: StoryTime) -> None:
    """An earlier story: awarded, milestones delivered short of their targets, accepted 不合格 —
    the rules proposed an admonishment for the lead; the department has now opened the hearing
    and the lead files a statement with the hearing still running."""
    start = -760  # its panels fall in earlier years: this year's experts keep their capacity
    await _reviewed(ctx, time, SLIPPED, start, bidders=[("cadre1", ()), ("cadre3", ())])
    await _publicize(ctx, time, SLIPPED.key, start + 3)
    (project,) = await _award(ctx, time, SLIPPED.key, start + 15)
    texts = ["完成 12 个活动室改造方案，施工招标延误。", "完成改造 21 个，活动场次不足计划的一半。",
             "累计完成改造 34 个，开展活动 380 场，未达到目标。"]
    for milestone, text, verdict, score, day in zip(
            await _milestones(ctx, project), texts, ("completed", "completed", "completed"), ("68", "61", "52"),
            (start + 60, start + 120, start + 225), strict=True):
        await _report(ctx, time, day, project, milestone, text, 100, "见附表", verdict, score, "完成质量不高。")
    await accept(ctx, time, SLIPPED.key, start + 240, (("20", "16", "10", "5"), ("22", "15", "11", "4")),
                 "改造数量和活动场次均未达到榜单目标，资金使用进度滞后。")
    (record,) = await _proposed(ctx, project.id)
    time.at(-3)
    await decisions.start_hearing(ctx.session, ctx.clock, ctx.actors["orgdept"], record.id)
    time.at(-1)
    await hearing.file_statement(
        ctx.session, ctx.clock, ctx.actors["cadre1"], record.id,
        "项目实施期间遇到施工单位违约、两次重新招标，已及时报告发榜单位并调整计划；"
        "34 个已改造活动室运行良好，居民满意度 92%。恳请综合考虑客观原因。", [])


async def _promotion_in_publicity(ctx: DemoContext, time: StoryTime) -> None:
    """The organizer recommends the 科技金融 lead for priority promotion; the department approves
    it into its 任前公示 and a cadre objects — waiting for the department's answer."""
    time.at(-5)
    (project,) = await _projects(ctx, "finance")
    lead = (await ctx.session.get(Project, project))
    assert lead is not None
    record = await decisions.recommend(
        ctx.session, ctx.clock, ctx.actors["organizer"], project, lead.lead_id,
        RecordType.PRIORITY_PROMOTION.value,
        "该同志牵头“贷款+”服务创新，新增科技型企业贷款超过目标，验收良好，建议优先提拔使用。")
    time.at(-4)
    await decisions.approve(ctx.session, ctx.clock, ctx.actors["orgdept"], record.id, "组干〔2026〕35号",
                            time.today(-4).isoformat())
    time.at(-2)
    await notices.file_objection(ctx.session, ctx.clock, ctx.actors["cadre2"], record.id,
                                 "据了解，该同志所在科室去年有一笔贷款贴息资金拨付不及时，请组织核实。")


async def _decide(ctx: DemoContext, records: list[Record], number: str, day: str) -> None:
    """The 组织部门 approves the promotions and awards (into their 公示) and decides the
    exemptions; accountability proposals are left waiting for their hearing."""
    department = ctx.actors["orgdept"]
    for record in records:
        path = policy.path_of(record.record_type)
        if path == "publicity":
            await decisions.approve(ctx.session, ctx.clock, department, record.id, number, day)
        elif path == "direct":
            await decisions.decide(ctx.session, ctx.clock, department, record.id, number, day, "")


async def _proposed(ctx: DemoContext, project_id: int) -> list[Record]:
    return list((await ctx.session.scalars(select(Record).where(
        Record.project_id == project_id, Record.status == RecordStatus.PROPOSED.value).order_by(Record.id))).all())


@demo_step
async def records(ctx: DemoContext) -> None:
    time = StoryTime(ctx)
    try:
        await _history(ctx, time)
        await _slipped(ctx, time)
        await _promotion_in_publicity(ctx, time)
        time.at(-2)
        for project_id in await _projects(ctx, "county"):
            await _decide(ctx, await _proposed(ctx, project_id), "组干〔2026〕32号", time.today(-2).isoformat())
        time.at(-1)
        (history,) = await _projects(ctx, HISTORY.key)
        await decisions.recommend(ctx.session, ctx.clock, ctx.actors["organizer"], history, ctx.cadres["cadre15"].id,
                                  RecordType.CROSS_LEVEL_PROMOTION.value,
                                  "该同志在“先用后转”改革试点中牵头制定操作规程、组织首批成果进入企业试用，"
                                  "实绩突出，群众公认，建议跨层级晋升。")
    finally:
        time.end()


async def _projects(ctx: DemoContext, key: str) -> list[int]:
    return list((await ctx.session.scalars(select(Project.id).where(
        Project.challenge_id == ctx.challenges[key]).order_by(Project.id))).all())

