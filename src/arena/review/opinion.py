"""The chair's summary opinion (专家组综合意见, GLOSSARY `panel_summary`).

The panel's chair (PanelSeat.is_chair) writes it once every sheet is in — each seated expert has
submitted or recused every sheet, and nobody is still answering the invitation. It stays a draft
the chair may edit until the panel closes; closing freezes it into the results snapshot
(results.build_snapshot), so the score summary and the results page print what was frozen. The
organizer may close without it: the close form warns.

The text is not a sealed score, so its audit event carries it; it must not carry any number from
the sheets, and this module never reads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.clock import Clock
from arena.errors import DomainError, FormErrors, PermissionDenied
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.review import policy, results, service, sheets
from arena.review.models import Panel, PanelStatus

MAX_LENGTH = 4000

register_actions({"panel.chair_opinion": lazy("填写专家组综合意见")})


@dataclass(frozen=True)
class Readiness:
    """Whether the opinion may be written now, and if not, how much work is still out."""

    missing: int  # sheets not yet submitted, plus seats still to answer (results.missing_work)
    submitted: int

    @property
    def ready(self) -> bool:
        return self.missing == 0 and self.submitted > 0


async def readiness(db: AsyncSession, panel: Panel) -> Readiness:
    progress = await results.seats_with_progress(db, panel)
    return Readiness(results.missing_work(progress), sum(p.submitted for p in progress))


def clean(text: str) -> str:
    """One spelling of the text (browsers post CRLF), so the frozen snapshot reads the same everywhere."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()


async def save(db: AsyncSession, clock: Clock, actor: Actor, panel_id: int, text: str) -> Panel:
    """Save the chair's opinion (a draft until close). Only the chair, only while the panel scores,
    only once all sheets are in; bad text changes nothing."""
    panel, challenge, seat, expert = await sheets.expert_panel(db, actor, panel_id)
    if not policy.may_chair(actor, service.seat_facts(seat, expert)):
        raise PermissionDenied(_("只有评审组组长可以填写专家组综合意见"))
    if panel.status != PanelStatus.DRAWN.value:
        raise DomainError(_("评审已结束，专家组综合意见已随结果冻结，不能再修改"))
    state = await readiness(db, panel)
    if not state.ready:
        raise DomainError(_("还有 {n} 份评分表或邀请未完成：全部评分表提交（或回避）后才能填写专家组综合意见").format(
            n=state.missing))
    body = clean(text)
    if not body:
        raise FormErrors({"opinion": _("请填写专家组综合意见")})
    if "\x00" in body:
        raise FormErrors({"opinion": _("专家组综合意见包含不允许的字符")})
    if len(body) > MAX_LENGTH:
        raise FormErrors({"opinion": _("专家组综合意见最多 {n} 个字（当前 {m} 个）").format(n=MAX_LENGTH, m=len(body))})
    first = panel.chair_opinion is None
    panel.chair_opinion, panel.chair_opinion_at = body, clock.now()
    await audit.record(db, clock, actor, "expert", "panel.chair_opinion", "panel", panel.id, {
        "challenge": challenge.id, "expert": expert.code, "first": first, "opinion": body})
    await db.flush()
    return panel


def snapshot_field(panel: Panel) -> dict[str, Any]:
    """The opinion as the results snapshot freezes it; nothing when there is none, so results
    frozen before opinions existed (or closed without one) rebuild to the same snapshot."""
    if panel.chair_opinion is None:
        return {}
    at = panel.chair_opinion_at
    return {"chair_opinion": {"text": panel.chair_opinion,
                              "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if at else None}}


def frozen(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """The opinion a frozen snapshot holds, as {"text", "at" (a datetime or None)}."""
    found = snapshot.get("chair_opinion")
    if not found:
        return None
    at = found.get("at")
    return {"text": found.get("text", ""),
            "at": datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if at else None}
