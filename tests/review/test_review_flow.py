"""Review through the pages: commitment, draw with recusal and the annual cap, decline and reserve,
scoring with bad input refused, sealing, the chair's reopen, closing and frozen results."""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from arena.audit.models import AuditEvent
from arena.auth.models import User
from arena.challenges.models import Challenge, ChallengeStatus, Criterion
from arena.errors import DomainError
from arena.review import draw as draw_math
from arena.review import panel_draw
from arena.review import results as review_results
from arena.review import sheets as review_sheets
from arena.review.models import ExpertConflict, Panel, PanelSeat, ReviewResult, Score, ScoreSheet
from tests.challenges.public_factories import NOW, make_challenge
from tests.conftest import as_user, fresh, make_client
from tests.factories import make_field
from tests.review.factories import BEACON, inspector, make_review


async def seats(db, panel_id):
    """The panel's seats as plain values (the test session is reset between requests)."""
    await fresh(db)
    rows = (await db.scalars(select(PanelSeat).where(PanelSeat.panel_id == panel_id)
                             .order_by(PanelSeat.drawn_rank))).all()
    return [SimpleNamespace(id=r.id, expert_id=r.expert_id, status=r.status, drawn_rank=r.drawn_rank) for r in rows]


def commitment_form(app, **values):
    """The organizer's commitment form: settings and tomorrow's lottery (Beijing time)."""
    tomorrow = app.state.clock.today() + timedelta(days=1)
    return {"size": "3", "reserves": "2", "trim_k": "", "beacon_source": panel_draw.DEFAULT_BEACON_SOURCE,
            "beacon_date": tomorrow.isoformat()} | values


async def enter_beacon(app, db, cid, purpose="bid"):
    """The next day, the inspector enters the lottery result: the draw happens."""
    app.state.clock.advance(timedelta(days=1))
    await inspector(db)
    await db.commit()
    insp = await as_user(app, "insp")
    return await insp.post(f"/inspector/draws/{cid}/{purpose}", {"beacon": BEACON})


async def drawn(app, db, review, size="3", reserves="2"):
    org = await as_user(app, "org")
    cid = review.challenge_id
    committed = await org.post(f"/organizer/challenges/{cid}/review/commit",
                               commitment_form(app, size=size, reserves=reserves))
    assert committed.status_code == 303, committed.text
    entered = await enter_beacon(app, db, cid)
    assert entered.status_code == 303, entered.text
    org = await as_user(app, "org")  # a day later: logged in again
    await fresh(db)
    panel = await db.scalar(select(Panel).where(Panel.challenge_id == cid))
    return org, panel


async def criteria(db, challenge_id):
    return list((await db.scalars(select(Criterion).where(Criterion.challenge_id == challenge_id)
                                  .order_by(Criterion.position))).all())


async def test_commitment_is_public_before_the_draw_and_the_seed_only_after(app, db):
    review = await make_review(db)
    org = await as_user(app, "org")
    cid = review.challenge_id
    bad = await org.post(f"/organizer/challenges/{cid}/review/commit",
                         commitment_form(app, size="4", reserves="x", trim_k="3"))
    assert bad.status_code == 400 and "奇数" in bad.text and "0–10" in bad.text
    assert 'value="4"' in bad.text  # the form comes back filled in
    assert (await db.scalar(select(func.count()).select_from(Panel))) == 0
    assert (await org.post(f"/organizer/challenges/{cid}/review/commit", commitment_form(app))).status_code == 303
    await fresh(db)
    panel = await db.scalar(select(Panel))
    public = make_client(app)
    page = (await public.get(f"/challenges/{cid}")).text
    assert panel.seed_commitment in page and panel.seed not in page
    verify = (await public.get(f"/challenges/{cid}/draw")).text
    assert panel.seed_commitment in verify and panel.seed not in verify
    assert (await enter_beacon(app, db, cid)).status_code == 303
    verify = (await public.get(f"/challenges/{cid}/draw")).text
    assert panel.seed in verify and 'id="draw-verified"' in verify


