"""Demo review: one challenge with frozen results (open review), one being scored in blind review
(a declined seat filled from the reserves, some sheets in), and one waiting for its draw.

Everything runs through the services — qualification, commitment, draw, answers, sheets, close —
so the audit chain, the draw proof and the results snapshot are the real thing."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select

from arena.bids import qualification
from arena.bids.demo import _bid, _reopened
from arena.bids.models import Bid
from arena.demo import DemoContext, demo_step
from arena.review import service
from arena.review.models import PanelSeat, ScoreSheet, SeatStatus

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
    challenge = await qualification.challenge_for_qualification(db, organizer, challenge.id)
    await qualification.start(db, clock, organizer, challenge)
    for bid in bids:
        await qualification.decide(db, clock, organizer, challenge, bid.id, True, "")
    await qualification.finish(db, clock, organizer, challenge)
    return bids


def _scores(rng: random.Random, quality: Decimal, points: Decimal) -> str:
    """A plausible score: the bid's quality with an expert's noise, one decimal, within 0..points."""
    share = quality + Decimal(rng.randint(-8, 8)) / 100
    value = (points * share).quantize(Decimal("0.1"))
    return str(max(Decimal(0), min(points, value)))


async def _draw(ctx: DemoContext, story: str, decline_first: bool) -> list[PanelSeat]:
    """Commit, draw, and answer: every member accepts (the first declines when asked to, and the
    first reserve moves up and accepts). The first to accept chairs."""
    db, clock, organizer = ctx.session, ctx.clock, ctx.actors["organizer"]
    challenge = await service.organizer_challenge(db, organizer, ctx.challenges[story])
    await service.commit(db, clock, organizer, challenge, service.PanelSettings(5, 2, None))
    panel = await service.draw_panel(db, clock, organizer, challenge)
    accounts = {e.id: key for key, e in ctx.experts.items()}
    declined = not decline_first
    while True:
        invited = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                            PanelSeat.status == SeatStatus.INVITED.value)
                                    .order_by(PanelSeat.drawn_rank))).all()
        if not invited:
            break
        for seat in invited:
            actor = ctx.actors[accounts[seat.expert_id]]
            if not declined:
                await service.answer(db, clock, actor, seat.id, False, "该时段需赴外地参加课题结题评审，无法到会")
                declined = True
            else:
                await service.answer(db, clock, actor, seat.id, True, "")
    seats = list((await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                           PanelSeat.status == SeatStatus.ACCEPTED.value)
                                   .order_by(PanelSeat.drawn_rank))).all())
    await service.set_chair(db, clock, organizer, challenge, seats[0].id)
    return seats


async def _score(ctx: DemoContext, story: str, seat: PanelSeat, bids: list[Bid], submit_upto: int) -> None:
    """The expert fills every sheet; the first `submit_upto` (in bid order) are submitted."""
    db, clock = ctx.session, ctx.clock
    actor = ctx.actors[next(key for key, e in ctx.experts.items() if e.id == seat.expert_id)]
    sheets = {s.bid_id: s for s in (await db.scalars(select(ScoreSheet).where(
        ScoreSheet.panel_id == seat.panel_id, ScoreSheet.expert_id == seat.expert_id))).all()}
    for index, bid in enumerate(bids):
        sheet_ctx = await service.expert_sheet(db, actor, sheets[bid.id].id)
        rng = random.Random(f"{story}:{seat.expert_id}:{bid.id}")
        raw = {c.id: _scores(rng, QUALITY[index], c.points) for c in sheet_ctx.criteria}
        await service.save(db, clock, actor, sheet_ctx, sheet_ctx.sheet.revision, raw,
                           "方案总体可行，建议进一步细化考核指标的核验方式。", submit=index < submit_upto)


@demo_step
async def review(ctx: DemoContext) -> None:
    db, clock, organizer = ctx.session, ctx.clock, ctx.actors["organizer"]
    # Closed: every sheet in, results frozen.
    park_bids = await _to_review(ctx, "park")
    for seat in await _draw(ctx, "park", decline_first=False):
        await _score(ctx, "park", seat, park_bids, submit_upto=len(park_bids))
    park = await service.organizer_challenge(db, organizer, ctx.challenges["park"])
    await service.close(db, clock, organizer, park, "")
    # Blind, under way: a declined seat, three experts done, one half-way, one not started.
    transfer_bids = await _to_review(ctx, "transfer")
    seats = await _draw(ctx, "transfer", decline_first=True)
    for seat, upto in zip(seats, (3, 3, 3, 1, 0), strict=True):
        await _score(ctx, "transfer", seat, transfer_bids, submit_upto=upto)
    # Waiting for the organizer to publish the commitment and draw.
    await _to_review(ctx, "incubator")
