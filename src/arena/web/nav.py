"""Navigation per role. Each area adds its entries here; the order is the order shown."""

from __future__ import annotations

from dataclasses import dataclass

from arena.actor import Actor, Role
from arena.i18n import gettext as _
from arena.i18n import lazy


@dataclass(frozen=True)
class NavItem:
    label: str  # msgid, translated when shown
    href: str
    roles: frozenset[Role] | None  # None: everyone, logged in or not


NAV: list[NavItem] = [
    NavItem(lazy("首页"), "/", None),
    NavItem(lazy("榜单大厅"), "/challenges", None),
    NavItem(lazy("可揭榜单"), "/challenges/eligible", frozenset({Role.CADRE})),
    NavItem(lazy("我的揭榜"), "/bids", frozenset({Role.CADRE})),
    NavItem(lazy("我的项目"), "/projects", frozenset({Role.CADRE})),
    NavItem(lazy("我的发榜"), "/organizer/challenges", frozenset({Role.ORGANIZER})),
    NavItem(lazy("实施看板"), "/organizer/board", frozenset({Role.ORGANIZER})),
    NavItem(lazy("我的档案"), "/dossier", frozenset({Role.CADRE})),
    NavItem(lazy("结果运用"), "/organizer/records", frozenset({Role.ORGANIZER})),
    NavItem(lazy("我的结果运用"), "/my/records", frozenset({Role.CADRE})),
    NavItem(lazy("结果运用审批"), "/orgdept/records", frozenset({Role.ORG_DEPT})),
    NavItem(lazy("三个优先"), "/orgdept/stats", frozenset({Role.ORG_DEPT})),
    NavItem(lazy("实绩档案"), "/dossiers", frozenset({Role.ORGANIZER, Role.INSPECTOR, Role.ORG_DEPT})),
    NavItem(lazy("统计报表"), "/organizer/reports", frozenset({Role.ORGANIZER})),
    NavItem(lazy("我的评审"), "/review", frozenset({Role.EXPERT})),
    NavItem(lazy("进展考核"), "/assess", frozenset({Role.ORGANIZER, Role.EXPERT})),
    NavItem(lazy("账号管理"), "/admin/users", frozenset({Role.ADMIN})),
    NavItem(lazy("单位"), "/admin/units", frozenset({Role.ADMIN})),
    NavItem(lazy("人员"), "/admin/people", frozenset({Role.ADMIN})),
    NavItem(lazy("领域"), "/admin/fields", frozenset({Role.ADMIN})),
    NavItem(lazy("接口客户端"), "/admin/api-clients", frozenset({Role.ADMIN})),
    NavItem(lazy("工作日历"), "/admin/calendar", frozenset({Role.ADMIN})),
    NavItem(lazy("组织部门"), "/admin/org-departments", frozenset({Role.ADMIN})),
    NavItem(lazy("廉政审查"), "/inspector/vetting", frozenset({Role.INSPECTOR})),
    NavItem(lazy("抽取随机源"), "/inspector/draws", frozenset({Role.INSPECTOR})),
    NavItem(lazy("容错申请"), "/inspector/tolerance", frozenset({Role.INSPECTOR})),
    NavItem(lazy("结果运用意见"), "/inspector/records", frozenset({Role.INSPECTOR})),
    NavItem(lazy("审计日志"), "/audit", frozenset({Role.INSPECTOR, Role.ADMIN})),
]


def nav_for(actor: Actor | None, available: set[str] | None = None) -> list[tuple[str, str]]:
    """(label, href) pairs this actor may see; `available` drops links to routes not mounted."""
    items = []
    for item in NAV:
        if item.roles is not None and (actor is None or not actor.has(*item.roles)):
            continue
        if available is not None and item.href not in available:
            continue
        items.append((_(item.label), item.href))
    return items
