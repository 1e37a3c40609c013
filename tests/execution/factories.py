"""From a closed review to the later stages, through the services (the pages under test are the
later ones): frozen results, publicity, award, signed commitments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import User
from arena.auth.service import actor_for
from arena.challenges.models import Challenge, ChallengeMode, Checkpoint, Criterion, CriterionKind
from arena.clock import FrozenClock
from arena.execution import acceptance, award
from arena.execution.models import Project
from arena.publicity import service as publicity
from arena.review import panel_draw
from arena.review import results as review_results
from arena.review import seats as review_seats
from arena.review import service as review
from arena.review import sheets as review_sheets
from arena.review.models import PanelPurpose, PanelSeat, ScoreSheet, SeatStatus
from arena.units.models import Cadre, Expert
from tests.review.factories import Review, commit_and_draw, make_review

# each bid's total per criterion of the rubric (30/25/25/20): bid 1 best, bid 3 below the pass score
QUALITY = [("27", "22", "22", "18"), ("24", "20", "20", "16"), ("15", "12", "12", "10")]


@dataclass
class Story:
    review: Review
    challenge_id: int
    bid_ids: list[int]
    project_ids: list[int] = field(default_factory=list)


async def actor(db: AsyncSession, username: str):
    return actor_for(await db.scalar(select(User).where(User.username == username)))


async def expert_actor(db: AsyncSession, expert_id: int):
    user = await db.scalar(select(User).join(Expert, Expert.user_id == User.id).where(Expert.id == expert_id))
    return actor_for(user)


async def closed_review(db: AsyncSession, clock: FrozenClock, *, horse_race: bool = False, bids: int = 3,
                        acceptance_rubric: bool = True) -> Story:
    """A single-winner (or 2-team horse race) challenge whose open review is closed: bid 1 ranks first."""
    made = await make_review(db, experts=6, blind=False, bids=bids, same_unit_expert=False)
    challenge = await db.get(Challenge, made.challenge_id)
    if horse_race:
        challenge.mode, challenge.horse_race_teams = ChallengeMode.HORSE_RACE.value, 2
        db.add(Checkpoint(challenge_id=challenge.id, position=1, title="终期比选", due_on=clock.now().date()))
    if acceptance_rubric:
        db.add_all([Criterion(challenge_id=challenge.id, kind=CriterionKind.ACCEPTANCE.value, position=1,
                              name="目标完成度", points=Decimal(60), guidance="对照考核指标逐项核验"),
                    Criterion(challenge_id=challenge.id, kind=CriterionKind.ACCEPTANCE.value, position=2,
                              name="群众满意度", points=Decimal(40), guidance="第三方抽样调查")])
    await db.commit()
    await score_panel(db, clock, made.challenge_id, {bid: QUALITY[i] for i, bid in enumerate(made.bid_ids)})
    return Story(made, made.challenge_id, made.bid_ids)


async def score_panel(db: AsyncSession, clock: FrozenClock, challenge_id: int, totals: dict[int, tuple[str, ...]],
                      purpose=None) -> None:
    """Commit, draw 3 of the pool, every member accepts and submits `totals` for each bid, close."""
    purpose = purpose or PanelPurpose.BID
    org = await actor(db, "org")
    challenge = await review.organizer_challenge(db, org, challenge_id)
    settings = panel_draw.PanelSettings(3, 1, None)
    panel = await commit_and_draw(db, clock, org, challenge, settings, purpose)
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                      PanelSeat.status == SeatStatus.INVITED.value))).all()
    for seat in seats:
        expert = await expert_actor(db, seat.expert_id)
        await review_seats.answer(db, clock, expert, seat.id, True, "")
        for sheet in (await db.scalars(select(ScoreSheet).where(ScoreSheet.panel_id == panel.id,
                                                               ScoreSheet.expert_id == seat.expert_id))).all():
            draft = await review_sheets.draft_of(db, expert, sheet.id)
            values = dict(zip([c.id for c in draft.criteria], totals[sheet.bid_id], strict=True))
            await review_sheets.save(db, clock, expert, draft, draft.revision, values, "", submit=True)
    challenge = await review.organizer_challenge(db, org, challenge_id)
    if purpose is PanelPurpose.ACCEPTANCE:
        await acceptance.close(db, clock, org, challenge, "")
    else:
        await review_results.close(db, clock, org, challenge, "")
    await db.commit()


async def publicized(db: AsyncSession, clock: FrozenClock, **kwargs) -> Story:
    story = await closed_review(db, clock, **kwargs)
    org = await actor(db, "org")
    await publicity.publish(db, clock, org, await review.organizer_challenge(db, org, story.challenge_id), 5)
    await db.commit()
    return story


async def awarded(db: AsyncSession, clock: FrozenClock, *, sign: bool = True, **kwargs) -> Story:
    """Publicity over, award made, and (by default) every commitment signed."""
    story = await publicized(db, clock, **kwargs)
    current = await publicity.current_publicity(db, story.challenge_id)
    clock.advance(current.ends_at - clock.now() + timedelta(hours=1))
    org = await actor(db, "org")
    projects = await award.award(db, clock, org, await review.organizer_challenge(db, org, story.challenge_id))
    story.project_ids = [p.id for p in projects]
    await db.commit()
    if sign:
        for project_id in story.project_ids:
            project = await db.get(Project, project_id)
            lead = await db.get(User, await lead_user(db, project))
            view = await award.readable_project(db, actor_for(lead), project_id, clock.today())
            await award.sign(db, clock, actor_for(lead), view, "arena-demo", address=None)
        await db.commit()
    return story


async def lead_user(db: AsyncSession, project: Project) -> int:
    return await db.scalar(select(Cadre.user_id).where(Cadre.id == project.lead_id))
