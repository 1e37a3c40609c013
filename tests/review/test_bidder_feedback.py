"""A bidder's own review (评审反馈): numbers from the frozen snapshot, experts by letter only,
leave-one-out, who may read it, and the PDF."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from arena.auth.models import User
from arena.bids.models import Bid
from arena.challenges.models import Challenge
from arena.review import feedback, panel_draw, scoring
from arena.review import results as review_results
from arena.review import seats as review_seats
from arena.review import service as review
from arena.review import sheets as review_sheets
from arena.review.models import PanelSeat, ReviewResult, ScoreSheet, SeatStatus
from arena.units.models import Expert
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.conftest import as_user, fresh
from tests.execution.factories import actor, expert_actor
from tests.review.factories import commit_and_draw, make_review

PLANTED = "PLANTED-EXPERT-8812"
# Totals per criterion (30/25/25/20) of a score, by expert seat (甲乙丙 are not these) and bid.
SCORE = {80: ("24", "20", "20", "16"), 60: ("18", "15", "15", "12"), 70: ("21", "18", "17", "14"),
         90: ("27", "23", "22", "18"), 50: ("15", "12", "13", "10")}
# Bid 1: 80 80 60 (73.33); bid 2: 70 70 90 (76.67) wins; bid 3: 50 each. Leaving out the third
# expert swaps bids 1 and 2; leaving out either of the others changes nothing.
PLAN = [(80, 70, 50), (80, 70, 50), (60, 90, 50)]


def test_letters_are_stable_distinct_and_do_not_follow_the_codes():
    codes = [f"ZJ{n:05d}" for n in range(1, 8)]
    first = feedback.expert_letters("a" * 64, codes)
    assert first == feedback.expert_letters("a" * 64, list(reversed(codes)))
    assert sorted(first.values()) == sorted("甲乙丙丁戊己庚")
    orders = {tuple(sorted(codes, key=feedback.expert_letters(sha * 64, codes).__getitem__)) for sha in "0123456789"}
    assert len(orders) > 1  # another result, another order: it is not the codes' order


def _snapshot(totals: dict[tuple[str, str], int], winners: int = 1) -> dict:
    sheets = [{"expert": e, "bid": b, "total": str(t), "scores": {"1": str(t)}} for (e, b), t in totals.items()]
    snap = {"criteria": [{"id": 1, "name": "x", "points": "100.00"}],
            "rule": {"method": "mean", "trim_k": None, "deviation_share": "0.20", "pass_score": None,
                     "winners": winners}, "sheets": sheets}
    snap["result"] = scoring.snapshot_dict(feedback.recompute(snap))
    return snap


def test_leave_one_out_names_the_expert_who_decides_and_the_rank():
    snap = _snapshot({("e1", "A"): 80, ("e2", "A"): 80, ("e3", "A"): 60,
                      ("e1", "B"): 70, ("e2", "B"): 70, ("e3", "B"): 90,
                      ("e1", "C"): 50, ("e2", "C"): 50, ("e3", "C"): 50})
    letters = {"e1": "甲", "e2": "乙", "e3": "丙"}
    assert [r["bid"] for r in snap["result"]["bids"]] == ["B", "A", "C"]
    assert feedback.leave_one_out(snap, "A", letters) == [feedback.LeaveOneOut("丙", 1)]
    assert feedback.leave_one_out(snap, "B", letters) == [feedback.LeaveOneOut("丙", 2)]
    assert feedback.leave_one_out(snap, "C", letters) == []
    lonely = _snapshot({("e1", "A"): 80, ("e2", "B"): 70})
    assert feedback.leave_one_out(lonely, "A", {"e1": "甲", "e2": "乙"}) == [feedback.LeaveOneOut("甲", None)]


async def _world(db, clock):
    """A blind review of three bids; every expert planted with a name, login and code to hide."""
    made = await make_review(db, experts=6, blind=True, bids=3, same_unit_expert=False)
    for n, expert_id in enumerate(made.experts.values(), start=1):
        expert = await db.get(Expert, expert_id)
        expert.name, expert.code = f"{PLANTED}-{n}", f"PLCODE{n}X"
        user = await db.get(User, expert.user_id)
        user.username, user.name = f"plantedlogin{n}", f"{PLANTED}-{n}"
    await make_challenge(db, await make_organizer(db, "org2"))  # the organizer of another challenge
    await db.commit()
    org = await actor(db, "org")
    challenge = await review.organizer_challenge(db, org, made.challenge_id)
    panel = await commit_and_draw(db, clock, org, challenge, panel_draw.PanelSettings(3, 1, None))
    seats = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel.id,
                                                      PanelSeat.status == SeatStatus.INVITED.value)
                              .order_by(PanelSeat.drawn_rank))).all()
    for seat_index, seat in enumerate(seats):
        expert = await expert_actor(db, seat.expert_id)
        await review_seats.answer(db, clock, expert, seat.id, True, "")
        for sheet in (await db.scalars(select(ScoreSheet).where(ScoreSheet.panel_id == panel.id,
                                                               ScoreSheet.expert_id == seat.expert_id))).all():
            draft = await review_sheets.draft_of(db, expert, sheet.id)
            total = PLAN[seat_index][made.bid_ids.index(sheet.bid_id)]
            values = dict(zip([c.id for c in draft.criteria], SCORE[total], strict=True))
            await review_sheets.save(db, clock, expert, draft, draft.revision, values, f"意见{seat_index}：方案可行{total}",
                              submit=True)
    await db.commit()
    return made, org


async def test_a_bidder_reads_their_own_review_from_the_frozen_snapshot(app, db, clock, query_counter):
    made, org = await _world(db, clock)
    cid, (bid1, bid2, bid3) = made.challenge_id, made.bid_ids
    lead1 = await as_user(app, "lead1")
    early = await lead1.get(f"/bids/{bid1}/review")
    assert early.status_code == 200 and "评审结果尚未公布" in early.text and "综合得分" not in early.text
    assert (await lead1.get(f"/bids/{bid1}/review.pdf")).status_code == 404

    await review_results.close(db, clock, org, await review.organizer_challenge(db, org, cid), "")
    await db.commit()
    await fresh(db)
    result = await db.scalar(select(ReviewResult))
    snapshot = json.loads(result.snapshot)
    assert hashlib.sha256(result.snapshot.encode()).hexdigest() == result.sha256
    assert scoring.snapshot_dict(feedback.recompute(snapshot)) == snapshot["result"]

    letters = feedback.expert_letters(result.sha256, {s["expert"] for s in snapshot["sheets"]})
    pages, counts = {}, []
    lead_actors = {bid1: "lead1", bid2: "lead2", bid3: "lead3"}
    for bid_id, username in lead_actors.items():
        browser = await as_user(app, username)
        with query_counter() as counted:
            page = await browser.get(f"/bids/{bid_id}/review")
        assert page.status_code == 200, page.text
        counts.append(counted.count)
        pages[bid_id] = page.text
        code = (await db.get(Bid, bid_id)).review_code
        row = next(r for r in snapshot["result"]["bids"] if r["bid"] == code)
        assert f"<strong>{row['aggregate']}</strong>" in page.text and f"<strong>{row['rank']}</strong>" in page.text
        for c in snapshot["criteria"]:
            assert f'<td class="num">{row["criteria"][str(c["id"])]}</td>' in page.text
        for sheet in (s for s in snapshot["sheets"] if s["bid"] == code):  # each expert's row, by letter
            cells = "".join(f'<td class="num">{sheet["scores"][str(c["id"])]}</td>' for c in snapshot["criteria"])
            assert f'<th scope="row">专家{letters[sheet["expert"]]}</th>{cells}' in page.text
        other_codes = [r["bid"] for r in snapshot["result"]["bids"] if r["bid"] != code]
        assert not any(other in page.text for other in other_codes)  # no other bid's code or sheets
        await browser.client.aclose()
    assert len(set(counts)) == 1 and counts[0] <= 12, counts

    decider = next(letter for code, letter in letters.items()
                   if any(s["expert"] == code and s["total"] == "60.00" for s in snapshot["sheets"]))
    assert f"去掉专家{decider}的评分，你的名次将是第 1 名" in pages[bid1]
    assert f"去掉专家{decider}的评分，你的名次将是第 2 名" in pages[bid2]
    assert "去掉任一位专家的评分，你的排名不变" in pages[bid3]
    assert f"<strong>专家{decider}</strong>：<span class=\"prose-text\">意见2：方案可行60" in pages[bid1]
    # medians over bids: totals 73.33, 76.67, 50.00
    assert '<dd>73.33</dd>' in pages[bid1]
    for text in pages.values():
        assert PLANTED not in text and "plantedlogin" not in text and "PLCODE" not in text

    member = await as_user(app, "member")  # bid 1's confirmed team member
    assert (await member.get(f"/bids/{bid1}/review")).status_code == 200
    assert f"/bids/{bid1}/review" in (await member.get("/bids")).text
    assert f"/bids/{bid1}/review" in (await lead1.get(f"/bids/{bid1}")).text
    assert f"/bids/{bid1}/review" in (await lead1.get("/bids")).text
    assert (await member.get(f"/bids/{bid2}/review")).status_code == 404
    lead2 = await as_user(app, "lead2")
    assert (await lead2.get(f"/bids/{bid1}/review")).status_code == 404
    assert (await lead2.get(f"/bids/{bid1}/review.pdf")).status_code == 404
    expert = await as_user(app, "plantedlogin1")
    assert (await expert.get(f"/bids/{bid1}/review")).status_code == 404
    for username in ("org2", "org"):
        other = await as_user(app, username)
        assert (await other.get(f"/bids/{bid1}/review")).status_code == 404

    pdf = await lead1.get(f"/bids/{bid1}/review.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    disposition = pdf.headers["content-disposition"]
    assert "PLCODE" not in disposition and "plantedlogin" not in disposition and PLANTED not in disposition
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert result.sha256 in flat
    assert PLANTED not in flat and "plantedlogin" not in flat and "PLCODE" not in flat
    assert "73.33" in flat and f"专家{decider}" in flat
    challenge = await db.get(Challenge, cid)
    assert challenge.blind_review and Decimal(snapshot["rule"]["pass_score"]) == Decimal("60.00")
