"""The expert's and the chair's work on a panel (issue 22, point 3): 保存并下一份 through the sheets
in the panel's order, 上一份 / 下一份; the expert's own scores side by side (我的评分一览), never
another expert's and never a bidder's name in blind review; the chair's 专家组综合意见, written
once every sheet is in, frozen into the results, printed on the score summary and verified."""

from __future__ import annotations

import io
import json
import re
import secrets

from pypdf import PdfReader
from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.bids.models import Bid
from arena.review import overview
from arena.review import results as review_results
from arena.review import seats as review_seats
from arena.review import service as review
from arena.review import sheets as review_sheets
from arena.review.models import PanelSeat, ReviewResult, ScoreSheet
from tests.conftest import as_user, fresh
from tests.execution.factories import actor, expert_actor
from tests.review.factories import LEADS, UNITS
from tests.review.test_sealed_sheets import PLAIN, open_panel, score_all, sheets_of, submit

OTHERS = ("7.7", "6.6", "5.5", "4.4")  # another expert's scores: digits found nowhere else
OPINION = "专家组一致认为：方案总体可行。\r\n建议进一步细化节点考核的核验方式。"


def page_state(html: str) -> dict[str, str]:
    return {"revision": re.search(r'name="revision" id="f-revision" value="(\d+)"', html).group(1),
            # the page's editor token is made by its script on load (static/js/arena.js)
            "editor": re.search(r'name="editor" value="([0-9a-f]{16})?"', html).group(1) or secrets.token_hex(8)}


async def criteria_ids(db, sheet_id: int, expert_id: int) -> list[int]:
    ctx = await review_sheets.expert_sheet(db, await expert_actor(db, expert_id), sheet_id)
    return [c.id for c in ctx.criteria]


def test_save_and_next_goes_to_the_next_unsubmitted_sheet_after_this_one_without_wrapping():
    steps = [overview.Step(7, "P01", "submitted"), overview.Step(5, "P02", "draft"),
             overview.Step(9, "P03", "submitted"), overview.Step(3, "P04", "draft")]
    table = {7: 5, 5: 3, 9: 3, 3: None}  # from each sheet: where 保存并下一份 goes (None: the list)
    for current, expected in table.items():
        found = overview.next_open(steps, current)
        assert (found.sheet_id if found else None) == expected, current
    walk = overview.Steps(steps, 5, panel_id=1)
    assert (walk.previous.code, walk.next.code, walk.open_count) == ("P01", "P03", 2)
    assert overview.after_save(walk, True) == "/review/sheets/3?done=next-submitted&from=5"
    assert overview.after_save(overview.Steps(steps, 3, panel_id=1), False) == "/review/panels/1?done=last-saved"


