"""The challenge state machine, and its question's: one table each (STYLE: state and rules).

Whether a published challenge's window is upcoming, open or closed is not a state: the clock
decides it (phase.py). The table holds only stored states. `transition` is how every area moves
a challenge: it checks the table, changes the state and writes the audit event, all in the
caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.challenges.models import Challenge, ChallengeStatus, QuestionStatus
from arena.clock import Clock
from arena.i18n import lazy
from arena.statemachine import Machine, Transition

S = ChallengeStatus

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

CHALLENGE = Machine("challenge", lazy("榜单"), STATUS_LABELS, CHALLENGE_TRANSITIONS, other_actions={
    "create": lazy("新建榜单草稿"),
    "update": lazy("修改榜单草稿"),
    "new_round": lazy("重新发榜（新一轮）"),
    "attach": lazy("上传榜单附件"),
    "detach": lazy("删除榜单附件"),
})

Q = QuestionStatus
QUESTION = Machine("question", lazy("答疑问题"), {
    Q.ASKED: lazy("待答复"), Q.ANSWERED: lazy("已答复并公开"), Q.CLOSED: lazy("不公开")}, {
    "answer": Transition(frozenset({Q.ASKED}), Q.ANSWERED, lazy("答复答疑问题")),
    "close": Transition(frozenset({Q.ASKED}), Q.CLOSED, lazy("答疑问题不予公开")),
}, other_actions={"ask": lazy("提出答疑问题")}, object_type="challenge_question")
"""A question on an open challenge (答疑): the organizer publishes an answer or closes it unpublished."""


async def transition(db: AsyncSession, clock: Clock, actor: Actor, challenge: Challenge, action: str,
                     summary: dict[str, Any] | None = None) -> None:
    """Move `challenge` by `action` and audit it, as its organizer; the caller has checked the policy."""
    await CHALLENGE.move(db, clock, actor, "organizer", challenge, action, summary)
