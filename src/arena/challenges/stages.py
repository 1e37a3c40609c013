"""The nine stages of a challenge, for the stepper (发榜 → 揭榜 → 资格审查 → 专家评审 → 结果公示 →
挂帅 → 实施 → 验收 → 结果运用): pure functions, no database.

The caller gathers `StageFacts` (the status, the clock, the dates it knows); `progress` answers
which stage the challenge is in, which are done, and when each happened. A failed listing (流榜)
or a cancelled challenge (撤榜) stops at the stage it ended in; the stages after it are never
reached. `organizer_actions` says which stage pages the organizer's challenge page links to: the
current stage's first action is the next thing to do (the primary button), earlier stages stay
reachable, and later stages are not offered at all.

Statuses are compared as strings (the values of `ChallengeStatus`) so that this module imports
no ORM and can be tested as a table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from arena.i18n import gettext as _
from arena.i18n import lazy


class Stage(enum.StrEnum):
    PUBLISH = "publish"  # 发榜
    BID = "bid"  # 揭榜
    QUALIFICATION = "qualification"  # 资格审查
    REVIEW = "review"  # 专家评审
    PUBLICITY = "publicity"  # 结果公示
    AWARD = "award"  # 挂帅 (the winners sign their 军令状)
    EXECUTION = "execution"  # 实施
    ACCEPTANCE = "acceptance"  # 验收
    RECORDS = "records"  # 结果运用


STAGES: tuple[Stage, ...] = tuple(Stage)

STAGE_LABELS: dict[Stage, str] = {
    Stage.PUBLISH: lazy("发榜"),
    Stage.BID: lazy("揭榜"),
    Stage.QUALIFICATION: lazy("资格审查"),
    Stage.REVIEW: lazy("专家评审"),
    Stage.PUBLICITY: lazy("结果公示"),
    Stage.AWARD: lazy("挂帅"),
    Stage.EXECUTION: lazy("实施"),
    Stage.ACCEPTANCE: lazy("验收"),
    Stage.RECORDS: lazy("结果运用"),
}


class StepState(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"
    STOPPED = "stopped"  # the challenge ended here (流榜 or 撤榜)
    NOT_REACHED = "not_reached"  # after a stop: this stage will never come


@dataclass(frozen=True)
class StageFacts:
    """What the stepper looks at. Dates are those the caller knows (None when not, or not yet):
    `*_at` of the challenge's own transitions come from its audit trail."""

    status: str
    now: datetime
    published_at: datetime | None = None
    bid_opens_at: datetime | None = None
    bid_closes_at: datetime | None = None
    qualification_started_at: datetime | None = None
    review_started_at: datetime | None = None
    publicized_at: datetime | None = None
    publicity_ends_at: datetime | None = None
    awarded_at: datetime | None = None
    accepted_at: datetime | None = None
    ended_at: datetime | None = None  # failed or cancelled
    commitments_unsigned: bool = False  # executing: a winner has not signed the 军令状 yet
    acceptance_started: bool = False  # executing: the acceptance review has begun


@dataclass(frozen=True)
class Step:
    stage: Stage
    state: StepState
    starts: datetime | None = None
    ends: datetime | None = None

    @property
    def label(self) -> str:
        return _(STAGE_LABELS[self.stage])


@dataclass(frozen=True)
class Progress:
    steps: tuple[Step, ...]
    stage: Stage  # the stage the challenge is in, or ended in
    ended: str | None = None  # "failed" or "cancelled"

    @property
    def current(self) -> Step:
        return next(s for s in self.steps if s.stage is self.stage)


def current_stage(facts: StageFacts) -> Stage:
    """The stage a challenge is in (or, failed or cancelled, the stage it ended in)."""
    status = facts.status
    if status == "draft":
        return Stage.PUBLISH
    if status == "published":
        closed = facts.bid_closes_at is not None and facts.now >= facts.bid_closes_at
        return Stage.QUALIFICATION if closed else Stage.BID
    if status == "executing":
        if facts.commitments_unsigned:
            return Stage.AWARD
        return Stage.ACCEPTANCE if facts.acceptance_started else Stage.EXECUTION
    if status == "failed":  # no qualified bid, none above the pass score, or an upheld objection
        if facts.publicized_at:
            return Stage.PUBLICITY
        return Stage.REVIEW if facts.review_started_at else Stage.QUALIFICATION
    if status == "cancelled":  # allowed while published or qualifying
        closed_before = (facts.bid_closes_at is not None and facts.ended_at is not None
                         and facts.ended_at >= facts.bid_closes_at)
        return Stage.QUALIFICATION if facts.qualification_started_at or closed_before else Stage.BID
    return {"qualifying": Stage.QUALIFICATION, "reviewing": Stage.REVIEW, "publicity": Stage.PUBLICITY,
            "accepted": Stage.RECORDS}[status]