async def test_draw_excludes_conflicts_and_experts_at_their_cap(app, db, clock):
    review = await make_review(db)
    expert3 = review.experts["expert3"]
    # expert2 declared a conflict with the second bidder's unit; expert3 is at the annual cap.
    from arena.bids.models import Bid
    from arena.units.models import Cadre, Expert
    second_unit = await db.scalar(select(Cadre.unit_id).join(Bid, Bid.lead_id == Cadre.id)
                                  .where(Bid.id == review.bid_ids[1]))
    db.add(ExpertConflict(expert_id=review.experts["expert2"], unit_id=second_unit, reason="曾在该单位任职",
                          declared_at=NOW))
    await db.execute(update(Expert).where(Expert.id == expert3).values(annual_panel_cap=0))
    await db.commit()
    _org, panel = await drawn(app, db, review)
    codes = json.loads(panel.candidates)
    by_id = {e.id: e.code for e in (await db.scalars(select(Expert))).all()}
    assert by_id[review.experts["conflicted"]] not in codes  # same unit as the first bidder
    assert by_id[review.experts["expert2"]] not in codes  # declared
    assert by_id[expert3] not in codes  # cap
    assert len(codes) == 6
    mixed = draw_math.mix(panel.seed, BEACON, panel.candidates_sha256, f"challenge:{review.challenge_id}:bid:1")
    assert json.loads(panel.drawn) == list(draw_math.draw(mixed, codes, 3, 2).drawn)
    _panel, problems = await panel_draw.verify_draw(db, review.challenge_id)
    assert problems == []
    # a panel refused when the pool is too small: nothing is written
    review2 = await make_review_small(db)
    org = await as_user(app, "org")
    refused = await org.post(f"/organizer/challenges/{review2}/review/commit", commitment_form(app, size="5"))
    assert refused.status_code == 400 and "少于专家组人数" in refused.text


async def make_review_small(db) -> int:
    """A second reviewing challenge in a field no expert covers."""
    organizer = await db.scalar(select(User).where(User.username == "org"))
    challenge = await make_challenge(db, organizer, status=ChallengeStatus.REVIEWING, field=await make_field(db))
    await db.commit()
    return challenge.id


async def test_decline_moves_the_next_reserve_up_and_accept_opens_sheets(app, db):
    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    pid = panel.id
    rows = await seats(db, pid)
    by_expert = {v: k for k, v in review.experts.items()}
    first, reserve = rows[0], rows[3]
    expert = await as_user(app, by_expert[first.expert_id])
    no_reason = await expert.post(f"/review/seats/{first.id}", {"answer": "decline", "reason": ""})
    assert no_reason.status_code == 400 and "请填写谢绝的理由" in no_reason.text
    assert (await expert.post(f"/review/seats/{first.id}",
                              {"answer": "decline", "reason": "出差"})).status_code == 303
    rows = await seats(db, pid)
    assert [r.status for r in rows] == ["declined", "invited", "invited", "invited", "reserve"]
    assert rows[3].id == reserve.id
    other = await as_user(app, by_expert[rows[1].expert_id])
    assert (await other.post(f"/review/seats/{first.id}", {"answer": "accept"})).status_code == 404  # not theirs
    assert (await other.post(f"/review/seats/{rows[1].id}", {"answer": "accept"})).status_code == 303
    await fresh(db)
    sheets = (await db.scalars(select(ScoreSheet).where(ScoreSheet.expert_id == rows[1].expert_id))).all()
    assert len(sheets) == 3 and {s.status for s in sheets} == {"draft"}
    actions = set((await db.scalars(select(AuditEvent.action))).all())
    assert {"panel.commit", "panel.draw", "seat.decline", "seat.promote", "seat.accept"} <= actions
    # The moved-up reserve is told, in the inbox, as the first three were at the draw.
    from arena.notify.models import Notification
    from arena.units.models import Expert
    reserve_user = await db.scalar(select(Expert.user_id).where(Expert.id == reserve.expert_id))
    kinds = (await db.scalars(select(Notification.kind).where(Notification.recipient_id == reserve_user))).all()
    assert kinds == ["review.invited"]
    assert await db.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "review.invited")) == 4



async def _accept_all(app, db, panel_id, review):
    by_expert = {v: k for k, v in review.experts.items()}
    browsers = {}
    for seat in await seats(db, panel_id):
        if seat.status == "invited":
            browser = await as_user(app, by_expert[seat.expert_id])
            assert (await browser.post(f"/review/seats/{seat.id}", {"answer": "accept"})).status_code == 303
            browsers[seat.expert_id] = browser
    await fresh(db)
    return browsers


