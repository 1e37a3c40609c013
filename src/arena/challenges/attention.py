"""What the home page shows organizers and cadres about challenges (fixed number of queries)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.attention import LINKS_SHOWN, AttentionItem, AttentionLink, pointed, provider
from arena.auth.models import Role
from arena.challenges import queries
from arena.challenges.models import Challenge, ChallengeQuestion, ChallengeStatus, QuestionStatus
from arena.clock import Clock
from arena.i18n import gettext as _

PUBLISHED = ChallengeStatus.PUBLISHED.value


@provider(Role.ORGANIZER)
async def organizer_attention(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    now = clock.now()
    mine = queries.managed_by(actor)
    closing = and_(Challenge.status == PUBLISHED, Challenge.bid_closes_at > now,
                   Challenge.bid_closes_at <= now + timedelta(days=3))
    # Closed windows waiting for qualification are the bids area's card (bids/attention.py).
    row = (await db.execute(select(
        func.count().filter(Challenge.status == ChallengeStatus.DRAFT.value),
        func.count().filter(closing),
    ).where(mine))).one()
    drafts, closing_soon = (int(n or 0) for n in row)
    items = []
    if closing_soon:
        items.append(AttentionItem(_("3 天内截止"), _("{n} 个榜单即将截止揭榜").format(n=closing_soon),
                                   "/organizer/challenges?status=published", closing_soon))
    items.append(AttentionItem(_("榜单草稿"), _("{n} 个草稿尚未发布").format(n=drafts) if drafts
                               else _("新建榜单，起草揭榜挂帅项目"),
                               "/organizer/challenges?status=draft" if drafts else "/organizer/challenges/new",
                               drafts or None))
    return items


@provider(Role.CADRE)
async def cadre_attention(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    if actor.user_id is None:
        return []
    cadre = await queries.load_cadre_facts(db, actor.user_id)
    if cadre is None:
        return [AttentionItem(_("尚未关联干部信息"), _("请联系管理员把你的账号关联到干部信息，才能揭榜"),
                              "/challenges")]
    now = clock.now()
    stmt = queries.eligible_statement(cadre, now, await queries.open_age_limits(db, now)).order_by(None)
    count = int(await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    if not count:
        return [AttentionItem(_("可揭榜单"), _("目前没有你符合条件的揭榜中榜单"), "/challenges")]
    return [AttentionItem(_("可揭榜单"), _("有 {n} 个揭榜中的榜单你符合条件").format(n=count),
                          "/challenges/eligible", count, urgent=True)]


@provider(Role.ORGANIZER)
async def organizer_questions(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    """Open challenges with questions waiting for an answer (答疑): one query with a limit."""
    waiting = func.count(ChallengeQuestion.id)
    rows = (await db.execute(
        select(Challenge.id, Challenge.title, waiting, func.sum(waiting).over())
        .join(ChallengeQuestion, ChallengeQuestion.challenge_id == Challenge.id)
        .where(queries.managed_by(actor), Challenge.status == PUBLISHED,
               Challenge.bid_closes_at > clock.now(), ChallengeQuestion.status == QuestionStatus.ASKED.value)
        .group_by(Challenge.id, Challenge.title).order_by(Challenge.bid_closes_at, Challenge.id)
        .limit(LINKS_SHOWN + 1))).all()
    if not rows:
        return []
    total = int(rows[0][3])
    places = [AttentionLink(_("{title}：{n} 个问题待答复").format(title=title, n=n),
                            f"/organizer/challenges/{cid}/questions") for cid, title, n, _total in rows]
    return [pointed(_("答疑待答复"), _("{n} 个答疑问题等待答复").format(n=total),
                    "/organizer/challenges?status=published", total, places, urgent=True)]
