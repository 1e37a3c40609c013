"""Demo challenges in every state so far: drafts, upcoming, open (one closing soon), closed,
amended, cancelled with a new round. Built through the organizer's services so the audit chain
records them like real use; the bid windows are then moved to where each story needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from arena.actor import SYSTEM
from arena.audit import service as audit
from arena.challenges import queries, service
from arena.challenges.forms import ChallengeDraft, CheckpointRow, CriterionRow, MilestoneRow, ToleranceRow
from arena.challenges.models import Challenge, ChallengeMode, ChallengeStatus
from arena.clock import DISPLAY_TZ
from arena.demo import DemoContext, demo_step
from arena.units.models import Rank

RUBRIC = [
    CriterionRow("方案科学性与可行性", "30", "技术路线清晰，关键难点有对策，进度安排合理"),
    CriterionRow("目标先进性与可考核性", "25", "考核指标具体、可量化、可核验"),
    CriterionRow("牵头人及团队能力", "25", "牵头人实绩突出，团队专业结构合理"),
    CriterionRow("保障措施与风险应对", "20", "资金、人员、进度保障到位，风险预案具体"),
]
ACCEPTANCE_RUBRIC = [
    CriterionRow("目标任务完成度", "40", "对照考核指标逐项核验完成情况"),
    CriterionRow("成果质量与创新性", "30", "成果可复制、可推广，有制度创新"),
    CriterionRow("群众和服务对象满意度", "20", "第三方抽样调查结果"),
    CriterionRow("资金使用与过程管理", "10", "资金使用规范，过程资料完整"),
]
TOLERANCE = [
    ToleranceRow("因上级政策调整或不可抗力导致目标无法按期实现，且已及时报告的"),
    ToleranceRow("在探索性改革中先行先试出现失误，未谋取私利且积极纠正的"),
]


@dataclass(frozen=True)
class Story:
    key: str
    organizer: str
    title: str
    field: str
    unit: str
    background: str
    goals: str
    deliverables: str
    budget: str
    months: int
    state: str  # draft | incomplete | upcoming | open | closing | closed | closed_long | amended | cancelled
    mode: ChallengeMode = ChallengeMode.SINGLE
    rank_min: Rank | None = Rank.DEPUTY_SECTION
    rank_max: Rank | None = Rank.DIVISION
    age_limit: int | None = None


STORIES = [
    Story("gov", "organizer", "数字政府“一网通办”集成改造攻坚", "数字政府", "JZ-SJJ",
          "全市 1,200 余项政务服务事项分散在 40 多个业务系统，群众办事平均需跑 2.3 次、提交材料 6.1 份，"
          "“数据跑路”尚未取代“群众跑腿”。市委决定以揭榜挂帅方式，遴选能打硬仗的干部牵头攻坚。",
          "一年内实现高频事项“一网通办”率 95% 以上，平均跑动次数降至 0.3 次以下，"
          "申报材料精简 50%，群众满意度 95% 以上。",
          "统一受理平台上线运行；事项标准化目录；数据共享接口清单；运行评估报告。",
          "800", 12, "closing", age_limit=45),
    Story("village", "organizer", "乡村振兴特色产业示范带建设", "乡村发展", "JZ-NYJ",
          "青山县、临河区沿江 12 个行政村茶叶、柑橘产业基础较好，但品牌弱、链条短，"
          "村集体经济年收入低于 20 万元的村占 40%。拟以赛马制遴选 3 支团队分片区并行推进。",
          "两年内示范带内村集体经济收入全部超过 30 万元，带动农户户均增收 8,000 元，打造 2 个区域公用品牌。",
          "产业规划；品牌注册及推广方案；示范带建设验收报告。",
          "1500", 24, "open", mode=ChallengeMode.HORSE_RACE, rank_min=Rank.SECTION, age_limit=40),
    Story("estate", "organizer2", "老旧小区改造“一件事”联办", "城市治理", "JZ-LH-ZF",
          "临河区 2000 年前建成的老旧小区 86 个，改造涉及住建、规划、消防、电力等 9 个部门，"
          "审批环节多、居民意见协调难，平均开工周期长达 7 个月。",
          "改造项目从立项到开工压缩至 60 天以内，居民改造意愿征集率 100%，年内完成 20 个小区改造。",
          "联办工作机制及流程图；20 个小区改造完工报告；居民满意度调查报告。",
          "600", 12, "upcoming"),
    Story("petition", "organizer2", "信访积案化解百日攻坚", "信访维稳", "JZ-XFJ",
          "全市尚有信访积案 137 件，其中 10 年以上的 23 件，涉及征地拆迁、劳动社保等领域，"
          "群众反映强烈。需要敢于碰硬的干部牵头包案化解。",
          "百日内化解积案 80% 以上，化解案件回访满意率 90% 以上，不发生因积案引发的极端事件。",
          "积案化解台账；典型案例汇编；长效机制建议。",
          "120", 4, "amended", rank_min=Rank.SECTION, rank_max=Rank.DEPUTY_BUREAU),
    Story("business", "organizer", "营商环境“无感审批”试点", "营商环境", "JZ-FGW",
          "企业开办、工程建设审批仍存在“体外循环”和“隐性门槛”，2025 年营商环境评价中"
          "我市“办理建筑许可”指标排名全省第 9。",
          "在 3 个领域试点“无感审批”，企业开办 0.5 个工作日办结，工程建设项目审批时限压减 50%。",
          "试点方案；改革事项清单；试点成效评估报告。",
          "300", 10, "closed"),
    Story("river", "organizer2", "重点河湖生态修复与长效管护", "生态环保", "JZ-STJ",
          "青山湖流域水质近三年在 III 类与 IV 类之间波动，入湖支流面源污染突出，管护责任分散。",
          "两年内青山湖水质稳定达到 III 类，入湖支流消除劣 V 类，建立“湖长+”长效管护机制。",
          "流域治理方案；水质监测年报；管护机制文件。",
          "2000", 24, "cancelled"),
    Story("lab", "organizer", "科技成果转化中试平台建设", "科技创新", "JZ-KJJ",
          "江州大学等高校院所年均产出专利 600 余项，本地转化率不足 8%，缺少面向中小企业的中试熟化平台。",
          "建成 1 个公共中试平台，三年内服务企业 100 家以上，促成成果本地转化 50 项。",
          "中试平台建设方案；运营机制；转化项目清单。",
          "1200", 36, "draft"),
    Story("elderly", "organizer2", "智慧社区居家养老服务网络", "城市治理", "JZ-LH-BHJD",
          "滨河街道 60 岁以上老人占比 24%，独居、空巢老人助餐、助医需求集中。",
          "", "", "200", 12, "incomplete"),
    Story("transit", "organizer2", "城乡客运一体化改革试点", "城市治理", "JZ-QS-ZF",
          "青山县 46 条农村客运线路中 19 条长期亏损停运，偏远村群众出行难，城乡公交票价、站点标准不统一。",
          "一年内实现建制村通公交率 100%，城乡公交统一票制，线路财政补贴总额下降 15%。",
          "改革实施方案；线路优化调整表；运营评估报告。",
          "400", 12, "closed_long"),
    # Review (专家评审): results frozen (open review), scoring under way (blind), ready for the draw (blind)
    Story("park", "organizer", "高新区科技企业孵化器提质增效", "科技创新", "JZ-KJJ",
          "高新区 5 家孵化器在孵企业 320 家，毕业率仅 11%，专业服务能力弱，“重招商、轻孵化”问题突出。",
          "两年内在孵企业毕业率提高到 25%，新增高新技术企业 40 家，引进专业孵化服务机构 5 家。",
          "孵化器运营评估报告；专业服务体系建设方案；毕业企业名录。",
          "900", 24, "closed", rank_min=None),
    Story("transfer", "organizer", "科技成果转化“最后一公里”攻坚", "科技创新", "JZ-KJJ",
          "高校院所科技成果“沉睡”现象突出，技术经纪人不足 30 人，成果对接会签约多、落地少。",
          "一年内促成 60 项成果在本地转化，技术合同成交额增长 50%，培育持证技术经纪人 100 名。",
          "成果转化项目清单；技术经纪人培训档案；转化成效评估报告。",
          "700", 12, "closed", rank_min=None),
    Story("incubator", "organizer", "概念验证中心建设试点", "科技创新", "JZ-KJJ",
          "早期科技成果缺少概念验证环节，社会资本不敢投、企业不愿接，大量成果止步于实验室。",
          "一年内建成 2 个概念验证中心，完成概念验证项目 30 项，其中 10 项获得后续投资。",
          "概念验证中心建设方案；验证项目台账；投资对接成果清单。",
          "500", 12, "closed", rank_min=None),
]


def _beijing(now: datetime, days: int, hour: int) -> datetime:
    """`days` from today at `hour` o'clock Beijing time (deadlines read as 17:00, not odd UTC hours)."""
    day = (now.astimezone(DISPLAY_TZ) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour), tzinfo=DISPLAY_TZ)