def _dates(facts: StageFacts, stage: Stage, ended_here: bool) -> tuple[datetime | None, datetime | None]:
    end_here = facts.ended_at if ended_here else None
    return {
        Stage.PUBLISH: (facts.published_at, None),
        Stage.BID: (facts.bid_opens_at, end_here or facts.bid_closes_at),
        Stage.QUALIFICATION: (facts.qualification_started_at, facts.review_started_at or end_here),
        Stage.REVIEW: (facts.review_started_at, facts.publicized_at or end_here),
        Stage.PUBLICITY: (facts.publicized_at, facts.publicity_ends_at),
        Stage.AWARD: (facts.awarded_at, None),
        Stage.EXECUTION: (None, None),
        Stage.ACCEPTANCE: (facts.accepted_at, None),
        Stage.RECORDS: (None, None),
    }[stage]


def progress(facts: StageFacts) -> Progress:
    """Every stage with its state and the dates known for it."""
    stage = current_stage(facts)
    ended = facts.status if facts.status in ("failed", "cancelled") else None
    at = STAGES.index(stage)
    steps = []
    for i, each in enumerate(STAGES):
        if i < at:
            state = StepState.DONE
        elif i == at:
            state = StepState.STOPPED if ended else StepState.CURRENT
        else:
            state = StepState.NOT_REACHED if ended else StepState.UPCOMING
        starts, ends = _dates(facts, each, ended_here=i == at and ended is not None)
        steps.append(Step(each, state, starts, ends))
    return Progress(tuple(steps), stage, ended)


# --- the organizer's stage pages ----------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    """A link to a stage page of the organizer's; `primary` marks the next thing to do."""

    key: str
    stage: Stage
    primary: bool = False

    @property
    def label(self) -> str:
        return _(ACTION_LABELS[self.key])

    def href(self, challenge_id: int) -> str:
        return ACTION_PATHS[self.key].format(id=challenge_id)


ACTION_LABELS: dict[str, str] = {
    "qualification": lazy("资格审查"),
    "review": lazy("专家评审"),
    "publicity": lazy("结果公示"),
    "execution": lazy("项目实施"),
    "acceptance": lazy("验收"),
    "records": lazy("结果运用"),
}

ACTION_PATHS: dict[str, str] = {
    "qualification": "/organizer/challenges/{id}/qualification",
    "review": "/organizer/challenges/{id}/review",
    "publicity": "/organizer/challenges/{id}/publicity",
    "execution": "/organizer/challenges/{id}/execution",
    "acceptance": "/organizer/challenges/{id}/acceptance",
    "records": "/organizer/records",
}

# The pages each stage is worked on, the next thing to do first. 挂帅 is confirmed on the
# publicity page; after it the winners sign, which the execution page follows. Acceptance is
# begun while the work is under way, so 实施 offers it too.
STAGE_ACTIONS: dict[Stage, tuple[str, ...]] = {
    Stage.PUBLISH: (),
    Stage.BID: (),
    Stage.QUALIFICATION: ("qualification",),
    Stage.REVIEW: ("review",),
    Stage.PUBLICITY: ("publicity",),
    Stage.AWARD: ("execution",),
    Stage.EXECUTION: ("execution", "acceptance"),
    Stage.ACCEPTANCE: ("acceptance",),
    Stage.RECORDS: ("records",),
}


def organizer_actions(progress: Progress) -> tuple[Action, ...]:
    """Links to the pages of the stages reached, the current one first with its first action
    primary (none is primary once the challenge has ended); later stages are left out."""
    reached = STAGES[: STAGES.index(progress.stage) + 1]
    result: list[Action] = []
    seen: set[str] = set()
    for stage in reversed(reached):
        for n, key in enumerate(STAGE_ACTIONS[stage]):
            if key in seen:
                continue
            seen.add(key)
            primary = stage is progress.stage and n == 0 and progress.ended is None
            result.append(Action(key, stage, primary))
    return tuple(result)
