"""Demo data from publicity to acceptance (issue 7 §8), through the services so the audit chain,
the hashes and the notifications are the real thing. Each story is told on a clock of its own
that starts in the past and moves forward through it (`at`), so every date in the story — bids,
review, publicity, award, signature, reports, assessments — reads in order and matches its
audit event. The audit log therefore shows these stories at their own times.

- 农业科技特派员服务提质行动: publicity running, one objection waiting for an answer.
- 专利转化“开放许可”试点: publicity over, its objection answered (dismissed): ready for the award.
- 县域科技创新服务平台建设: in execution, milestones completed / excused (a granted fault-tolerance
  request) / at risk, a plan change waiting for approval.
- 高校院所成果中试熟化赛马攻坚: a horse race of three teams after one elimination at the first
  checkpoint; one team has an overdue milestone and a fault-tolerance request with the inspector.
- 科技金融“贷款+”服务创新: accepted, graded 良好, its acceptance report frozen.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from arena.actor import Actor
from arena.auth import service as auth_service
from arena.auth.models import User
from arena.bids import qualification
from arena.bids.demo import _bid, _reopened
from arena.bids.models import Bid
from arena.challenges.demo import Story, _tell
from arena.challenges.models import Challenge, ChallengeMode, ToleranceCase
from arena.challenges.queries import organizer_challenge
from arena.clock import DISPLAY_TZ, Clock, FrozenClock
from arena.demo import DemoContext, demo_step
from arena.execution import acceptance, award, considerations, horse_race, plan, reports, tolerance
from arena.execution.models import Milestone, Project
from arena.execution.views import load_project_view
from arena.publicity import service as publicity
from arena.publicity.rules import publicity_period
from arena.review import panel_draw
from arena.review import results as review_results
from arena.review import seats as review_seats
from arena.review import service as review
from arena.review import sheets as review_sheets
from arena.review.demo import _draw, _expert_actor, _score, commit_and_draw
from arena.review.models import PanelPurpose, PanelSeat, ScoreSheet, SeatStatus
from arena.units.models import Cadre
from arena.workdays import service as workdays
from arena.workdays.days import MissingYear

STORIES = [
    Story("agri", "organizer", "农业科技特派员服务提质行动", "科技创新", "JZ-KJJ",
          "全市 186 名科技特派员服务 400 余个行政村，存在“派而不驻、驻而不专”问题，技术服务与产业需求对接不准。",
          "一年内实现特派员服务行政村全覆盖，农户技术需求响应时间缩短到 48 小时，推广新品种新技术 30 项。",
          "特派员服务管理办法；服务需求对接平台；年度服务成效评估报告。", "300", 12, "closed", rank_min=None),
    Story("patent", "organizer", "专利转化“开放许可”试点", "科技创新", "JZ-KJJ",
          "高校院所专利“沉睡”，企业找不到、用不起，专利开放许可尚未形成可推广的操作规则。",
          "一年内发布开放许可专利 300 件，促成许可 80 件，中小企业许可费用降低 30%。",
          "开放许可操作指引；许可项目清单；试点成效评估报告。", "200", 12, "closed", rank_min=None),
    Story("county", "organizer", "县域科技创新服务平台建设", "科技创新", "JZ-KJJ",
          "青山县科技服务资源分散在 6 个部门，企业“找政策、找专家、找设备”要跑多个窗口。",
          "一年内建成县域科技创新服务平台，入驻服务机构 30 家，服务企业 200 家次，仪器设备共享率 60%。",
          "平台建设方案；入驻机构名录；服务台账与评估报告。", "450", 8, "closed", rank_min=None),
    Story("pilot", "organizer", "高校院所成果中试熟化赛马攻坚", "科技创新", "JZ-KJJ",
          "高校院所实验室成果到产业化之间缺少中试熟化环节，成果转化率低。拟以赛马制遴选 3 支团队并行攻坚。",
          "两年内完成中试熟化项目 20 项，其中 8 项实现产业化，带动社会投资 2 亿元。",
          "中试熟化项目清单；产业化项目协议；攻坚成效评估报告。", "1600", 24, "closed",
          mode=ChallengeMode.HORSE_RACE, rank_min=None),
    Story("finance", "organizer", "科技金融“贷款+”服务创新", "科技创新", "JZ-KJJ",
          "科技型中小企业轻资产、缺抵押，银行“不敢贷、不愿贷”，知识产权质押融资规模小。",
          "一年内新增科技型企业贷款 20 亿元，知识产权质押融资 3 亿元，首贷企业 150 家。",
          "“贷款+”服务方案；合作银行名单；融资成效评估报告。", "350", 7, "closed", rank_min=None),
]

# story → leads, in bid order (the first is the strongest bid: review.demo.QUALITY)
BIDDERS = {"agri": ["cadre9", "cadre3"], "patent": ["cadre12", "cadre15"], "county": ["cadre8", "cadre14"],
           "pilot": ["cadre5", "cadre6", "cadre13"], "finance": ["cadre7", "cadre11"]}
DAY = timedelta(days=1)


class StoryTime:
    """The story's clock: `at(days)` moves it to `days` from the real now (negative: the past)."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx, self.real = ctx, ctx.clock
        self.now = self.real.now()

    def at(self, days: float) -> Clock:
        clock = FrozenClock(self.now + timedelta(days=days))
        self.ctx.clock = clock
        return clock

    def today(self, days: int = 0) -> date:
        return (self.now + days * DAY).astimezone(DISPLAY_TZ).date()

    def end(self) -> None:
        self.ctx.clock = self.real


