"""What needs each role's attention, shown on the home page.

Each area registers a provider: an async function (db, actor, clock) -> items. Providers run
only for the roles they are registered for, and each must answer in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit.models import AuditEvent
from arena.auth.models import Role, User
from arena.clock import Clock
from arena.i18n import gettext as _
from arena.units.models import Cadre, Expert, Unit

LINKS_SHOWN = 3
"""How many waiting items a card names as direct links (providers fetch one more, to know)."""


@dataclass(frozen=True)
class AttentionLink:
    label: str
    href: str


@dataclass(frozen=True)
class AttentionItem:
    title: str
    detail: str
    href: str
    count: int | None = None
    urgent: bool = False
    links: tuple[AttentionLink, ...] = ()  # the first few waiting items, when more than one place
    more: bool = False  # there are more places than `links` names


def pointed(title: str, detail: str, list_href: str, count: int, places: list[AttentionLink],
            urgent: bool = False) -> AttentionItem:
    """A card that opens the waiting item itself (and names it) when everything waits in one
    place, or names the first few places as links and opens the list. `places` holds up to
    LINKS_SHOWN + 1, so that a provider needs one query with a limit, whatever the backlog."""
    if len(places) == 1:  # the card names the place and opens it
        return AttentionItem(title, places[0].label, places[0].href, count, urgent)
    return AttentionItem(title, detail, list_href, count, urgent, tuple(places[:LINKS_SHOWN]),
                         len(places) > LINKS_SHOWN)


Provider = Callable[[AsyncSession, Actor, Clock], Awaitable[list[AttentionItem]]]
PROVIDERS: list[tuple[frozenset[Role], Provider]] = []


def provider(*roles: Role) -> Callable[[Provider], Provider]:
    def register(fn: Provider) -> Provider:
        PROVIDERS.append((frozenset(roles), fn))
        return fn

    return register


async def attention_for(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    for roles, fn in PROVIDERS:
        if actor.has(*roles):
            items.extend(await fn(db, actor, clock))
    return items


@provider(Role.ADMIN)
async def admin_attention(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    row = (
        await db.execute(
            select(
                select(func.count()).select_from(User).where(User.password_hash.is_(None)).scalar_subquery(),
                select(func.count()).select_from(Unit).scalar_subquery(),
                select(func.count()).select_from(Cadre).scalar_subquery(),
                select(func.count()).select_from(Expert).scalar_subquery(),
            )
        )
    ).one()
    no_password, units, cadres, experts = row
    items = []
    if no_password:
        items.append(AttentionItem(_("账号尚未设置密码"), _("这些账号须由管理员重置密码后才能登录"),
                                   "/admin/users?no_password=1", no_password, urgent=True))
    items.append(AttentionItem(_("单位与人员"), _("{u} 个单位，{c} 名干部，{e} 名专家").format(
        u=units, c=cadres, e=experts), "/admin/people"))
    return items


@provider(Role.INSPECTOR)
async def inspector_attention(db: AsyncSession, actor: Actor, clock: Clock) -> list[AttentionItem]:
    count = int(await db.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    return [AttentionItem(_("审计日志"), _("共 {n} 条事件；可随时校验整条哈希链").format(n=count), "/audit", count)]
