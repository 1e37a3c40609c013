"""Demo review: one challenge with frozen results (open review), one being scored in blind review
(a declined seat filled from the reserves, some sheets in), and one waiting for its draw.

Everything runs through the services — qualification, commitment, draw, answers, sheets, close —
so the audit chain, the draw proof and the results snapshot are the real thing."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from arena.actor import Actor
from arena.auth import service as auth_service
from arena.auth.models import User
from arena.bids import qualification
from arena.bids.demo import _bid, _reopened
from arena.bids.models import Bid
from arena.challenges.models import Challenge
from arena.challenges.queries import organizer_challenge
from arena.clock import FrozenClock
from arena.demo import DemoContext, demo_step
from arena.review import due_dates, panel_draw, results, service
from arena.review import seats as review_seats
from arena.review import sheets as review_sheets
from arena.review.models import Panel, PanelPurpose, PanelSeat, ScoreSheet, SeatStatus
from arena.units.models import Expert

# story → (lead, team members), in the order they bid
BIDDERS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "park": [("cadre2", ("cadre12",)), ("cadre5", ()), ("cadre10", ())],
    "transfer": [("cadre4", ("cadre8",)), ("cadre7", ()), ("cadre11", ())],
    "incubator": [("cadre13", ()), ("cadre1", ())],
}
QUALITY = [Decimal("0.86"), Decimal("0.78"), Decimal("0.69")]  # how good each story's bids are, in bid order


async def _to_review(ctx: DemoContext, story: str) -> list[Bid]:
    """Bids submitted in a briefly reopened window, qualified, and the challenge moved to review."""
    db, clock = ctx.session, ctx.clock
    challenge, closes = await _reopened(ctx, story)
    bids = [await _bid(ctx, story, lead, team=tuple((m, True) for m in team)) for lead, team in BIDDERS[story]]
    challenge.bid_closes_at = closes
    await db.flush()
    organizer = ctx.actors["organizer"]
    challenge = await organizer_challenge(db, organizer, challenge.id)
    await qualification.start(db, clock, organizer, challenge)
    for bid in bids:
        await qualification.decide(db, clock, organizer, challenge, bid.id, True, "")
    await qualification.finish(db, clock, organizer, challenge)
    return bids


async def _expert_actor(ctx: DemoContext, expert_id: int) -> Actor:
    """The drawn expert's account as an actor (at --scale N the pool holds generated experts too)."""
    user = await ctx.session.scalar(select(User).join(Expert, Expert.user_id == User.id).where(Expert.id == expert_id))
    assert user is not None
    return auth_service.actor_for(user)


def _scores(rng: random.Random, quality: Decimal, points: Decimal) -> str:
    """A plausible score: the bid's quality with an expert's noise, one decimal, within 0..points."""
    share = quality + Decimal(rng.randint(-8, 8)) / 100
    value = (points * share).quantize(Decimal("0.1"))
    return str(max(Decimal(0), min(points, value)))


def demo_beacon(key: str) -> str:
    """A made-up 双色球 result for the demo's draws (in real use the inspector copies the official one)."""
    rng = random.Random(f"arena-demo-beacon:{key}")
    reds = sorted(rng.sample(range(1, 34), 6))
    return " ".join(f"{n:02d}" for n in reds) + f" + {rng.randint(1, 16):02d}"


async def commit_and_draw(ctx: DemoContext, challenge: Challenge, settings: panel_draw.PanelSettings, key: str,
                          purpose: PanelPurpose = PanelPurpose.BID) -> Panel:
    """The demo's draw by the real rules: committed the day before, naming today's lottery, whose
    result the inspector enters now. Fixed seeds, so the demo's panels are the same everywhere."""
    from arena.execution import acceptance

    db, organizer = ctx.session, ctx.actors["organizer"]
    day_before = FrozenClock(ctx.clock.now() - timedelta(days=1))
    plan = panel_draw.BeaconPlan(panel_draw.DEFAULT_BEACON_SOURCE, ctx.clock.today())
    seed = hashlib.sha256(f"arena-demo:{key}".encode()).hexdigest()
    if purpose is PanelPurpose.ACCEPTANCE:
        await acceptance.commit(db, day_before, organizer, challenge, settings, plan=plan, seed=seed)
    else:
        await panel_draw.commit(db, day_before, organizer, challenge, settings, plan=plan, seed=seed)
    return await panel_draw.draw_panel(db, ctx.clock, ctx.actors["inspector"], challenge, demo_beacon(key), purpose)