async def _challenge(ctx: DemoContext, story: Story) -> Challenge:
    challenge = await _tell(ctx, story)
    if story.mode is ChallengeMode.HORSE_RACE:
        challenge.pass_score = Decimal(60)  # all three teams pass, so three run in parallel
    ctx.challenges[story.key] = challenge.id
    return challenge


async def _reviewed(ctx: DemoContext, time: StoryTime, story: Story, start: int,
                    bidders: list[tuple[str, tuple[tuple[str, bool], ...]]] | None = None) -> list[Bid]:
    """`start` days from now: the challenge is published (its window closed 3 days earlier), the
    bids come in through a briefly reopened window, everyone qualifies, a panel is drawn and scores;
    review closes two days later."""
    time.at(start)
    await _challenge(ctx, story)
    db, organizer = ctx.session, ctx.actors["organizer"]
    challenge, closes = await _reopened(ctx, story.key)
    teams = bidders or [(lead, ()) for lead in BIDDERS[story.key]]  # (lead, team) in bid order
    bids = [await _bid(ctx, story.key, lead, team=team) for lead, team in teams]
    challenge.bid_closes_at = closes
    await db.flush()
    time.at(start + 0.1)
    challenge = await organizer_challenge(db, organizer, challenge.id)
    await qualification.start(db, ctx.clock, organizer, challenge)
    for bid in bids:
        await qualification.decide(db, ctx.clock, organizer, challenge, bid.id, True, "")
    await qualification.finish(db, ctx.clock, organizer, challenge)
    time.at(start + 0.2)
    for seat in await _draw(ctx, story.key, decline_first=False):
        await _score(ctx, story.key, seat, bids, submit_upto=len(bids))
    time.at(start + 2)
    await review_results.close(db, ctx.clock, organizer,
                               await review.organizer_challenge(db, organizer, challenge.id), "")
    return bids


async def _publicize(ctx: DemoContext, time: StoryTime, key: str, day: int,
                     objection: tuple[str, str] | None = None) -> int | None:
    """Publish the results on `day` (and file `objection` = (who, reason) the next day)."""
    db, organizer = ctx.session, ctx.actors["organizer"]
    time.at(day)
    await _ensure_calendar(ctx, ctx.clock.now())
    challenge = await review.organizer_challenge(db, organizer, ctx.challenges[key])
    await publicity.publish(db, ctx.clock, organizer, challenge, 5)
    if objection is None:
        return None
    time.at(day + 1)
    who, reason = objection
    return (await publicity.file_objection(db, ctx.clock, ctx.actors[who], challenge, reason, [])).id


