"""The challenge state machine: one table of allowed transitions (STYLE: state and rules).

Whether a published challenge's window is upcoming, open or closed is not a state: the clock
decides it (phase.py). The table holds only stored states. `transition` is the one function
that changes a challenge's status: it checks the table, changes the state and writes the
audit event, all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions, register_states
from arena.challenges.models import Challenge, ChallengeStatus
from arena.clock import Clock
from arena.errors import DomainError
from arena.i18n import gettext as _
from arena.i18n import lazy

S = ChallengeStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset[ChallengeStatus]
    target: ChallengeStatus
    label: str  # msgid: the action's name in messages and the audit log


CHALLENGE_TRANSITIONS: dict[str, Transition] = {
    "publish": Transition(frozenset({S.DRAFT}), S.PUBLISHED, lazy("发布")),
    "amend": Transition(frozenset({S.PUBLISHED}), S.PUBLISHED, lazy("发布更正公告")),
    "cancel": Transition(frozenset({S.PUBLISHED, S.QUALIFYING}), S.CANCELLED, lazy("撤榜")),
    # the bids issue: qualification after the window closes, and failed listing (流榜)
    "start_qualifying": Transition(frozenset({S.PUBLISHED}), S.QUALIFYING, lazy("开始资格审查")),
    "fail": Transition(frozenset({S.QUALIFYING, S.REVIEWING, S.PUBLICITY}), S.FAILED, lazy("流榜")),
    # later issues: review, publicity, award, acceptance
    "start_review": Transition(frozenset({S.QUALIFYING}), S.REVIEWING, lazy("进入专家评审")),
    "publicize": Transition(frozenset({S.REVIEWING}), S.PUBLICITY, lazy("结果公示")),
    "republicize": Transition(frozenset({S.PUBLICITY}), S.PUBLICITY, lazy("重新公示")),
    "reopen_review": Transition(frozenset({S.PUBLICITY}), S.REVIEWING, lazy("重新开启评审")),
    "award": Transition(frozenset({S.PUBLICITY}), S.EXECUTING, lazy("挂帅")),
    "accept": Transition(frozenset({S.EXECUTING}), S.ACCEPTED, lazy("验收")),
}

STATUS_LABELS: dict[ChallengeStatus, str] = {
    S.DRAFT: lazy("草稿"),
    S.PUBLISHED: lazy("已发布"),
    S.QUALIFYING: lazy("资格审查中"),
    S.REVIEWING: lazy("评审中"),
    S.PUBLICITY: lazy("公示中"),
    S.EXECUTING: lazy("实施中"),
    S.ACCEPTED: lazy("已验收"),
    S.FAILED: lazy("流榜"),
    S.CANCELLED: lazy("已撤榜"),
}

register_states("challenge", STATUS_LABELS)
register_actions({f"challenge.{action}": t.label for action, t in CHALLENGE_TRANSITIONS.items()} | {
    "challenge.create": lazy("新建榜单草稿"),
    "challenge.update": lazy("修改榜单草稿"),
    "challenge.new_round": lazy("重新发榜（新一轮）"),
    "challenge.attach": lazy("上传榜单附件"),
    "challenge.detach": lazy("删除榜单附件"),
})


def check(action: str, challenge: Challenge) -> ChallengeStatus:
    """The state `action` leads to, or a DomainError naming the states it needs."""
    transition = CHALLENGE_TRANSITIONS[action]
    current = ChallengeStatus(challenge.status)
    if current not in transition.sources:
        allowed = "、".join(_(STATUS_LABELS[s]) for s in sorted(transition.sources, key=list(ChallengeStatus).index))
        raise DomainError(_("只有{allowed}的榜单才能{action}（当前：{current}）").format(
            allowed=allowed, action=_(transition.label), current=_(STATUS_LABELS[current])))
    return transition.target


async def transition(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, action: str,
                     summary: dict[str, Any] | None = None) -> None:
    """Move `challenge` by `action` and audit it; the caller has checked the policy."""
    target = check(action, challenge)
    before = challenge.status
    challenge.status = target.value
    await audit.record(db, clock, actor, "organizer", f"challenge.{action}", "challenge", challenge.id,
                       {"from": before, "to": target.value, **(summary or {})})