async def test_scores_are_checked_sealed_locked_once_and_reopened_by_the_chair(app, db):
    review = await make_review(db)
    org, panel = await drawn(app, db, review)
    pid = panel.id
    browsers = await _accept_all(app, db, pid, review)
    crit = await criteria(db, review.challenge_id)
    expert_id, expert = next(iter(browsers.items()))
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id).order_by(ScoreSheet.id))
    sheet_id, first_revision = sheet.id, sheet.revision
    url = f"/review/sheets/{sheet_id}"
    page = await expert.get(url)
    assert page.status_code == 200 and crit[0].guidance in page.text

    bad = {f"c-{crit[0].id}": "31", f"c-{crit[1].id}": "-1", f"c-{crit[2].id}": "abc", f"c-{crit[3].id}": "1.25",
           "comment": "很好", "revision": str(first_revision), "action": "save"}
    refused = await expert.post(url, bad)
    assert refused.status_code == 400
    for message in ("不能超过本项分值 30 分", "分数不能为负数", "请输入数字", "最多保留一位小数"):
        assert message in refused.text
    assert 'value="abc"' in refused.text and "很好" in refused.text  # the form comes back as typed
    assert await db.scalar(select(func.count()).select_from(Score)) == 0
    autosave_bad = await expert.post(url, bad | {"action": ""}, htmx=True)
    assert autosave_bad.status_code == 400 and "未保存" in autosave_bad.text

    good = {f"c-{c.id}": v for c, v in zip(crit, ("25", "20.5", "21", "16"), strict=True)}
    saved = await expert.post(url, good | {"comment": "", "revision": str(first_revision)}, htmx=True)
    assert saved.status_code == 200 and "已自动保存" in saved.text and "82.5" in saved.text
    revision = int(re.search(r'name="revision" id="f-revision" value="(\d+)"', saved.text).group(1))
    stale = await expert.post(url, good | {"revision": str(first_revision), "action": "submit"})
    assert stale.status_code == 400 and "另一个窗口或设备" in stale.text  # no page token: not its own save
    # Sealed: the organizer sees counts, never the scores.
    progress = (await org.get(f"/organizer/challenges/{review.challenge_id}/review")).text
    assert "82.5" not in progress and "20.5" not in progress
    assert (await expert.post(url, good | {"revision": str(revision), "action": "submit"})).status_code == 303
    again = await expert.post(url, good | {"revision": str(revision), "action": "submit"})
    assert again.status_code == 400  # the second of two submits locks nothing more
    await fresh(db)
    assert (await db.get(ScoreSheet, sheet_id)).status == "submitted"
    assert await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sheet.submit")) == 1

    # The chair (set by the organizer) reopens it with a reason; other experts cannot.
    chair_seat = (await seats(db, pid))[1]
    assert (await org.post(f"/organizer/challenges/{review.challenge_id}/review/chair",
                           {"seat": str(chair_seat.id)})).status_code == 303
    not_chair = await expert.post(f"/review/panels/{pid}/reopen/{sheet_id}", {"reason": "复核"})
    assert expert_id != chair_seat.expert_id and not_chair.status_code == 403
    chair = browsers[chair_seat.expert_id]
    no_reason = await chair.post(f"/review/panels/{pid}/reopen/{sheet_id}", {"reason": ""})
    assert no_reason.status_code == 400 and "退回重评的理由" in no_reason.text
    assert (await chair.post(f"/review/panels/{pid}/reopen/{sheet_id}",
                             {"reason": "第二项评分依据不足"})).status_code == 303
    await fresh(db)
    assert (await db.get(ScoreSheet, sheet_id)).status == "draft"


async def _score_everything(app, db, review, pid, browsers, totals=("25", "20", "20", "15")):
    crit = [c.id for c in await criteria(db, review.challenge_id)]
    await fresh(db)
    for expert_id, browser in browsers.items():
        for sheet in (await db.scalars(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id,
                                                               ScoreSheet.panel_id == pid))).all():
            data = {f"c-{c}": v for c, v in zip(crit, totals, strict=True)}
            posted = await browser.post(f"/review/sheets/{sheet.id}",
                                        data | {"revision": str(sheet.revision), "action": "submit"})
            assert posted.status_code == 303, posted.text