async def _ensure_calendar(ctx: DemoContext, when: datetime) -> None:
    """A demo run late in December needs next year's arrangement for a period that reaches it:
    enter a placeholder (marked as such) so the story can be told."""
    start = when.astimezone(DISPLAY_TZ).date()
    calendar = await workdays.load_calendar(ctx.session, start, start + 60 * DAY)
    try:
        publicity_period(when, 5, calendar)
    except MissingYear as missing:
        note = "演示数据（示意）：正式使用前请按国务院办公厅通知录入"
        await workdays.save_year(ctx.session, ctx.clock, ctx.actors["admin"], missing.year,
                                 f"{missing.year}-01-01 元旦", "", note)


async def _award(ctx: DemoContext, time: StoryTime, key: str, day: int) -> list[Project]:
    """On `day` (after the publicity has run out) award; every lead signs the next day."""
    db, organizer = ctx.session, ctx.actors["organizer"]
    time.at(day)
    projects = await award.award(db, ctx.clock, organizer, await review.organizer_challenge(db, organizer,
                                                                                           ctx.challenges[key]))
    time.at(day + 1)
    for project in projects:
        view = await load_project_view(db, project, None)
        await award.sign(db, ctx.clock, await _lead(ctx, project), view, ctx.settings.demo_password, address=None)
    return projects


async def _lead(ctx: DemoContext, project: Project) -> Actor:
    user = await ctx.session.scalar(select(User).join(Cadre, Cadre.user_id == User.id)
                                    .where(Cadre.id == project.lead_id))
    assert user is not None
    return auth_service.actor_for(user)


async def _milestones(ctx: DemoContext, project: Project) -> list[Milestone]:
    return list((await ctx.session.scalars(select(Milestone).where(Milestone.project_id == project.id)
                                           .order_by(Milestone.position))).all())


async def _report(ctx: DemoContext, time: StoryTime, day: int, project: Project, milestone: Milestone, text: str,
                  percent: int, kpi: str, verdict: str | None, score: str = "", comment: str = "") -> None:
    """On `day` the lead reports; the next day the organizer assesses (when `verdict`)."""
    db = ctx.session
    time.at(day)
    view = await load_project_view(db, project, time.today(day))
    report = await reports.submit_report(db, ctx.clock, await _lead(ctx, project), view, milestone.id,
                                         reports.ReportDraft(text, str(percent), kpi), [])
    if verdict:
        time.at(day + 1)
        target = await reports.report_to_assess(db, ctx.actors["organizer"], report.id, time.today(day + 1))
        await reports.assess(db, ctx.clock, ctx.actors["organizer"], target,
                             reports.AssessmentDraft(verdict, score, comment))


async def _case(ctx: DemoContext, key: str) -> ToleranceCase:
    found = await ctx.session.scalar(select(ToleranceCase).where(ToleranceCase.challenge_id == ctx.challenges[key])
                                     .order_by(ToleranceCase.position))
    assert found is not None
    return found


async def _organizer_challenge(ctx: DemoContext, key: str) -> Challenge:
    return await review.organizer_challenge(ctx.session, ctx.actors["organizer"], ctx.challenges[key])


@demo_step
async def execution(ctx: DemoContext) -> None:
    stories = {s.key: s for s in STORIES}
    time = StoryTime(ctx)
    try:
        # Publicity running, an objection waiting for the organizer's answer.
        await _reviewed(ctx, time, stories["agri"], -6)
        await _publicize(ctx, time, "agri", -3, ("cadre3", "拟入选揭榜的方案中“48 小时响应”的测算依据不足，且牵头人"
                                                        "所在镇近两年特派员到岗率偏低，请核实其方案的可行性。"))
        # Publicity over, its objection answered: the organizer may now confirm the award.
        await _reviewed(ctx, time, stories["patent"], -17)
        objection = await _publicize(ctx, time, "patent", -14, ("cadre15", "评审排名第一的方案与其单位已有项目"
                                                                          "重复，请核实。"))
        assert objection is not None
        time.at(-10)
        await publicity.answer_objection(ctx.session, ctx.clock, ctx.actors["organizer"],
                                         await _organizer_challenge(ctx, "patent"), objection, publicity.Answer(
            False, "经核实，该方案面向中小企业开放许可，与其单位已有的专利运营项目服务对象不同，不构成重复。"))
        await _county(ctx, time, stories["county"])
        await _pilot(ctx, time, stories["pilot"])
        await _finance(ctx, time, stories["finance"])
    finally:
        time.end()


