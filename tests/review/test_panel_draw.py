"""The draw nobody can foresee or steer: the frozen list, the inspector's beacon, re-commitments
in public, the supplementary draw, and the proof recomputed from what is published."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from arena.bids.models import Bid
from arena.clock import FrozenClock
from arena.errors import DomainError, FormErrors, PermissionDenied
from arena.review import draw as draw_math
from arena.review import panel_draw, service
from arena.review import seats as review_seats
from arena.review.models import DrawCommitment, ExpertConflict, Panel, PanelSeat, SeatStatus
from arena.units.models import Cadre, Expert
from tests.conftest import fresh, make_client
from tests.execution.factories import actor, expert_actor
from tests.review.factories import BEACON, inspector, make_review


async def fresh_challenge(db, challenge):
    """The challenge reloaded (the test commits between steps, which expires what it held)."""
    return await service.organizer_challenge(db, await actor(db, "org"), challenge.id)


async def _committed(db, clock, size=3, reserves=2):
    review = await make_review(db)
    org = await actor(db, "org")
    challenge = await service.organizer_challenge(db, org, review.challenge_id)
    await panel_draw.commit(db, clock, org, await fresh_challenge(db, challenge), panel_draw.PanelSettings(size, reserves, None))
    await db.commit()
    await fresh(db)
    return review, org, challenge


async def test_a_pool_change_after_the_commitment_refuses_the_draw_until_a_public_recommitment(db, clock):
    review, org, challenge = await _committed(db, clock)
    panel = await service.panel_of(db, challenge.id)
    first = json.loads(panel.candidates)
    # After the commitment someone adds a conflict for a frozen candidate.
    victim = await db.get(Expert, review.experts["expert2"])
    victim_code = victim.code
    bidder_unit = await db.scalar(select(Cadre.unit_id).join(Bid, Bid.lead_id == Cadre.id)
                                  .where(Bid.id == review.bid_ids[1]))
    db.add(ExpertConflict(expert_id=victim.id, unit_id=bidder_unit, reason="后补的回避", declared_at=clock.now()))
    await db.commit()
    await fresh(db)
    clock.advance(timedelta(days=1))
    insp = await inspector(db)
    await db.commit()
    with pytest.raises(DomainError) as refused:
        await panel_draw.draw_panel(db, clock, insp, await fresh_challenge(db, challenge), BEACON)
    assert "重新公布" in refused.value.message and victim_code in refused.value.message
    await fresh(db)
    assert await db.scalar(select(Panel.drawn_at).where(Panel.challenge_id == challenge.id)) is None
    # Re-committing needs a reason; it replaces the first commitment and reveals its seed.
    with pytest.raises(FormErrors):
        await panel_draw.commit(db, clock, org, await fresh_challenge(db, challenge), panel_draw.PanelSettings(3, 2, None))
    await panel_draw.commit(db, clock, org, await fresh_challenge(db, challenge), panel_draw.PanelSettings(3, 2, None), reason="专家补报回避")
    await db.commit()
    await fresh(db)
    rows = (await db.scalars(select(DrawCommitment).order_by(DrawCommitment.ordinal))).all()
    assert [r.status for r in rows] == ["replaced", "open"] and rows[1].reason == "专家补报回避"
    assert victim_code in first and victim_code not in json.loads(rows[1].candidates)
    clock.advance(timedelta(days=1))
    await panel_draw.draw_panel(db, clock, insp, await fresh_challenge(db, challenge), BEACON)
    await db.commit()
    await fresh(db)
    panel, proofs, problems = await panel_draw.proof(db, challenge.id)
    assert problems == [] and [p.revealed for p in proofs] == [True, True]
    assert victim_code not in json.loads(panel.drawn)


async def test_the_draw_uses_the_frozen_list_and_recomputes_from_the_published_inputs(db, clock):
    _review, _org, challenge = await _committed(db, clock)
    insp = await inspector(db)
    await db.commit()
    with pytest.raises(DomainError) as early:  # the beacon's date has not come
        await panel_draw.draw_panel(db, clock, insp, await fresh_challenge(db, challenge), BEACON)
    assert "开奖结果公布后才能录入" in early.value.message
    clock.advance(timedelta(days=1))
    with pytest.raises(PermissionDenied):  # the organizer may not enter it
        await panel_draw.draw_panel(db, clock, await actor(db, "org"), await fresh_challenge(db, challenge), BEACON)
    await panel_draw.draw_panel(db, clock, insp, await fresh_challenge(db, challenge), "  03 07 12 19 25 33  + 09 ")
    await db.commit()
    await fresh(db)
    made = (await db.scalars(select(DrawCommitment))).one()
    # Only what the page publishes: seed, beacon, frozen list, scope, seats.
    codes = json.loads(made.candidates)
    scope = f"challenge:{challenge.id}:bid:1"
    mixed = draw_math.mix(made.seed, made.beacon, draw_math.candidates_hash(codes), scope)
    assert json.loads(made.drawn) == list(draw_math.draw(mixed, codes, 3, 2).drawn)
    assert made.beacon == BEACON
    _panel, problems = await panel_draw.verify_draw(db, challenge.id)
    assert problems == []
    await db.execute(DrawCommitment.__table__.update().values(beacon="03 07 12 19 25 33 + 10"))
    await db.commit()
    await fresh(db)
    assert "result" in (await panel_draw.verify_draw(db, challenge.id))[1]


async def test_a_supplementary_draw_fills_seats_the_reserves_could_not(db, clock):
    _review, org, challenge = await _committed(db, clock, size=3, reserves=0)
    clock.advance(timedelta(days=1))
    insp = await inspector(db)
    await db.commit()
    panel = await panel_draw.draw_panel(db, clock, insp, await fresh_challenge(db, challenge), BEACON)
    first = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id)
                              .order_by(PanelSeat.drawn_rank))).all()
    first_ids = {s.expert_id for s in first}
    await review_seats.answer(db, clock, await expert_actor(db, first[0].expert_id), first[0].id, False, "出差")
    await db.commit()
    await fresh(db)
    made = await panel_draw.commit_supplement(db, clock, org, await fresh_challenge(db, challenge))
    assert made.seats == 1
    frozen = json.loads(made.candidates)
    assert not first_ids & {e.id for e in await panel_draw.candidates(db, await fresh_challenge(db, challenge), clock.now())
                                              if e.code in frozen}
    await db.commit()
    await fresh(db)
    with pytest.raises(DomainError):
        await panel_draw.draw_panel(db, clock, insp, await fresh_challenge(db, challenge), BEACON)  # same day: not yet
    await fresh(db)
    later = FrozenClock(clock.now() + timedelta(days=1))
    await panel_draw.draw_panel(db, later, insp, await fresh_challenge(db, challenge), BEACON)
    await db.commit()
    await fresh(db)
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id)
                              .order_by(PanelSeat.drawn_rank))).all()
    assert [s.status for s in seats].count(SeatStatus.INVITED.value) == 3 and seats[-1].drawn_rank == 4
    _panel, proofs, problems = await panel_draw.proof(db, challenge.id)
    assert problems == [] and [p.row.kind for p in proofs] == ["panel", "supplement"]
    assert "补充抽取" in "\n".join(panel_draw.explain(proofs))


async def test_the_public_page_lists_every_commitment_with_its_reason_and_the_recompute_lines(app, db, clock):
    review, org, challenge = await _committed(db, clock)
    await panel_draw.commit(db, clock, org, await fresh_challenge(db, challenge), panel_draw.PanelSettings(5, 1, None), reason="扩大专家组")
    await db.commit()
    await fresh(db)
    clock.advance(timedelta(days=1))
    await panel_draw.draw_panel(db, clock, await inspector(db), await fresh_challenge(db, challenge), BEACON)
    await db.commit()
    await fresh(db)
    rows = (await db.scalars(select(DrawCommitment).order_by(DrawCommitment.ordinal))).all()
    page = (await make_client(app).get(f"/challenges/{review.challenge_id}/draw")).text
    assert 'id="draw-verified"' in page and "扩大专家组" in page and "第 2 次承诺" in page
    assert rows[0].seed in page and rows[1].seed in page and BEACON in page and "import hashlib" in page


async def test_a_commitment_replaced_on_its_lottery_day_is_flagged_on_the_public_page(app, db, clock):
    review, org, challenge = await _committed(db, clock)
    early = (await make_client(app).get(f"/challenges/{review.challenge_id}/draw")).text
    clock.advance(timedelta(days=1))  # the lottery named by the first commitment is drawn today
    await panel_draw.commit(db, clock, org, await fresh_challenge(db, challenge), panel_draw.PanelSettings(3, 2, None),
                            reason="专家库有变化")
    await db.commit()
    await fresh(db)
    clock.advance(timedelta(days=1))
    await panel_draw.draw_panel(db, clock, await inspector(db), await fresh_challenge(db, challenge), BEACON)
    await db.commit()
    page = (await make_client(app).get(f"/challenges/{review.challenge_id}/draw")).text
    first = await db.scalar(select(DrawCommitment).where(DrawCommitment.ordinal == 1))
    assert "当天或之后才被替换" in page and first.beacon_date.isoformat() in page and first.seed in page
    assert "当天或之后才被替换" not in early


async def test_a_commitment_replaced_before_its_lottery_day_is_not_flagged(app, db, clock):
    review, org, challenge = await _committed(db, clock)
    await panel_draw.commit(db, clock, org, await fresh_challenge(db, challenge), panel_draw.PanelSettings(3, 1, None),
                            reason="后备人数调整")
    await db.commit()
    page = (await make_client(app).get(f"/challenges/{review.challenge_id}/draw")).text
    assert "后备人数调整" in page and "当天或之后才被替换" not in page