async def test_closing_freezes_results_that_verify_and_detect_tampering(app, db):
    review = await make_review(db)
    org, panel = await drawn(app, db, review)
    pid = panel.id
    browsers = await _accept_all(app, db, pid, review)
    first = dict(list(browsers.items())[:2])
    await _score_everything(app, db, review, pid, first)
    cid = review.challenge_id
    missing = await org.post(f"/organizer/challenges/{cid}/review/close", {"reason": ""})
    assert missing.status_code == 400 and "结束评审须说明理由" in missing.text
    await _score_everything(app, db, review, pid, dict(list(browsers.items())[2:]))
    assert (await org.post(f"/organizer/challenges/{cid}/review/close", {})).status_code == 303
    page = await org.get(f"/organizer/challenges/{cid}/review")
    await fresh(db)
    result = await db.scalar(select(ReviewResult))
    assert result.sha256 in page.text and "<svg" in page.text and "Krippendorff" in page.text
    verification = await review_results.verify_results(db, cid)
    assert verification.ok and verification.recomputed_sha256 == result.sha256
    pdf = await org.get(f"/organizer/challenges/{cid}/review/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = await org.get(f"/organizer/challenges/{cid}/review/summary.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    # Closed sheets cannot change; a changed score in the database no longer verifies.
    expert_id, browser = next(iter(browsers.items()))
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id))
    assert (await browser.post(f"/review/panels/{pid}/reopen/{sheet.id}", {"reason": "x"})).status_code in (
        400, 403)
    score = await db.scalar(select(Score).where(Score.sheet_id == sheet.id))
    score.value = score.value - Decimal(1)
    await db.commit()
    assert not (await review_results.verify_results(db, cid)).ok


async def test_nobody_reaching_the_pass_score_is_a_failed_listing(app, db):
    review = await make_review(db, pass_score="95")
    org, panel = await drawn(app, db, review)
    pid = panel.id
    browsers = await _accept_all(app, db, pid, review)
    await _score_everything(app, db, review, pid, browsers)
    assert (await org.post(f"/organizer/challenges/{review.challenge_id}/review/close", {})).status_code == 303
    await fresh(db)
    assert (await db.get(Challenge, review.challenge_id)).status == ChallengeStatus.FAILED.value


async def test_review_pages_refuse_other_roles_and_other_organizers(app, db):
    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    pid = panel.id
    from arena.auth.models import Role
    from tests.factories import make_user
    await make_user(db, "org2", Role.ORGANIZER)
    await db.commit()
    other = await as_user(app, "org2")
    assert (await other.get(f"/organizer/challenges/{review.challenge_id}/review")).status_code == 404
    cadre = await as_user(app, "lead1")
    assert (await cadre.get(f"/organizer/challenges/{review.challenge_id}/review")).status_code == 403
    assert (await cadre.get("/review")).status_code == 403
    reserve = await as_user(app, "expert8")  # not drawn at all, or a reserve: no panel page
    not_on_panel = [s for s in await seats(db, pid) if s.status == "reserve"]
    if not_on_panel:
        assert (await reserve.get(f"/review/panels/{pid}")).status_code == 404


@pytest.mark.parametrize("value,ok", [("0", True), ("30", True), ("29.5", True), ("30.1", False), ("1e1", False),
                                      ("NaN", False), ("", True), (" 7 ", True), ("7.", False)])
def test_parse_scores_bounds_and_format(value, ok):
    crit = [Criterion(id=1, position=1, name="甲", points=Decimal(30), guidance="")]
    _values, errors = review_sheets.parse_scores(crit, {1: value})
    assert (not errors) is ok


async def test_scoring_page_and_autosave_use_a_fixed_number_of_queries(app, db, query_counter):
    """Whether a challenge has 2 or 5 criteria and a bid a team or not, the same statements run."""
    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    browsers = await _accept_all(app, db, panel.id, review)
    crit = [c.id for c in await criteria(db, review.challenge_id)]
    expert_id, expert = next(iter(browsers.items()))
    sheets = [(s.id, s.revision) for s in (await db.scalars(
        select(ScoreSheet).where(ScoreSheet.expert_id == expert_id).order_by(ScoreSheet.bid_id))).all()]
    counts = []
    for sheet_id, revision in sheets[:2]:  # the first bid has a team member, the second none
        with query_counter() as page:
            assert (await expert.get(f"/review/sheets/{sheet_id}")).status_code == 200
        form = {f"c-{c}": "10" for c in crit} | {"revision": str(revision), "comment": ""}
        with query_counter() as save:
            assert (await expert.post(f"/review/sheets/{sheet_id}", form, htmx=True)).status_code == 200
        counts.append((page.count, save.count))
    assert counts[0] == counts[1], counts
    # A save: the actor, the sheet with its rubric and scores in one statement, its compare-and-set,
    # its scores, its audit event (sealed: no scores in it; on SQLite the chain's head is read
    # first) and the kept pages' data version: 7 statements, 6 on PostgreSQL.
    # 11: the bidders' logins and e-mails, to mask them, the expert's sheets in order (上一份 / 下一份),
    # and the kept pages' version (arena.web.page_cache).
    assert counts[0][0] <= 11 and counts[0][1] <= 7, counts


