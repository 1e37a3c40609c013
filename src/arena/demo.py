"""`arena demo`: realistic Chinese demo data for an empty database.

The demo is built in steps, one per area, each using the areas' own services so that the
audit chain records it like real use. Later areas add their steps to DEMO_STEPS. `--scale N`
multiplies the bulk data (people, and later challenges) for benchmarks; bulk rows are inserted
directly with one audit event per step, since hashing thousands of passwords would take minutes.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from arena.actor import SYSTEM, Actor
from arena.audit import checkpoints
from arena.audit import service as audit
from arena.auth import passwords
from arena.auth import service as auth_service
from arena.auth.models import Role, User, UserRole
from arena.clock import Clock
from arena.db import create_engine, create_session_maker, transaction
from arena.settings import Settings
from arena.units.models import (
    Cadre,
    Expert,
    Field,
    OrgDepartment,
    OrgDepartmentMember,
    Rank,
    Unit,
    cadre_field,
    expert_field,
)


class DemoNotEmpty(Exception):
    """The database already has accounts: the demo never mixes with real data."""

    def __str__(self) -> str:
        return "数据库中已有数据，演示数据只能载入空数据库 / the database is not empty"


@dataclass
class DemoContext:
    session: AsyncSession
    clock: Clock
    settings: Settings
    scale: int
    rng: random.Random
    users: dict[str, User] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)
    cadres: dict[str, Cadre] = field(default_factory=dict)
    experts: dict[str, Expert] = field(default_factory=dict)
    challenges: dict[str, int] = field(default_factory=dict)  # demo story key → challenge id
    review_load: bool = False  # the bench's 300 bids × 9 experts review (arena demo --review-load)


DemoStep = Callable[[DemoContext], Awaitable[None]]
DEMO_STEPS: list[DemoStep] = []

AREA_DEMO_MODULES: list[str] = [
    # Each later area keeps its demo steps in its own module, loaded in lifecycle order.
    "arena.challenges.demo",
    "arena.bids.demo",
    "arena.review.demo",
    "arena.execution.demo",
    "arena.records.demo",
]


def demo_step(fn: DemoStep) -> DemoStep:
    DEMO_STEPS.append(fn)
    return fn


# (code, name, parent code)
UNITS: list[tuple[str, str, str | None]] = [
    ("JZ", "江州市", None),
    ("JZ-ZZB", "中共江州市委组织部", "JZ"),
    ("JZ-JW", "江州市纪委监委", "JZ"),
    ("JZ-FGW", "江州市发展和改革委员会", "JZ"),
    ("JZ-KJJ", "江州市科学技术局", "JZ"),
    ("JZ-NYJ", "江州市农业农村局", "JZ"),
    ("JZ-XFJ", "江州市信访局", "JZ"),
    ("JZ-SJJ", "江州市数据局", "JZ"),
    ("JZ-STJ", "江州市生态环境局", "JZ"),
    ("JZ-QS", "青山县", "JZ"),
    ("JZ-QS-ZF", "青山县人民政府", "JZ-QS"),
    ("JZ-QS-JZZ", "青山县姜庄镇人民政府", "JZ-QS"),
    ("JZ-QS-LTZ", "青山县柳塘镇人民政府", "JZ-QS"),
    ("JZ-LH", "临河区", "JZ"),
    ("JZ-LH-ZF", "临河区人民政府", "JZ-LH"),
    ("JZ-LH-BHJD", "临河区滨河街道办事处", "JZ-LH"),
    ("JZ-JZU", "江州大学", "JZ"),
    ("JZ-NKY", "江州市农业科学院", "JZ"),
    ("JZ-GTJT", "江州城市建设投资集团有限公司", "JZ"),
]

# 公示与监督 of the units that publish demo challenges: code → (监督电话, 受理联系人, 联系电话, 通讯地址).
# 临河区滨河街道办事处 has none, so its draft shows the organizer the warning.
NOTICE_CONTACTS: dict[str, tuple[str, str, str, str]] = {
    "JZ-KJJ": ("010-66581234", "张某某", "010-66581236", "江州市人民路 88 号市民中心 B 座 12 层（100031）"),
    "JZ-SJJ": ("010-66582345", "李某某", "010-66582347", "江州市人民路 88 号市民中心 C 座 6 层（100031）"),
    "JZ-NYJ": ("010-66583456", "王某某", "010-66583458", "江州市建设北路 17 号（100032）"),
    "JZ-FGW": ("010-66584567", "赵某某", "010-66584569", "江州市人民路 88 号市民中心 A 座 9 层（100031）"),
    "JZ-XFJ": ("010-66585678", "陈某某", "010-66585670", "江州市解放东路 5 号（100033）"),
    "JZ-STJ": ("010-66586789", "刘某某", "010-66586781", "江州市滨江大道 210 号（100035）"),
    "JZ-LH-ZF": ("010-67321000", "周某某", "010-67321005", "江州市临河区政通路 1 号（100041）"),
    "JZ-QS-ZF": ("010-69218800", "孙某某", "010-69218806", "青山县城关镇府前街 2 号（100051）"),
}

FIELDS: list[tuple[str, bool]] = [
    ("乡村发展", True), ("信访维稳", True), ("科技创新", True), ("数字政府", False),
    ("生态环保", False), ("营商环境", False), ("城市治理", False), ("产业发展", False),
]

# username, name, roles
STAFF: list[tuple[str, str, tuple[Role, ...]]] = [
    ("admin", "赵立新", (Role.ADMIN,)),
    ("organizer", "李明远", (Role.ORGANIZER,)),
    ("organizer2", "孙晓岚", (Role.ORGANIZER,)),
    ("inspector", "周正清", (Role.INSPECTOR,)),
    ("orgdept", "吴振邦", (Role.ORG_DEPT,)),
]

# name, unit, title, fields
EXPERTS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("陈国华", "JZ-JZU", "教授", ("科技创新", "产业发展")),
    ("林婉清", "JZ-NKY", "研究员", ("乡村发展", "生态环保")),
    ("黄志强", "JZ-GTJT", "正高级工程师", ("城市治理", "数字政府")),
    ("吴雅琴", "JZ-JZU", "副教授", ("营商环境", "数字政府")),
    ("郑海涛", "JZ-FGW", "高级经济师", ("产业发展", "营商环境")),
    ("王淑芬", "JZ-NKY", "研究员", ("乡村发展", "科技创新")),
    ("刘建军", "JZ-XFJ", "高级政工师", ("信访维稳", "城市治理")),
    ("何丽萍", "JZ-STJ", "高级工程师", ("生态环保", "乡村发展")),
    ("高文斌", "JZ-SJJ", "正高级工程师", ("数字政府", "科技创新")),
    ("冯立新", "JZ-JZU", "教授", ("科技创新", "数字政府")),
    ("钱思敏", "JZ-NKY", "研究员", ("科技创新", "产业发展")),
    ("孙文博", "JZ-GTJT", "正高级工程师", ("科技创新", "城市治理")),
    ("李慧娟", "JZ-FGW", "高级经济师", ("科技创新", "营商环境")),
    ("周明哲", "JZ-JZU", "教授", ("科技创新", "生态环保")),
    ("吴海燕", "JZ-STJ", "高级工程师", ("科技创新", "乡村发展")),
    ("郑宇航", "JZ-GTJT", "高级工程师", ("数字政府", "科技创新")),
]

# name, unit, position, rank, birth date, fields, frontline
CADRES: list[tuple[str, str, str, Rank, date, tuple[str, ...], bool]] = [
    ("张伟", "JZ-QS-JZZ", "姜庄镇党委副书记、镇长", Rank.SECTION, date(1988, 3, 12), ("乡村发展",), True),
    ("王芳", "JZ-KJJ", "高新技术科科长", Rank.SECTION, date(1990, 7, 5), ("科技创新",), False),
    ("李强", "JZ-XFJ", "督查科副科长", Rank.DEPUTY_SECTION, date(1993, 11, 20), ("信访维稳",), True),
    ("刘洋", "JZ-SJJ", "数据资源科科长", Rank.SECTION, date(1987, 1, 30), ("数字政府", "科技创新"), False),
    ("陈静", "JZ-NYJ", "乡村产业发展科副科长", Rank.DEPUTY_SECTION, date(1994, 5, 18), ("乡村发展", "产业发展"), True),
    ("杨帆", "JZ-LH-BHJD", "滨河街道办事处副主任", Rank.DEPUTY_SECTION, date(1992, 9, 9), ("城市治理",), True),
    ("赵磊", "JZ-FGW", "产业发展科科长", Rank.SECTION, date(1985, 12, 1), ("产业发展", "营商环境"), False),
    ("黄丽", "JZ-STJ", "生态保护科科员", Rank.CLERK, date(1997, 4, 22), ("生态环保",), False),
    ("周杰", "JZ-QS-LTZ", "柳塘镇副镇长", Rank.DEPUTY_SECTION, date(1991, 8, 14), ("乡村发展", "生态环保"), True),
    ("吴敏", "JZ-QS-ZF", "青山县政府办公室副主任", Rank.DEPUTY_DIVISION, date(1983, 2, 27), ("营商环境",), False),
    ("徐涛", "JZ-LH-ZF", "临河区发改局局长", Rank.DIVISION, date(1979, 6, 3), ("产业发展",), False),
    ("孙悦", "JZ-KJJ", "成果转化科科员", Rank.CLERK, date(1998, 10, 16), ("科技创新",), False),
    ("马超", "JZ-XFJ", "接访科科长", Rank.SECTION, date(1986, 3, 8), ("信访维稳", "城市治理"), True),
    ("朱琳", "JZ-SJJ", "政务服务科副科长", Rank.DEPUTY_SECTION, date(1995, 12, 25), ("数字政府", "营商环境"), False),
    ("胡斌", "JZ-NYJ", "农村改革科科长", Rank.SECTION, date(1989, 7, 11), ("乡村发展",), True),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉鹏宇晨欣怡浩然子轩梓涵一诺思远嘉怡俊杰"


def _scaled_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@demo_step
async def units_and_fields(ctx: DemoContext) -> None:
    for code, name, parent in UNITS:
        unit = Unit(code=code, name=name, parent_id=ctx.units[parent].id if parent else None)
        if code in NOTICE_CONTACTS:
            unit.supervision_phone, unit.contact_person, unit.contact_phone, unit.address = NOTICE_CONTACTS[code]
        ctx.session.add(unit)
        await ctx.session.flush()
        ctx.units[code] = unit
    for name, frontline in FIELDS:
        fld = Field(name=name, frontline=frontline)
        ctx.session.add(fld)
        ctx.fields[name] = fld
    await ctx.session.flush()
    await audit.record(ctx.session, ctx.clock, SYSTEM, "admin", "demo.units", "unit", "*",
                       {"units": len(UNITS), "fields": len(FIELDS)})


async def _account(ctx: DemoContext, username: str, name: str, roles: tuple[Role, ...]) -> User:
    user = await auth_service.create_user(
        ctx.session, ctx.clock, SYSTEM,
        auth_service.NewAccount(username, name, frozenset(roles), ctx.settings.demo_password),
    )
    ctx.users[username] = user
    ctx.actors[username] = auth_service.actor_for(user)
    return user


@demo_step
async def people(ctx: DemoContext) -> None:
    for username, name, roles in STAFF:
        await _account(ctx, username, name, roles)
    for index, (name, unit, title, fields) in enumerate(EXPERTS, start=1):
        user = await _account(ctx, f"expert{index}", name, (Role.EXPERT,))
        expert = Expert(code=f"ZJ{index:04d}", user_id=user.id, name=name, unit_id=ctx.units[unit].id, title=title,
                        annual_panel_cap=6)
        expert.fields = [ctx.fields[f] for f in fields]
        ctx.session.add(expert)
        ctx.experts[f"expert{index}"] = expert
    for index, (name, unit, position, rank, born, fields, frontline) in enumerate(CADRES, start=1):
        user = await _account(ctx, f"cadre{index}", name, (Role.CADRE,))
        cadre = Cadre(code=f"GB{index:04d}", user_id=user.id, name=name, unit_id=ctx.units[unit].id,
                      position=position, rank=rank.value, birth_date=born, frontline=frontline)
        cadre.fields = [ctx.fields[f] for f in fields]
        ctx.session.add(cadre)
        ctx.cadres[f"cadre{index}"] = cadre
    await ctx.session.flush()
    for key, cadre in ctx.cadres.items():
        await audit.record(ctx.session, ctx.clock, SYSTEM, "admin", "cadre.create", "cadre", cadre.id,
                           {"code": cadre.code, "account": key})
    for key, expert in ctx.experts.items():
        await audit.record(ctx.session, ctx.clock, SYSTEM, "admin", "expert.create", "expert", expert.id,
                           {"code": expert.code, "account": key})


@demo_step
async def org_department(ctx: DemoContext) -> None:
    """The 组织部门 that decides the records of every demo cadre (rooted at the city), before any
    story proposes one; the `orgdept` account acts for it."""
    department = OrgDepartment(
        name="中共江州市委组织部", unit_id=ctx.units["JZ"].id, supervision_phone="010-66512380",
        contact_person="钱某某", contact_phone="010-66512381", address="江州市人民路 1 号市委大院 3 号楼（100030）")
    ctx.session.add(department)
    await ctx.session.flush()
    ctx.session.add(OrgDepartmentMember(org_department_id=department.id, user_id=ctx.users["orgdept"].id))
    await ctx.session.flush()
    await audit.record(ctx.session, ctx.clock, SYSTEM, "admin", "demo.units", "org_department",
                       department.id, {"name": department.name, "member": "orgdept"})


@demo_step
async def scaled_people(ctx: DemoContext) -> None:
    """For --scale N: N-1 more copies of the unit tree's leaves' staff, in bulk."""
    if ctx.scale <= 1:
        return
    rng = ctx.rng
    password_hash = passwords.hash_password(ctx.settings.demo_password)
    now = ctx.clock.now()
    field_ids = [f.id for f in ctx.fields.values()]
    unit_ids = [u.id for u in ctx.units.values()]
    extra = ctx.scale - 1
    users = [{"username": f"bulk{i:06d}", "display_name": _scaled_name(rng), "password_hash": password_hash,
              "is_active": True, "password_changed_at": now, "created_at": now, "updated_at": now}
             for i in range(extra * (len(CADRES) + len(EXPERTS)))]
    await ctx.session.execute(insert(User), users)
    ids = (await ctx.session.scalars(select(User.id).where(User.username.like("bulk%")).order_by(User.id))).all()
    n_cadres = extra * len(CADRES)
    roles = [{"user_id": uid, "role": (Role.CADRE if i < n_cadres else Role.EXPERT).value,
              "created_at": now, "updated_at": now} for i, uid in enumerate(ids)]
    await ctx.session.execute(insert(UserRole), roles)
    ranks = list(Rank)[:5]
    cadres = [{"code": f"GBX{i:06d}", "user_id": uid, "name": _scaled_name(rng), "unit_id": rng.choice(unit_ids),
               "position": "干部", "rank": rng.choice(ranks).value,
               "birth_date": date(1975, 1, 1) + timedelta(days=rng.randrange(0, 365 * 24)),
               "frontline": rng.random() < 0.4, "created_at": now, "updated_at": now}
              for i, uid in enumerate(ids[:n_cadres])]
    await ctx.session.execute(insert(Cadre), cadres)
    experts = [{"code": f"ZJX{i:06d}", "user_id": uid, "name": _scaled_name(rng), "unit_id": rng.choice(unit_ids),
                "title": rng.choice(("教授", "研究员", "高级工程师", "高级经济师")), "annual_panel_cap": 6,
                "created_at": now, "updated_at": now}
               for i, uid in enumerate(ids[n_cadres:])]
    await ctx.session.execute(insert(Expert), experts)
    cadre_ids = (await ctx.session.scalars(select(Cadre.id).where(Cadre.code.like("GBX%")))).all()
    expert_ids = (await ctx.session.scalars(select(Expert.id).where(Expert.code.like("ZJX%")))).all()
    await ctx.session.execute(insert(cadre_field), [{"cadre_id": c, "field_id": rng.choice(field_ids)}
                                                    for c in cadre_ids])
    await ctx.session.execute(insert(expert_field), [{"expert_id": e, "field_id": f} for e in expert_ids
                                                     for f in rng.sample(field_ids, 2)])
    await audit.record(ctx.session, ctx.clock, SYSTEM, "admin", "demo.scale", "user", "*",
                       {"scale": ctx.scale, "cadres": len(cadre_ids), "experts": len(expert_ids)})


def login_summary(settings: Settings) -> str:
    lines = [
        f"演示账号（密码均为 {settings.demo_password}）/ demo logins (password {settings.demo_password}):",
        "  admin                 系统管理员 / admin",
        "  organizer, organizer2 发榜单位 / organizers",
        "  inspector             纪检监察 / inspector",
        "  orgdept               组织部门 / organization department",
        "  expert1 … expert16    评审专家 / experts",
        "  cadre1 … cadre15      干部 / cadres",
    ]
    return "\n".join(lines)


async def refresh_statistics(engine: AsyncEngine) -> None:
    """Give the query planner fresh statistics after a bulk load, as autovacuum would a minute
    later: right after `--scale 100` PostgreSQL still plans for empty tables (a scan of every
    published challenge for the eligible list) and reads the heap for what the visibility map
    would answer."""
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM (ANALYZE)")
        else:
            await connection.exec_driver_sql("ANALYZE")
            await connection.commit()


async def load_demo(settings: Settings, *, scale: int = 1, clock: Clock | None = None,
                    review_load: bool = False) -> str:
    engine = create_engine(settings.database_url)
    try:
        async with transaction(create_session_maker(engine)) as session:
            if await session.scalar(select(func.count()).select_from(User)):
                raise DemoNotEmpty
            ctx = DemoContext(session=session, clock=clock or Clock(), settings=settings, scale=scale,
                              rng=random.Random(20261124), review_load=review_load)
            for module in AREA_DEMO_MODULES:
                importlib.import_module(module)
            for step in DEMO_STEPS:
                await step(ctx)
            # Last, so the public checkpoint page is not empty and covers every demo event.
            await checkpoints.make_checkpoint(session, ctx.clock, checkpoints.signing_key(settings))
        await refresh_statistics(engine)
    finally:
        await engine.dispose()
    return login_summary(settings)