async def _county(ctx: DemoContext, time: StoryTime, story: Story) -> None:
    """Milestones completed, excused (a granted fault-tolerance request) and at risk; a plan
    change waiting for the organizer."""
    db, organizer = ctx.session, ctx.actors["organizer"]
    await _reviewed(ctx, time, story, -135)
    await _publicize(ctx, time, story.key, -132)
    (project,) = await _award(ctx, time, story.key, -120)
    first, second, third = await _milestones(ctx, project)  # due 2, 4 and 8 months after the bid
    await _report(ctx, time, -78, project, first, "完成 6 个部门科技服务资源摸底，形成平台建设方案并通过专家论证。",
                  100, "服务资源清单 1 份；建设方案 1 份", "completed", "92", "方案扎实，按期完成。")
    await _report(ctx, time, -12, project, second, "平台一期上线，但入驻机构仅 9 家。受省级平台整合政策调整影响，"
                  "部分机构暂缓入驻。", 45, "入驻机构 9/15 家；服务企业 41 家次", "failed", "58", "阶段目标未完成。")
    time.at(-9)
    lead = await _lead(ctx, project)
    request = await tolerance.request_tolerance(
        db, ctx.clock, lead, await load_project_view(db, project, time.today(-9)), second.id,
        (await _case(ctx, story.key)).id, "省科技厅 2026 年 9 月通知要求县级平台统一接入省级平台，原定入驻的 6 家"
        "机构须先完成省级备案，导致阶段目标未能按期完成。已于通知下发当周书面报告。", [])
    time.at(-7)
    await tolerance.give_opinion(db, ctx.clock, ctx.actors["inspector"], request.id, considerations.filled(
        "yes", "grant", "经核查，情况属实，未发现失职失责或谋取私利情形，符合第一项容错情形。",
        {"collective": "平台入驻方案经县科技局党组会研究决定。", "mitigated": "已书面报告并调整入驻计划。"}))
    time.at(-5)
    await tolerance.decide(db, ctx.clock, organizer, await _organizer_challenge(ctx, story.key), request.id, True,
                           "因上级政策调整导致阶段目标无法按期实现，且已及时报告，予以容错。")
    await _report(ctx, time, -3, project, third, "正在对接省级平台接口，二期功能开发完成 40%。", 40,
                  "接口联调完成 2/5 项", "at_risk", "70", "进度偏慢，须加快与省级平台对接。")
    time.at(-1)
    rows = [plan.Row(third.id, third.title, (third.due_on + 30 * DAY).isoformat(), third.deliverable, third.kpi)]
    await plan.request_change(db, ctx.clock, lead, await load_project_view(db, project, time.today(-1)),
                              "省级平台接口规范 12 月才发布，申请全面完成节点顺延一个月。", rows)