async def test_a_conflict_declared_after_the_draw_recuses_that_bid_only(app, db):
    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    pid = panel.id
    first = (await seats(db, pid))[0]
    username = {v: k for k, v in review.experts.items()}[first.expert_id]
    expert = await as_user(app, username)
    from arena.bids.models import Bid
    from arena.units.models import Cadre
    lead2 = await db.scalar(select(Cadre.code).join(Bid, Bid.lead_id == Cadre.id).where(Bid.id == review.bid_ids[1]))
    huge = await expert.post("/review/profile/fields", {"field": "9" * 30})  # an id no table holds
    assert huge.status_code == 400 and "请至少选择一个领域" in huge.text
    bad = await expert.post("/review/profile/conflicts", {"kind": "cadre", "target": "GB-NOPE", "reason": ""})
    assert bad.status_code == 400 and "没有工号为" in bad.text and "请填写回避理由" in bad.text
    assert 'value="GB-NOPE"' in bad.text
    assert (await expert.post("/review/profile/conflicts",
                              {"kind": "cadre", "target": lead2, "reason": "近亲属"})).status_code == 303
    assert (await expert.post(f"/review/seats/{first.id}", {"answer": "accept"})).status_code == 303
    await fresh(db)
    sheets = (await db.scalars(select(ScoreSheet).where(ScoreSheet.expert_id == first.expert_id)
                               .order_by(ScoreSheet.bid_id))).all()
    assert [s.status for s in sheets] == ["draft", "recused", "draft"]
    recused = sheets[1].id
    panel_page = await expert.get(f"/review/panels/{pid}")
    assert panel_page.text.count("/review/sheets/") == 2
    assert (await expert.get(f"/review/sheets/{recused}")).status_code == 404


async def test_two_submits_at_once_lock_the_sheet_once(app, db):
    import asyncio

    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    browsers = await _accept_all(app, db, panel.id, review)
    crit = [c.id for c in await criteria(db, review.challenge_id)]
    expert_id, expert = next(iter(browsers.items()))
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id))
    form = {f"c-{c}": "10" for c in crit} | {"revision": str(sheet.revision), "action": "submit"}
    url = f"/review/sheets/{sheet.id}"
    answers = await asyncio.gather(expert.post(url, form), expert.post(url, form))
    assert sorted(a.status_code for a in answers) == [303, 400]
    await fresh(db)
    assert await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sheet.submit")) == 1


async def test_a_sheet_the_session_loaded_before_a_save_reads_what_the_save_wrote(app, db, clock):
    """A save writes with Core statements (review.sheets._write_scores): a copy of the sheet and
    its scores that the same session loaded before must not keep the old values (a demo or a
    close that reads the sheets after saving them in one transaction)."""
    from sqlalchemy.orm import selectinload

    from tests.execution.factories import expert_actor

    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    panel_id = panel.id
    await _accept_all(app, db, panel_id, review)
    crit = [c.id for c in await criteria(db, review.challenge_id)]
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.panel_id == panel_id).order_by(ScoreSheet.id)
                            .options(selectinload(ScoreSheet.scores)))
    actor = await expert_actor(db, sheet.expert_id)
    draft = await review_sheets.draft_of(db, actor, sheet.id)
    draft = await review_sheets.save(db, clock, actor, draft, draft.revision, {c: "10" for c in crit}, "")
    loaded = await db.scalar(select(ScoreSheet).where(ScoreSheet.id == sheet.id)
                             .options(selectinload(ScoreSheet.scores)))
    assert loaded is sheet and sheet.revision == draft.revision and sheet.total == 10 * len(crit)
    assert sorted(s.value for s in sheet.scores) == [10] * len(crit)
    changed = {c: "10" for c in crit[1:]} | {crit[0]: "5"}
    await review_sheets.save(db, clock, actor, draft, draft.revision, changed, "", submit=True)
    await db.scalar(select(ScoreSheet).where(ScoreSheet.id == sheet.id).options(selectinload(ScoreSheet.scores)))
    assert sheet.status == "submitted" and sheet.salt and sheet.total == 10 * len(crit) - 5
    assert {s.criterion_id: s.value for s in sheet.scores} == {c: 5 if c == crit[0] else 10 for c in crit}


