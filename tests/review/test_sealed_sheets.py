"""Sealed scores (DESIGN §5): before close no event, page or log shows a score, total or comment;
each submit leaves a salted commitment in the audit chain, and after close the results page and
the verification check every frozen sheet against it and name the one that does not match."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.bids.models import Bid
from arena.publicity import service as publicity
from arena.review import results as review_results
from arena.review import seal
from arena.review import seats as review_seats
from arena.review import service as review
from arena.review import sheets as review_sheets
from arena.review.models import Panel, PanelSeat, ReviewResult, Score, ScoreSheet
from tests.challenges.public_factories import NOW
from tests.conftest import as_user, fresh
from tests.execution.factories import actor, expert_actor
from tests.factories import make_user
from tests.review.factories import make_review

PLANTED = ("27.7", "13.9", "17.3", "11.9")  # total 70.8: digits that appear nowhere else
PLANTED_TOTAL = "70.8"
PLANTED_COMMENT = "密语青鸾：方案第三节的测算口径需复核"
PLAIN = ("25", "20", "20", "15")


async def open_panel(db, clock, *, blind: bool = True) -> tuple[int, int, list[int]]:
    """A drawn panel of three experts who have all accepted, made directly (the draw has its own
    tests): (challenge id, panel id, expert ids in drawn order)."""
    made = await make_review(db, experts=3, blind=blind, same_unit_expert=False)
    panel = Panel(challenge_id=made.challenge_id, purpose="bid", status="drawn", size=3, reserves=0,
                  seed="5" * 64, seed_commitment="c" * 64, committed_at=NOW, drawn_at=NOW)
    db.add(panel)
    for index, bid_id in enumerate(made.bid_ids, start=1):
        (await db.get(Bid, bid_id)).review_code = f"P{index:02d}"
    await db.flush()
    expert_ids = list(made.experts.values())
    seats = [PanelSeat(panel_id=panel.id, expert_id=e, drawn_rank=r, status="invited", invited_at=NOW)
             for r, e in enumerate(expert_ids, start=1)]
    db.add_all(seats)
    await db.commit()
    for seat in seats:
        await review_seats.answer(db, clock, await expert_actor(db, seat.expert_id), seat.id, True, "")
    await db.commit()
    return made.challenge_id, panel.id, expert_ids


async def sheets_of(db, panel_id: int, expert_id: int) -> list[int]:
    return list((await db.scalars(select(ScoreSheet.id).where(ScoreSheet.panel_id == panel_id,
                                                             ScoreSheet.expert_id == expert_id)
                                  .order_by(ScoreSheet.id))).all())


async def submit(db, clock, expert_id: int, sheet_id: int, scores=PLAIN, comment: str = "") -> None:
    expert = await expert_actor(db, expert_id)
    draft = await review_sheets.draft_of(db, expert, sheet_id)
    values = dict(zip([c.id for c in draft.criteria], scores, strict=True))
    draft = await review_sheets.save(db, clock, expert, draft, draft.revision, values, comment)  # a draft first
    await review_sheets.save(db, clock, expert, draft, draft.revision, values, comment, submit=True)
    await db.commit()


async def score_all(db, clock, panel_id: int, expert_ids: list[int]) -> None:
    for expert_id in expert_ids:
        for sheet_id in await sheets_of(db, panel_id, expert_id):
            await submit(db, clock, expert_id, sheet_id)


async def close(db, clock, challenge_id: int) -> ReviewResult:
    org = await actor(db, "org")
    result = await review_results.close(db, clock, org, await review.organizer_challenge(db, org, challenge_id), "")
    await db.commit()
    return result


async def test_sheet_events_carry_no_score_total_or_comment_and_the_audit_log_shows_none_while_open(app, db, clock):
    cid, pid, experts = await open_panel(db, clock)
    planted_sheet = (await sheets_of(db, pid, experts[0]))[0]
    await submit(db, clock, experts[0], planted_sheet, PLANTED, PLANTED_COMMENT)
    expert = await expert_actor(db, experts[0])
    recused = (await sheets_of(db, pid, experts[0]))[1]
    await review_sheets.recuse(db, clock, expert, await review_sheets.expert_sheet(db, expert, recused), "与揭榜人欧阳明辉是同学")
    await db.commit()
    org = await actor(db, "org")
    challenge = await review.organizer_challenge(db, org, cid)
    chair_seat = await db.scalar(select(PanelSeat.id).where(PanelSeat.panel_id == pid,
                                                           PanelSeat.expert_id == experts[1]))
    await review_seats.set_chair(db, clock, org, challenge, chair_seat)
    await review_sheets.reopen(db, clock, await expert_actor(db, experts[1]), pid, planted_sheet, "请复核第二项")
    await db.commit()

    events = (await db.scalars(select(AuditEvent).where(AuditEvent.action.like("sheet.%")))).all()
    assert {e.action for e in events} == {"sheet.save", "sheet.submit", "sheet.recuse", "sheet.reopen"}
    secrets = [*PLANTED, PLANTED_TOTAL, "密语青鸾", "欧阳明辉"]
    for event in events:
        assert not any(s in event.summary for s in secrets), event.summary
        assert "score" not in json.loads(event.summary) and "total" not in json.loads(event.summary)
    submitted = next(e for e in events if e.action == "sheet.submit")
    assert len(json.loads(submitted.summary)["commitment"]) == 64
    # A recusal names no reason and no review code: either could tie a bidder to a code.
    assert json.loads(next(e for e in events if e.action == "sheet.recuse").summary) == {
        "panel": pid, "from": "draft", "to": "recused"}

    await make_user(db, "insp", Role.INSPECTOR)
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    for role in ("insp", "adm"):
        reader = await as_user(app, role)
        for url in ("/audit", "/audit?action=sheet.submit", "/audit?object_type=score_sheet"):
            page = await reader.get(url)
            assert page.status_code == 200 and "sheet." in page.text
            assert not any(s in page.text for s in secrets), (role, url)
    # Nor do the chair's view and the organizer's progress page: a flag and counts, no numbers.
    chair = await as_user(app, "expert2")
    chair_page = (await chair.get(f"/review/panels/{pid}")).text
    organizer_page = (await (await as_user(app, "org")).get(f"/organizer/challenges/{cid}/review")).text
    for text in (chair_page, organizer_page):
        assert not any(s in text for s in secrets)
    for url in (f"/organizer/challenges/{cid}/review/summary.pdf", f"/organizer/challenges/{cid}/review/summary.xlsx"):
        assert (await (await as_user(app, "org")).get(url)).status_code == 404  # refused before close


async def test_the_commitment_recomputes_from_the_frozen_snapshot_by_its_published_rule(app, db, clock):
    cid, pid, experts = await open_panel(db, clock)
    await score_all(db, clock, pid, experts)
    result = await close(db, clock, cid)
    snapshot = json.loads(result.snapshot)
    sheet = snapshot["sheets"][0]
    assert len(sheet["salt"]) >= 32  # 128 bits, hex
    body = {"sheet": sheet["sheet"], "scores": sheet["scores"], "comment_sha256": sheet["comment_sha256"],
            "salt": sheet["salt"]}
    by_hand = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "sheet.submit",
                                                     AuditEvent.object_id == str(sheet["sheet"])))
    assert json.loads(event.summary)["commitment"] == by_hand
    verification = await review_results.verify_results(db, cid)
    assert verification.ok and verification.sealed
    assert len(verification.sheets) == 9 and all(c.ok for c in verification.sheets)


async def test_a_sheet_changed_in_the_database_after_submit_is_named_by_verify_and_the_results_page(
        app, db, clock):
    cid, pid, experts = await open_panel(db, clock, blind=False)
    await score_all(db, clock, pid, experts)
    tampered = (await sheets_of(db, pid, experts[2]))[0]
    score = await db.scalar(select(Score).where(Score.sheet_id == tampered).order_by(Score.id).limit(1))
    score.value += Decimal(3)  # an insider raises a sealed score before close
    sheet = await db.get(ScoreSheet, tampered)
    sheet.total += Decimal(3)
    await db.commit()
    await close(db, clock, cid)

    verification = await review_results.verify_results(db, cid)
    assert not verification.ok
    assert [c.sheet_id for c in verification.failed_sheets] == [tampered]
    assert verification.failed_sheets[0].outcome is seal.SheetOutcome.MISMATCH
    org = await actor(db, "org")
    await publicity.publish(db, clock, org, await review.organizer_challenge(db, org, cid), 5)
    await db.commit()
    page = await (await as_user(app, "org")).get(f"/results/{cid}")
    assert page.status_code == 200
    row = page.text.split(f'id="sheet-check-{tampered}"', 1)[1].split("</tr>", 1)[0]
    assert "与提交时的承诺值不符" in row
    assert page.text.count("与提交时的承诺值一致") == 8 and "有评分表与专家提交时的承诺值不符" in page.text


async def test_a_reopened_and_resubmitted_sheet_checks_against_its_latest_commitment(app, db, clock):
    cid, pid, experts = await open_panel(db, clock)
    await score_all(db, clock, pid, experts)
    sheet_id = (await sheets_of(db, pid, experts[0]))[0]
    org = await actor(db, "org")
    chair_seat = await db.scalar(select(PanelSeat.id).where(PanelSeat.panel_id == pid,
                                                           PanelSeat.expert_id == experts[1]))
    await review_seats.set_chair(db, clock, org, await review.organizer_challenge(db, org, cid), chair_seat)
    await review_sheets.reopen(db, clock, await expert_actor(db, experts[1]), pid, sheet_id, "偏离较大，请复核")
    await db.commit()
    first_salt = (await db.get(ScoreSheet, sheet_id)).salt
    await submit(db, clock, experts[0], sheet_id, ("20", "20", "20", "15"), "复核后调整")
    await fresh(db)
    assert (await db.get(ScoreSheet, sheet_id)).salt != first_salt  # a new salt at each submit
    commitments = (await db.scalars(select(AuditEvent.summary).where(
        AuditEvent.action == "sheet.submit", AuditEvent.object_id == str(sheet_id)).order_by(AuditEvent.seq))).all()
    assert len(commitments) == 2 and commitments[0] != commitments[1]
    await close(db, clock, cid)
    verification = await review_results.verify_results(db, cid)
    assert verification.ok and all(c.ok for c in verification.sheets)


async def test_results_frozen_before_sealing_still_verify_and_say_they_have_no_commitments(app, db, clock):
    cid, pid, experts = await open_panel(db, clock)
    await score_all(db, clock, pid, experts)
    result = await close(db, clock, cid)
    # As frozen before sealing existed: no sheet ids, salts or comment digests in the snapshot.
    challenge = await review.organizer_challenge(db, await actor(db, "org"), cid)
    legacy = review_results.canonical(await review_results.build_snapshot(db, challenge, await db.get(Panel, pid), sealed=False))
    stored = await db.get(ReviewResult, result.id)
    stored.snapshot, stored.sha256 = legacy, hashlib.sha256(legacy.encode()).hexdigest()
    await db.commit()
    verification = await review_results.verify_results(db, cid)
    assert verification.ok and not verification.sealed and verification.sheets == []
    org = await actor(db, "org")
    await publicity.publish(db, clock, org, await review.organizer_challenge(db, org, cid), 5)
    await db.commit()
    page = await (await as_user(app, "org")).get(f"/results/{cid}")
    assert "没有评分表承诺值（评分封存功能启用之前冻结）" in page.text and "sheet-check-" not in page.text


def test_a_sheet_without_a_commitment_fails_and_one_submitted_before_sealing_is_only_noted():
    salted = {"sheet": 1, "bid": "P01", "expert": "E1", "scores": {"5": "7.00"}, "comment_sha256": "0" * 64,
              "salt": "ab" * 16}
    unsalted = salted | {"sheet": 2, "salt": None}
    snapshot = {"sheets": [salted, unsalted, salted | {"sheet": 3}]}
    good = seal.commitment(1, {"5": "7.00"}, "0" * 64, "ab" * 16)
    checks = seal.check_sheets(snapshot, {1: (good, NOW), 2: ("f" * 64, NOW)})
    assert [c.outcome for c in checks] == [seal.SheetOutcome.OK, seal.SheetOutcome.UNSALTED,
                                          seal.SheetOutcome.NO_COMMITMENT]
    assert [c.failed for c in checks] == [False, False, True]
    assert seal.commitment(1, {5: Decimal("7")}, "0" * 64, "ab" * 16) == good  # one spelling of a score
    assert seal.check_sheets({"sheets": [{"bid": "P01", "expert": "E1", "scores": {}}]}, {}) == []