async def _draw(ctx: DemoContext, story: str, decline_first: bool) -> list[PanelSeat]:
    """Commit, draw, and answer: every member accepts (the first declines when asked to, and the
    first reserve moves up and accepts). The first to accept chairs."""
    db, clock, organizer = ctx.session, ctx.clock, ctx.actors["organizer"]
    challenge = await service.organizer_challenge(db, organizer, ctx.challenges[story])
    panel = await commit_and_draw(ctx, challenge, panel_draw.PanelSettings(5, 2, None), story)
    declined = not decline_first
    while True:
        invited = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                            PanelSeat.status == SeatStatus.INVITED.value)
                                    .order_by(PanelSeat.drawn_rank))).all()
        if not invited:
            break
        for seat in invited:
            actor = await _expert_actor(ctx, seat.expert_id)
            if not declined:
                await review_seats.answer(db, clock, actor, seat.id, False, "该时段需赴外地参加课题结题评审，无法到会")
                declined = True
            else:
                await review_seats.answer(db, clock, actor, seat.id, True, "")
    seats = list((await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                           PanelSeat.status == SeatStatus.ACCEPTED.value)
                                   .order_by(PanelSeat.drawn_rank))).all())
    await review_seats.set_chair(db, clock, organizer, challenge, seats[0].id)
    return seats


async def _score(ctx: DemoContext, story: str, seat: PanelSeat, bids: list[Bid], submit_upto: int) -> None:
    """The expert fills every sheet; the first `submit_upto` (in bid order) are submitted."""
    db, clock = ctx.session, ctx.clock
    actor = await _expert_actor(ctx, seat.expert_id)
    sheets = {s.bid_id: s for s in (await db.scalars(select(ScoreSheet).where(
        ScoreSheet.panel_id == seat.panel_id, ScoreSheet.expert_id == seat.expert_id))).all()}
    for index, bid in enumerate(bids):
        draft = await review_sheets.draft_of(db, actor, sheets[bid.id].id)
        rng = random.Random(f"{story}:{seat.expert_id}:{bid.id}")
        raw = {c.id: _scores(rng, QUALITY[index], c.points) for c in draft.criteria}
        await review_sheets.save(db, clock, actor, draft, draft.revision, raw,
                           "方案总体可行，建议进一步细化考核指标的核验方式。", submit=index < submit_upto)


@demo_step
async def review(ctx: DemoContext) -> None:
    db, clock, organizer = ctx.session, ctx.clock, ctx.actors["organizer"]
    # Closed: every sheet in, results frozen.
    park_bids = await _to_review(ctx, "park")
    for seat in await _draw(ctx, "park", decline_first=False):
        await _score(ctx, "park", seat, park_bids, submit_upto=len(park_bids))
    park = await service.organizer_challenge(db, organizer, ctx.challenges["park"])
    await results.close(db, clock, organizer, park, "")
    # Blind, under way: a declined seat, three experts done, one half-way, one not started.
    transfer_bids = await _to_review(ctx, "transfer")
    seats = await _draw(ctx, "transfer", decline_first=True)
    for seat, upto in zip(seats, (3, 3, 3, 1, 0), strict=True):
        await _score(ctx, "transfer", seat, transfer_bids, submit_upto=upto)
    # Due in three days (评审截止日期): the late two see the countdown, and can be chased.
    transfer = await service.organizer_challenge(db, organizer, ctx.challenges["transfer"])
    await due_dates.set_due(db, clock, organizer, transfer, PanelPurpose.BID,
                            clock.today() + timedelta(days=3), "")
    # Waiting for the organizer to publish the commitment and draw.
    await _to_review(ctx, "incubator")