def _page_state(html: str) -> dict[str, str]:
    return {"revision": re.search(r'name="revision" id="f-revision" value="(\d+)"', html).group(1),
            # the page's editor token is made by its script on load (static/js/arena.js)
            "editor": re.search(r'name="editor" value="([0-9a-f]{16})?"', html).group(1) or secrets.token_hex(8)}


@pytest.mark.parametrize("order", ["autosave first", "submit first"])
async def test_an_autosave_in_flight_never_fails_the_same_page_submit(app, db, order):
    """The expert presses 提交评分 while the page's autosave is on its way: whichever reaches the
    server first, the submit goes through with what the page shows."""
    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    browsers = await _accept_all(app, db, panel.id, review)
    crit = await criteria(db, review.challenge_id)
    expert_id, expert = next(iter(browsers.items()))
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id).order_by(ScoreSheet.id))
    sheet_id, url = sheet.id, f"/review/sheets/{sheet.id}"
    state = _page_state((await expert.get(url)).text)
    typed = {f"c-{c.id}": v for c, v in zip(crit, ("25", "20", "20", "15"), strict=True)} | {"comment": "可行"}
    autosave = expert.post(url, typed | state, htmx=True)
    submit = expert.post(url, typed | {"comment": "可行，建议推进"} | state | {"action": "submit"})
    if order == "autosave first":
        saved = await autosave
        submitted = await submit
        assert saved.status_code == 200
    else:
        submitted = await submit
        late = await autosave
        assert late.status_code == 400 and "已提交" in late.text and "另一个" not in late.text
    assert submitted.status_code == 303, submitted.text
    await fresh(db)
    sheet = await db.get(ScoreSheet, sheet_id)
    assert sheet.status == "submitted" and sheet.comment == "可行，建议推进"


async def test_a_submit_from_a_stale_second_window_is_refused_and_says_so(app, db):
    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    browsers = await _accept_all(app, db, panel.id, review)
    crit = await criteria(db, review.challenge_id)
    expert_id, expert = next(iter(browsers.items()))
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id).order_by(ScoreSheet.id))
    sheet_id, url = sheet.id, f"/review/sheets/{sheet.id}"
    first, second = _page_state((await expert.get(url)).text), _page_state((await expert.get(url)).text)
    typed = {f"c-{c.id}": v for c, v in zip(crit, ("25", "20", "20", "15"), strict=True)}
    assert (await expert.post(url, typed | {"comment": "新"} | second, htmx=True)).status_code == 200
    stale = await expert.post(url, typed | {"comment": "旧"} | first | {"action": "submit"})
    assert stale.status_code == 400 and "另一个窗口或设备" in stale.text
    assert "旧" in stale.text  # the form comes back as typed
    await fresh(db)
    assert (await db.get(ScoreSheet, sheet_id)).status == "draft"


async def test_a_save_read_before_the_panel_closed_changes_nothing(app, db, clock):
    """The sheet route reads before it takes the writer's turn (routes_expert.save_sheet): a
    panel closed in between is caught by the save's own compare-and-set, not by what was read."""
    from tests.execution.factories import expert_actor

    review = await make_review(db)
    _org, panel = await drawn(app, db, review)
    panel_id = panel.id
    await _accept_all(app, db, panel_id, review)
    crit = await criteria(db, review.challenge_id)
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.panel_id == panel_id).order_by(ScoreSheet.id))
    actor = await expert_actor(db, sheet.expert_id)
    draft = await review_sheets.draft_of(db, actor, sheet.id)  # read: the panel scores
    revision, sheet_id = draft.revision, sheet.id
    await db.commit()
    async with app.state.session_maker() as elsewhere:  # meanwhile the panel closes
        await elsewhere.execute(update(Panel).where(Panel.id == panel_id).values(status="closed"))
        await elsewhere.commit()
    with pytest.raises(DomainError, match="评审已结束"):
        await review_sheets.save(db, clock, actor, draft, revision, {c.id: "10" for c in crit}, "晚到的保存")
    await fresh(db)
    kept = await db.get(ScoreSheet, sheet_id)
    assert kept.comment != "晚到的保存" and kept.revision == revision
