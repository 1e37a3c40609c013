"""What the home page shows organizers about publicity (two queries): objections to answer and
publicities whose period is over, waiting for the award."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.attention import LINKS_SHOWN, AttentionItem, AttentionLink, pointed, provider
from arena.auth.models import Role
from arena.challenges.models import Challenge, ChallengeStatus
from arena.challenges.queries import managed_by
from arena.clock import Clock
from arena.i18n import gettext as _
from arena.publicity.models import Objection, ObjectionStatus, Publicity, PublicityStatus


@provider(Role.ORGANIZER)
async def organizer_publicity(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """Two queries, each the first few challenges and how many there are in all."""
    objections = func.count(Objection.id)
    open_rows = (await db.execute(
        select(Challenge.id, Challenge.title, objections, func.sum(objections).over())
        .join(Objection, Objection.challenge_id == Challenge.id)
        .where(managed_by(actor), Objection.status == ObjectionStatus.OPEN.value)
        .group_by(Challenge.id, Challenge.title).order_by(Challenge.id).limit(LINKS_SHOWN + 1))).all()
    ended_rows = (await db.execute(
        select(Challenge.id, Challenge.title, func.count().over())
        .where(managed_by(actor), Challenge.status == ChallengeStatus.PUBLICITY.value,
               exists().where(Publicity.challenge_id == Challenge.id,
                              Publicity.status == PublicityStatus.PUBLISHED.value, Publicity.ends_at <= clock.now()))
        .order_by(Challenge.id).limit(LINKS_SHOWN + 1))).all()
    items: list[AttentionItem] = []
    if open_rows:
        total = int(open_rows[0][3])
        places = [AttentionLink(_("{title}：{n} 件异议待答复").format(title=title, n=n),
                                f"/organizer/challenges/{cid}/publicity") for cid, title, n, _total in open_rows]
        items.append(pointed(_("异议待答复"), _("{n} 件结果公示异议等待答复").format(n=total),
                             "/organizer/challenges?status=publicity", total, places, urgent=True))
    if ended_rows:
        total = int(ended_rows[0][2])
        places = [AttentionLink(_("{title}：公示期满，可以确定挂帅").format(title=title),
                                f"/organizer/challenges/{cid}/publicity") for cid, title, _total in ended_rows]
        items.append(pointed(_("公示期满"), _("{n} 个榜单公示期满，可以确定挂帅").format(n=total),
                             "/organizer/challenges?status=publicity", total, places))
    return items
