"""What the home page shows about records (one query each): organizers, the proposals of their
challenges waiting for a decision; cadres, records approved into their dossier this month."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges.models import Challenge
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.home.attention import LINKS_SHOWN, AttentionItem, AttentionLink, pointed, provider
from arena.i18n import gettext as _
from arena.records.models import Record, RecordStatus
from arena.units.models import Cadre


@provider(Role.ORGANIZER)
async def organizer_records(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    rows = (await db.execute(
        select(Record.id, Cadre.name, Challenge.title, func.count().over())
        .join(Challenge, Challenge.id == Record.challenge_id).join(Cadre, Cadre.id == Record.cadre_id)
        .where(managed_by(actor), Record.status == RecordStatus.PROPOSED.value)
        .order_by(Record.id).limit(LINKS_SHOWN + 1))).all()
    if not rows:
        return []
    total = int(rows[0][3])
    places = [AttentionLink(_("{name}：{title}").format(name=name, title=title), f"/organizer/records/{rid}")
              for rid, name, title, _total in rows]
    return [pointed(_("结果运用建议待审批"), _("{n} 条结果运用建议等待审批").format(n=total),
                    "/organizer/records", total, places)]


@provider(Role.CADRE)
async def cadre_records(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    recent = int(await db.scalar(select(func.count()).select_from(Record).join(
        Cadre, Cadre.id == Record.cadre_id).where(
        Cadre.user_id == actor.user_id, Record.status == RecordStatus.APPROVED.value,
        Record.decided_at >= clock.now() - timedelta(days=30))) or 0)
    if not recent:
        return []
    return [AttentionItem(_("新的结果运用记录"), _("近 30 天有 {n} 条结果运用记录记入你的实绩档案").format(n=recent),
                          "/dossier#records", recent)]