async def _pilot(ctx: DemoContext, time: StoryTime, story: Story) -> None:
    """Three teams; the first checkpoint eliminated the last; the final one is still ahead. The
    second team added a milestone by an approved plan change, missed it, and asked for fault
    tolerance (waiting for the inspector's opinion). Told in the order it happened."""
    db, organizer = ctx.session, ctx.actors["organizer"]
    await _reviewed(ctx, time, story, -205)  # the first checkpoint falls 200 days after publishing
    await _publicize(ctx, time, story.key, -202)
    projects = await _award(ctx, time, story.key, -190)
    scores = (("90", "88"), ("82", "79"), ("70", "64"))
    for project, (first_score, _second) in zip(projects, scores, strict=True):
        await _report(ctx, time, -146, project, (await _milestones(ctx, project))[0],
                      "完成中试需求征集和项目遴选，建立中试熟化项目库。", 100, "入库项目 12 项", "completed",
                      first_score)
    challenge = await _organizer_challenge(ctx, story.key)
    second_team = projects[1]
    time.at(-40)
    lead = await _lead(ctx, second_team)
    change = await plan.request_change(db, ctx.clock, lead, await load_project_view(db, second_team, time.today(-40)),
                                       "增设设备联调节点，便于中期比选前核验。", [plan.Row(
                                           None, "中试设备联调", time.today(-8).isoformat(), "设备联调报告",
                                           "联调完成率 100%")])
    time.at(-39)
    await plan.decide_change(db, ctx.clock, organizer, challenge, change.id, True, "同意增设。")
    for project, (_first, second_score) in zip(projects, scores, strict=True):
        await _report(ctx, time, -8, project, (await _milestones(ctx, project))[1],
                      "中试基地改造完成，首批 3 个项目进入中试。", 35, "进入中试项目 3 项", "on_track", second_score)
    time.at(-5)
    ranking = await horse_race.ranking(db, challenge)
    await horse_race.decide(db, ctx.clock, organizer, challenge, challenge.checkpoints[0].id,
                            ranking[-1].project.id, "")
    late = (await _milestones(ctx, second_team))[-1]
    await _report(ctx, time, -3, second_team, late, "关键设备供应商延期交货，联调未能按期完成。", 30,
                  "联调完成率 30%", "failed", "55", "未按期完成。")
    time.at(-1)
    await tolerance.request_tolerance(db, ctx.clock, lead, await load_project_view(db, second_team, time.today(-1)),
                                      late.id, (await _case(ctx, story.key)).id,
                                      "设备为进口定制件，受国际物流影响延期 40 天，合同约定的违约追责已启动，"
                                      "已另行租用替代设备推进。", [])
    # the leading team's latest report waits for its assessment
    await _report(ctx, time, -1, projects[0], (await _milestones(ctx, projects[0]))[1],
                  "首批 3 个项目中试数据达标，第 4 个项目进入中试。", 45, "进入中试项目 4 项", None)


async def _finance(ctx: DemoContext, time: StoryTime, story: Story) -> None:
    """Carried out and accepted: every milestone completed, graded 良好 by the acceptance panel."""
    await _reviewed(ctx, time, story, -230)
    await _publicize(ctx, time, story.key, -227)
    (project,) = await _award(ctx, time, story.key, -215)
    milestones = await _milestones(ctx, project)  # due 2, 3 and 7 months after the bid
    texts = ["与 6 家银行签订合作协议，建立科技型企业白名单。", "推出“科创贷”“知识产权质押贷”两款产品，放款 9.6 亿元。",
             "累计新增科技型企业贷款 21.3 亿元，知识产权质押融资 3.2 亿元，首贷企业 162 家。"]
    for milestone, text, score, day in zip(milestones, texts, ("88", "86", "84"), (-172, -141, -19), strict=True):
        await _report(ctx, time, day, project, milestone, text, 100, "见附表", "completed", score, "按期完成。")
    await accept(ctx, time, story.key, -7, (("34", "26", "18", "8"), ("35", "25", "17", "8.5")),
                 "目标任务基本完成，融资规模超过预期；服务对象满意度调查样本偏少。")


async def accept(ctx: DemoContext, time: StoryTime, key: str, day: int, scores: tuple[tuple[str, ...], ...],
                 comment: str) -> None:
    """Acceptance on `day`: a panel of 5 drawn, each expert scores (the experts take `scores` in
    turn), closed two days later with the grade by the thresholds."""
    db, organizer = ctx.session, ctx.actors["organizer"]
    time.at(day)
    challenge = await _organizer_challenge(ctx, key)
    panel = await commit_and_draw(ctx, challenge, panel_draw.PanelSettings(5, 1, None), f"{key}:acceptance",
                                  PanelPurpose.ACCEPTANCE)
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                      PanelSeat.status == SeatStatus.INVITED.value)
                              .order_by(PanelSeat.drawn_rank))).all()
    time.at(day + 2)
    for n, seat in enumerate(seats):
        expert = await _expert_actor(ctx, seat.expert_id)
        await review_seats.answer(db, ctx.clock, expert, seat.id, True, "")
        sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.panel_id == panel.id,
                                                         ScoreSheet.expert_id == seat.expert_id))
        assert sheet is not None
        draft = await review_sheets.draft_of(db, expert, sheet.id)
        values = dict(zip([c.id for c in draft.criteria], scores[n % len(scores)], strict=True))
        await review_sheets.save(db, ctx.clock, expert, draft, draft.revision, values, comment,
                                 submit=True)
    time.at(day + 4)
    await acceptance.close(db, ctx.clock, organizer, await _organizer_challenge(ctx, key), "")
