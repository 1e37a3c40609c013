"""What the home page shows organizers about publicity (one query): objections to answer and
publicities whose period is over, waiting for the award."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import Clock
from arena.home.attention import AttentionItem, provider
from arena.i18n import gettext as _
from arena.publicity.models import Objection, ObjectionStatus, Publicity, PublicityStatus


@provider(Role.ORGANIZER)
async def organizer_publicity(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    mine = select(Challenge.id).where(Challenge.organizer_id == actor.user_id)
    objections, ended = (int(n or 0) for n in (await db.execute(select(
        select(func.count()).select_from(Objection).where(
            Objection.challenge_id.in_(mine), Objection.status == ObjectionStatus.OPEN.value).scalar_subquery(),
        select(func.count()).select_from(Publicity).join(Challenge, Challenge.id == Publicity.challenge_id).where(
            Publicity.challenge_id.in_(mine), Publicity.status == PublicityStatus.PUBLISHED.value,
            Publicity.ends_at <= clock.now(), Challenge.status == ChallengeStatus.PUBLICITY.value).scalar_subquery(),
    ))).one())
    items = []
    if objections:
        items.append(AttentionItem(_("异议待答复"), _("{n} 件结果公示异议等待答复").format(n=objections),
                                   "/organizer/challenges?status=publicity", objections, urgent=True))
    if ended:
        items.append(AttentionItem(_("公示期满"), _("{n} 个榜单公示期满，可以确定挂帅").format(n=ended),
                                   "/organizer/challenges?status=publicity", ended))
    return items