LOAD_BIDS, LOAD_EXPERTS = 300, 9


@demo_step
async def review_load(ctx: DemoContext) -> None:
    """For `arena demo --review-load` (the bench): a blind review of 300 bids by 9 experts, drawn and
    accepted through the services; the experts (accounts loadexpert1…9) have every sheet open."""
    if not ctx.review_load:
        return
    from arena.auth.models import Role
    from arena.bids.models import BidStatus, BidVersion
    from arena.challenges.models import Challenge, ChallengeStatus
    from arena.units.models import Cadre, Field

    db, clock, organizer = ctx.session, ctx.clock, ctx.actors["organizer"]
    template = await db.get(Challenge, ctx.challenges["transfer"])
    assert template is not None
    field = Field(name="压测领域")  # only the load experts have it, so they are the panel
    db.add(field)
    challenge = await service.organizer_challenge(db, organizer, ctx.challenges["incubator"])
    unit = ctx.units["JZ-QS-LTZ"]
    for n in range(1, LOAD_EXPERTS + 1):
        user = await auth_service.create_user(db, clock, organizer, auth_service.NewAccount(
            f"loadexpert{n}", f"压测专家{n}", frozenset({Role.EXPERT}), ctx.settings.demo_password))
        expert = Expert(code=f"ZJL{n:03d}", user_id=user.id, name=f"压测专家{n}", unit_id=ctx.units["JZ-JZU"].id,
                        title="教授", annual_panel_cap=100)
        expert.fields = [field]
        db.add(expert)
    await db.flush()
    # Another reviewing challenge like "incubator", with 300 qualified bids by cadres without accounts.
    load = Challenge(title="评审性能测试：城乡数字治理方案比选", status=ChallengeStatus.REVIEWING.value,
                     number="JB-LOAD-0001", field_id=field.id, owner_unit_id=challenge.owner_unit_id,
                     organizer_id=challenge.organizer_id, bid_opens_at=challenge.bid_opens_at,
                     bid_closes_at=challenge.bid_closes_at, published_at=challenge.published_at,
                     pass_score=challenge.pass_score, blind_review=True)
    db.add(load)
    await db.flush()
    from arena.challenges.models import Criterion
    for c in challenge.criteria:
        db.add(Criterion(challenge_id=load.id, kind=c.kind, position=c.position, name=c.name, points=c.points,
                         guidance=c.guidance))
    for n in range(1, LOAD_BIDS + 1):
        cadre = Cadre(code=f"GBL{n:04d}", name=f"压测干部{n}", unit_id=unit.id, position="科员", rank="clerk",
                      birth_date=template.created_at.date().replace(year=1990))
        db.add(cadre)
        await db.flush()
        bid = Bid(challenge_id=load.id, lead_id=cadre.id, status=BidStatus.QUALIFIED.value,
                  number=f"JB-LOAD-0001-B{n:03d}", submitted_at=clock.now(), submitted_version=1,
                  plan="方案", commitment="承诺")
        db.add(bid)
        await db.flush()
        plan = f"第 {n} 套实施方案：摸清底数、集中攻坚、总结推广。" * 5
        content = json.dumps({"plan": plan, "commitment": "按期完成。",
                              "milestones": [{"title": "完成调研", "due_on": "2027-06-30", "deliverable": "调研报告",
                                              "kpi": "覆盖全部村", "template": None}],
                              "attachments": [], "team": [], "lead": cadre.code}, ensure_ascii=False)
        db.add(BidVersion(bid_id=bid.id, version_no=1, content=content, sha256="0" * 64, submitted_at=clock.now(),
                          submitted_by_id=organizer.user_id))
    await db.flush()
    load = await service.organizer_challenge(db, organizer, load.id)
    panel = await commit_and_draw(ctx, load, panel_draw.PanelSettings(LOAD_EXPERTS, 0, None), "load")
    for seat in (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id))).all():
        await review_seats.answer(db, clock, await _expert_actor(ctx, seat.expert_id), seat.id, True, "")