async def test_save_and_next_walks_the_panel_order_right_after_an_autosave_and_ends_on_the_list(app, db, clock):
    _cid, pid, experts = await open_panel(db, clock)
    rows = (await db.execute(select(ScoreSheet.id, ScoreSheet.bid_id).where(
        ScoreSheet.panel_id == pid, ScoreSheet.expert_id == experts[0]).order_by(ScoreSheet.id))).all()
    by_code = {}
    for (sheet_id, bid_id), code in zip(rows, ("P03", "P01", "P02"), strict=True):  # not the sheets' order
        (await db.get(Bid, bid_id)).review_code = code
        by_code[code] = sheet_id
    await db.commit()
    crit = await criteria_ids(db, by_code["P01"], experts[0])
    full = {f"c-{c}": v for c, v in zip(crit, PLAIN, strict=True)}
    expert = await as_user(app, "expert1")

    first = await expert.get(f"/review/sheets/{by_code['P01']}")
    assert "第 1 / 3 份" in first.text and f'href="/review/sheets/{by_code["P02"]}" rel="next"' in first.text
    assert "提交并下一份" in first.text and f"/review/panels/{pid}/my-scores" in first.text
    state = page_state(first.text)
    # The page autosaves, then the expert at once presses 提交并下一份 with the revision the page
    # still shows: its own autosave does not refuse it.
    assert (await expert.post(f"/review/sheets/{by_code['P01']}", full | state, htmx=True)).status_code == 200
    moved = await expert.post(f"/review/sheets/{by_code['P01']}", full | state | {"action": "submit_next"})
    assert moved.status_code == 303, moved.text
    assert moved.headers["location"] == f"/review/sheets/{by_code['P02']}?done=next-submitted&from={by_code['P01']}"
    second = await expert.get(moved.headers["location"])
    assert "上一份 P01 已提交并锁定" in second.text and "第 2 / 3 份" in second.text
    assert f'href="/review/sheets/{by_code["P01"]}" rel="prev"' in second.text

    # 保存并下一份 saves a half-filled sheet as a draft and moves on; 提交并下一份 of an incomplete
    # sheet is refused on the spot, form as typed.
    half = {f"c-{crit[0]}": "21"} | page_state(second.text)
    saved = await expert.post(f"/review/sheets/{by_code['P02']}", half | {"action": "save_next"})
    assert saved.headers["location"] == f"/review/sheets/{by_code['P03']}?done=next-saved&from={by_code['P02']}"
    third = await expert.get(saved.headers["location"])
    assert "上一份 P02 已保存（尚未提交）" in third.text and "提交并返回列表" in third.text
    incomplete = await expert.post(f"/review/sheets/{by_code['P03']}",
                                   {f"c-{crit[0]}": "21"} | page_state(third.text) | {"action": "submit_next"})
    assert incomplete.status_code == 400 and "请填写本项分数" in incomplete.text and 'value="21"' in incomplete.text
    last = await expert.post(f"/review/sheets/{by_code['P03']}", full | page_state(third.text)
                             | {"action": "submit_next"})
    assert last.headers["location"] == f"/review/panels/{pid}?done=last-submitted"
    assert "还有 1 份未提交" in (await expert.get(last.headers["location"])).text  # P02, before it
    again = await expert.get(f"/review/sheets/{by_code['P02']}")
    done = await expert.post(f"/review/sheets/{by_code['P02']}", full | page_state(again.text)
                             | {"action": "submit_next"})
    assert "你的评分表已全部提交" in (await expert.get(done.headers["location"])).text
    await fresh(db)
    statuses = (await db.scalars(select(ScoreSheet.status).where(ScoreSheet.panel_id == pid,
                                                                ScoreSheet.expert_id == experts[0]))).all()
    assert statuses == ["submitted"] * 3


async def test_the_overview_shows_the_experts_own_scores_only_and_no_bidder_name_when_blind(
        app, db, clock, query_counter):
    cid, pid, experts = await open_panel(db, clock, blind=True)
    mine = await sheets_of(db, pid, experts[0])
    await submit(db, clock, experts[0], mine[0], ("27.5", "21.5", "19.5", "13.5"))
    for sheet_id in await sheets_of(db, pid, experts[1]):  # another expert's scores, submitted
        await submit(db, clock, experts[1], sheet_id, OTHERS)
    expert = await as_user(app, "expert1")
    url = f"/review/panels/{pid}/my-scores"
    with query_counter() as three:
        page = await expert.get(url)
    assert page.status_code == 200
    for value in ("27.5", "21.5", "19.5", "13.5", "82"):
        assert value in page.text
    assert "已提交 1 / 3 份" in page.text and page.text.count('href="/review/sheets/') == 3
    for word in (*OTHERS, "26.4", *LEADS, *UNITS):  # 26.4: the other expert's total
        assert word not in page.text, word
    assert "牵头人" not in page.text
    ranked = (await expert.get(url + "?sort=total")).text
    assert ranked.index("82") < ranked.index("P02")  # the scored sheet first
    assert f'href="/review/panels/{pid}/my-scores"' in (await expert.get(f"/review/panels/{pid}")).text

    # One query for the sheets and their scores together, whatever the number of sheets.
    ctx = await review_sheets.expert_sheet(db, await expert_actor(db, experts[0]), mine[2])
    await review_sheets.recuse(db, clock, await expert_actor(db, experts[0]), ctx, "与揭榜人是同学")
    await db.commit()
    with query_counter() as two:
        assert (await expert.get(url)).text.count('href="/review/sheets/') == 2
    # 14: the login, the panel check and the challenge as every panel page loads it (11), one for
    # the sheets with their scores, one for the kept pages' version (arena.web.page_cache).
    assert three.count == two.count <= 14, (three.count, two.count)

    # Not blind: the lead's name beside the code. Not on the panel: no page at all.
    from arena.challenges.models import Challenge
    (await db.get(Challenge, cid)).blind_review = False
    await db.commit()
    named = (await expert.get(url)).text
    assert "牵头人" in named and LEADS[0] in named
    outsider = await as_user(app, "org")
    assert (await outsider.get(url)).status_code in (403, 404)


