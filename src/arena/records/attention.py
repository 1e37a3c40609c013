"""What the home page shows about records (a fixed number of queries each): organizers, the
open records of their challenges they have not yet given an opinion on; cadres, records approved into their dossier
this month; a 组织部门, what waits for it (to approve, to decide after a hearing, objections to
answer, 公示 ended); the admin, waiting records that no 组织部门 covers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.attention import LINKS_SHOWN, AttentionItem, AttentionLink, pointed, provider
from arena.auth.models import Role
from arena.challenges.models import Challenge
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.i18n import gettext as _
from arena.records.assignment import uncovered_count
from arena.records.enums import OPEN_STATUSES
from arena.records.models import ObjectionStatus, Record, RecordObjection, RecordOpinion, RecordStatus
from arena.units import orgdept
from arena.units.models import Cadre


@provider(Role.ORGANIZER)
async def organizer_records(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    rows = (await db.execute(
        select(Record.id, Cadre.name, Challenge.title, func.count().over())
        .join(Challenge, Challenge.id == Record.challenge_id).join(Cadre, Cadre.id == Record.cadre_id)
        .where(managed_by(actor), Record.status.in_(sorted(OPEN_STATUSES)),
               ~exists().where(RecordOpinion.record_id == Record.id, RecordOpinion.author_id == actor.user_id))
        .order_by(Record.id).limit(LINKS_SHOWN + 1))).all()
    if not rows:
        return []
    total = int(rows[0][3])
    places = [AttentionLink(_("{name}：{title}").format(name=name, title=title), f"/records/{rid}")
              for rid, name, title, _total in rows]
    return [pointed(_("结果运用建议待提出意见"), _("{n} 条结果运用建议等待你的意见（由组织部门审批）").format(n=total),
                    "/organizer/records", total, places)]


@provider(Role.CADRE)
async def cadre_records(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    recent = int(await db.scalar(select(func.count()).select_from(Record).join(
        Cadre, Cadre.id == Record.cadre_id).where(
        Cadre.user_id == actor.user_id, Record.status == RecordStatus.EFFECTIVE.value,
        Record.decided_at >= clock.now() - timedelta(days=30))) or 0)
    if not recent:
        return []
    return [AttentionItem(_("新的结果运用记录"), _("近 30 天有 {n} 条结果运用记录记入你的实绩档案").format(n=recent),
                          "/dossier#records", recent)]


@provider(Role.ADMIN)
async def admin_records(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """Waiting records no 组织部门 covers: nobody may decide them until a department is set up."""
    uncovered = int(await db.scalar(uncovered_count()) or 0)
    if not uncovered:
        return []
    return [AttentionItem(_("结果运用建议无人审批"), _("{n} 条结果运用建议没有组织部门审批").format(n=uncovered),
                          "/admin/records/uncovered", uncovered, urgent=True)]


@provider(Role.ORG_DEPT)
async def department_records(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """What waits for the actor's departments, in two queries: their ids, then four counts."""
    member_of = await orgdept.member_of(db, actor)
    if not member_of:
        return []
    now = clock.now()
    mine = Record.org_department_id.in_(sorted(member_of))
    open_objection = exists().where(RecordObjection.record_id == Record.id,
                                    RecordObjection.status == ObjectionStatus.OPEN.value)

    def count(*conditions: Any) -> Any:
        return select(func.count()).select_from(Record).where(mine, *conditions).scalar_subquery()

    proposed, heard, objections, ended = (await db.execute(select(
        count(Record.status == RecordStatus.PROPOSED.value),
        count(Record.status == RecordStatus.HEARING.value,
              or_(Record.hearing_waived_at.is_not(None), Record.hearing_ends_at <= now)),
        select(func.count()).select_from(RecordObjection).join(Record, Record.id == RecordObjection.record_id)
        .where(mine, Record.status == RecordStatus.PUBLICITY.value,
               RecordObjection.status == ObjectionStatus.OPEN.value).scalar_subquery(),
        count(Record.status == RecordStatus.PUBLICITY.value, Record.publicity_ends_at <= now, ~open_objection),
    ))).one()
    queue = "/orgdept/records?status="
    cards = [
        (proposed, _("结果运用建议待审批"), _("{n} 条结果运用建议等待你所在的组织部门审批"),
         RecordStatus.PROPOSED, False),
        (heard, _("陈述申辩期满，待决定"), _("{n} 条建议的陈述申辩期已满或干部已放弃陈述申辩，可以作出决定"),
         RecordStatus.HEARING, False),
        (objections, _("异议待答复"), _("公示中有 {n} 条异议等待答复；答复前不能生效"), RecordStatus.PUBLICITY, True),
        (ended, _("公示期满，待生效"), _("{n} 条结果运用公示期满且没有待答复的异议，可以确认生效"),
         RecordStatus.PUBLICITY, False),
    ]
    return [AttentionItem(title, detail.format(n=n), queue + status.value, int(n), urgent)
            for n, title, detail, status, urgent in cards if n]