def _draft(ctx: DemoContext, story: Story) -> ChallengeDraft:
    now = ctx.clock.now()
    complete = story.state != "incomplete"
    return ChallengeDraft(
        title=story.title, background=story.background, goals=story.goals, deliverables=story.deliverables,
        field_id=ctx.fields[story.field].id, owner_unit_id=ctx.units[story.unit].id, budget=Decimal(story.budget),
        reward="牵头人实绩记入干部实绩档案，作为评先评优、提拔使用的重要依据；验收优秀的团队给予专项奖励。",
        duration_months=story.months, mode=story.mode.value,
        horse_race_teams=3 if story.mode is ChallengeMode.HORSE_RACE else None,
        rank_min=story.rank_min.value if story.rank_min else None,
        rank_max=story.rank_max.value if story.rank_max else None, age_limit=story.age_limit,
        require_frontline=story.key == "estate",  # 仅限基层一线干部 (an upcoming challenge: no bids yet)
        eligible_field_ids=[ctx.fields[story.field].id] if story.key in ("village", "petition") else [],
        bid_opens_at=_beijing(now, -1, 9) if complete else None,
        bid_closes_at=_beijing(now, 20, 17) if complete else None,
        pass_score=Decimal(70) if complete else None,
        blind_review=story.key != "park",
        criteria=list(RUBRIC) if complete else RUBRIC[:2],
        acceptance=list(ACCEPTANCE_RUBRIC) if complete else [],
        milestones=[MilestoneRow("完成调研与实施方案", "2", "调研报告、实施方案"),
                    MilestoneRow("阶段目标达成", str(max(3, story.months // 2)), "中期评估报告"),
                    MilestoneRow("全面完成并申请验收", str(story.months), "总结报告、验收申请")] if complete else [],
        checkpoints=[CheckpointRow("中期比选", (now + timedelta(days=200)).date().isoformat()),
                     CheckpointRow("终期比选", (now + timedelta(days=560)).date().isoformat())]
        if story.mode is ChallengeMode.HORSE_RACE else [],
        tolerance=list(TOLERANCE) if complete else [],
    )


async def _tell(ctx: DemoContext, story: Story) -> Challenge:
    """Create the story's challenge through the services, then place its window in time."""
    actor = ctx.actors[story.organizer]
    clock, now, db = ctx.clock, ctx.clock.now(), ctx.session
    challenge = await service.create_draft(db, clock, actor, _draft(ctx, story))
    if story.state in ("draft", "incomplete"):
        return challenge
    challenge = await queries.organizer_challenge(db, actor, challenge.id)
    await service.publish(db, clock, actor, challenge)
    windows = {  # (opened, closes) relative to now, in days
        "closing": (-18, 2), "open": (-5, 12), "upcoming": (5, 25), "amended": (-10, 9), "closed": (-30, -3),
        "closed_long": (-45, -12),
        "cancelled": (-12, 10),
    }
    opened, closes = windows[story.state]
    challenge.bid_opens_at = _beijing(now, opened, 9)
    challenge.bid_closes_at = _beijing(now, closes, 17)
    challenge.published_at = now + timedelta(days=min(opened, 0) - 2)
    if story.state == "amended":
        await service.amend(db, clock, actor, challenge, service.AmendmentDraft(
            reason="根据部分单位反映，积案材料调阅需要时间，揭榜截止时间延后一周，并补充化解质量要求。",
            texts={"background": challenge.background, "goals": challenge.goals + "化解案件一年内不出现重复信访。",
                   "deliverables": challenge.deliverables, "reward": challenge.reward},
            bid_closes_at=challenge.bid_closes_at + timedelta(days=7), criteria=None))
    if story.state == "cancelled":
        reason = "流域治理纳入省级统筹项目，本榜撤榜，待省级方案明确后重新发榜。"
        await service.cancel(db, clock, actor, challenge, reason)
        await service.new_round(db, clock, actor, challenge)
    return challenge


@demo_step
async def challenges(ctx: DemoContext) -> None:
    for story in STORIES:
        ctx.challenges[story.key] = (await _tell(ctx, story)).id
    await ctx.session.flush()


BULK_TITLES = ["数字化转型", "基层治理创新", "产业链招商", "农村人居环境整治", "社区服务提质", "政务数据共享",
               "重点项目攻坚", "科技园区建设", "河道综合治理", "营商环境优化", "矛盾纠纷化解", "特色产业培育"]
BULK_PLACES = ["青山县", "临河区", "姜庄镇", "柳塘镇", "滨河街道", "江州高新区", "江州经开区"]


@demo_step
async def scaled_challenges(ctx: DemoContext) -> None:
    """For --scale N: about 30 × N published challenges in bulk, spread over states and time."""
    if ctx.scale <= 1:
        return
    now, rng = ctx.clock.now(), ctx.rng
    organizer = ctx.users["organizer"].id
    field_ids = [f.id for f in ctx.fields.values()]
    unit_ids = [u.id for u in ctx.units.values()]
    statuses = [ChallengeStatus.PUBLISHED.value] * 6 + [ChallengeStatus.CANCELLED.value, ChallengeStatus.FAILED.value]
    rows = []
    for i in range(30 * ctx.scale):
        opened = now + timedelta(days=rng.randint(-120, 10))
        rows.append({
            "number": f"JB-X-{i:06d}", "status": rng.choice(statuses),
            "title": f"{rng.choice(BULK_PLACES)}{rng.choice(BULK_TITLES)}攻坚（第 {i + 1} 号）",
            "background": "围绕" + rng.choice(BULK_TITLES) + "中的突出问题，面向全市干部公开揭榜。",
            "goals": "按期完成考核指标。", "deliverables": "实施方案；总结报告。", "reward": "",
            "field_id": rng.choice(field_ids), "owner_unit_id": rng.choice(unit_ids), "organizer_id": organizer,
            "budget": Decimal(rng.randint(50, 3000)), "duration_months": rng.choice((6, 12, 18, 24)),
            "mode": ChallengeMode.SINGLE.value, "bid_opens_at": opened,
            "bid_closes_at": opened + timedelta(days=rng.randint(10, 40)), "published_at": opened - timedelta(days=2),
            "max_score": Decimal(100), "pass_score": Decimal(60), "aggregation": "trimmed_mean",
            "deviation_share": Decimal("0.20"), "blind_review": True, "panel_size": 5, "panel_reserves": 2,
            "grade_excellent": Decimal(90), "grade_good": Decimal(80), "grade_qualified": Decimal(60),
            "round_no": 1, "created_at": now, "updated_at": now,
        })
    await ctx.session.execute(insert(Challenge), rows)
    count = len((await ctx.session.scalars(select(Challenge.id).where(Challenge.number.like("JB-X-%")))).all())
    await audit.record(ctx.session, ctx.clock, SYSTEM, "admin", "demo.scale", "challenge", "*", {"challenges": count})