async def test_the_chair_writes_the_summary_opinion_once_all_sheets_are_in_and_it_is_frozen_and_printed(
        app, db, clock):
    cid, pid, experts = await open_panel(db, clock, blind=True)
    org = await actor(db, "org")
    chair_seat = await db.scalar(select(PanelSeat.id).where(PanelSeat.panel_id == pid,
                                                           PanelSeat.expert_id == experts[1]))
    await review_seats.set_chair(db, clock, org, await review.organizer_challenge(db, org, cid), chair_seat)
    await db.commit()
    chair, member = await as_user(app, "expert2"), await as_user(app, "expert1")
    url = f"/review/panels/{pid}/opinion"

    early = await chair.post(url, {"opinion": OPINION})
    assert early.status_code == 400 and "全部评分表提交（或回避）后才能填写" in early.text
    await score_all(db, clock, pid, experts)
    assert (await member.post(url, {"opinion": OPINION})).status_code == 403  # only the chair
    organizer = await as_user(app, "org")
    assert 'id="no-opinion"' in (await organizer.get(f"/organizer/challenges/{cid}/review")).text
    empty = await chair.post(url, {"opinion": "  "})
    assert empty.status_code == 400 and "请填写专家组综合意见" in empty.text
    assert (await chair.post(url, {"opinion": "初稿"})).status_code == 303
    saved = await chair.post(url, {"opinion": OPINION})  # a draft, edited until close
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=opinion#opinion")
    page = (await chair.get(f"/review/panels/{pid}")).text
    assert "建议进一步细化节点考核的核验方式" in page and "保存综合意见" in page
    assert 'id="no-opinion"' not in (await organizer.get(f"/organizer/challenges/{cid}/review")).text

    await fresh(db)
    events = (await db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "panel.chair_opinion")
                               .order_by(AuditEvent.seq))).all()
    assert len(events) == 2 and json.loads(events[-1])["opinion"] == OPINION.replace("\r\n", "\n")
    # the event carries the text and who wrote it, no score or total (ids may hold any digits)
    assert set(json.loads(events[-1])) == {"challenge", "expert", "first", "opinion"}

    assert (await organizer.post(f"/organizer/challenges/{cid}/review/close", {})).status_code == 303
    await fresh(db)
    result = await db.scalar(select(ReviewResult).where(ReviewResult.challenge_id == cid))
    frozen = json.loads(result.snapshot)["chair_opinion"]
    assert frozen["text"] == OPINION.replace("\r\n", "\n") and frozen["at"].endswith("Z")
    verification = await review_results.verify_results(db, cid)
    assert verification.ok and verification.sealed
    results_page = (await organizer.get(f"/organizer/challenges/{cid}/review")).text
    assert "建议进一步细化节点考核的核验方式" in results_page
    for browser, pdf_url in ((organizer, f"/organizer/challenges/{cid}/review/summary.pdf"),
                             (member, f"/review/panels/{pid}/summary.pdf")):
        pdf = await browser.get(pdf_url)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "专家组综合意见" in text and "建议进一步细化节点考核的核验方式" in "".join(text.split())
    closed = await chair.post(url, {"opinion": "结束后再改"})
    assert closed.status_code == 400 and "已随结果冻结" in closed.text
    assert "专家组一致认为" in (await member.get(f"/review/panels/{pid}")).text  # every member reads it now
