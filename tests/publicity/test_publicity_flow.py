"""Publicity through the pages: the period by working days, the public results page and its
hash, objections (anonymous to the public), answers, what blocks the award, and the award."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.bids.models import Bid
from arena.challenges.models import Challenge
from arena.execution.models import Milestone, Project
from arena.notify.models import Notification
from arena.publicity.models import Objection, Publicity
from arena.review.models import ReviewResult
from tests.conftest import as_user, fresh, make_client
from tests.execution.factories import closed_review, publicized
from tests.review.factories import LEADS


async def test_publishing_counts_working_days_and_the_public_page_verifies_the_hash(app, db, clock):
    story = await closed_review(db, clock)
    cid = story.challenge_id
    org = await as_user(app, "org")
    page = await org.get(f"/organizer/challenges/{cid}/publicity")
    assert page.status_code == 200 and "发布结果公示" in page.text
    bad = await org.post(f"/organizer/challenges/{cid}/publicity", {"working_days": "0"})
    assert bad.status_code == 400 and "1–30" in bad.text and 'value="0"' in bad.text
    assert await db.scalar(select(func.count()).select_from(Publicity)) == 0
    assert (await org.post(f"/organizer/challenges/{cid}/publicity", {"working_days": "5"})).status_code == 303
    await fresh(db)
    publicity = await db.scalar(select(Publicity))
    # Tue 24 Nov 2026 (Beijing): Wed 25 … Tue 1 Dec are the five working days; ends at midnight after.
    assert (publicity.first_day, publicity.last_day) == (date(2026, 11, 25), date(2026, 12, 1))
    assert (await db.get(Challenge, cid)).status == "publicity"
    result = await db.scalar(select(ReviewResult))
    public = make_client(app)
    shown = await public.get(f"/results/{cid}")
    assert shown.status_code == 200
    assert LEADS[0] in shown.text  # the winner is named
    assert LEADS[1] not in shown.text and LEADS[2] not in shown.text  # the others appear by code only
    assert result.sha256 in shown.text and "一致" in shown.text
    assert hashlib.sha256(result.snapshot.encode()).hexdigest() == result.sha256
    notice = await public.get(f"/results/{cid}/notice.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    assert "filename*=UTF-8''%E7%BB%93%E6%9E%9C%E5%85%AC%E7%A4%BA" in notice.headers["content-disposition"]


async def test_a_period_reaching_an_unknown_year_is_refused_with_what_to_enter(app, db, clock):
    story = await closed_review(db, clock)
    clock.advance(timedelta(days=32))  # 26 Dec 2026: five working days reach 2027
    org = await as_user(app, "org")
    refused = await org.post(f"/organizer/challenges/{story.challenge_id}/publicity", {"working_days": "5"})
    assert refused.status_code == 400 and "2027 年的节假日安排尚未录入" in refused.text
    await fresh(db)
    assert await db.scalar(select(func.count()).select_from(Publicity)) == 0
    admin_user = await _admin(db)
    admin = await as_user(app, admin_user)
    entered = await admin.post("/admin/calendar/2027", {"holidays": "2027-01-01 元旦", "workdays": "", "note": ""})
    assert entered.status_code == 303
    assert (await org.post(f"/organizer/challenges/{story.challenge_id}/publicity",
                           {"working_days": "5"})).status_code == 303
    await fresh(db)
    publicity = await db.scalar(select(Publicity))
    # Sat 26 Dec: Mon 28 … Thu 31 Dec, then Fri 1 Jan 2027 is a holiday: Mon 4 Jan is the fifth.
    assert publicity.last_day == date(2027, 1, 4)


async def _admin(db) -> str:
    from arena.auth.models import Role
    from tests.factories import make_user

    await make_user(db, "admin", Role.ADMIN)
    await db.commit()
    return "admin"


async def test_objections_stay_anonymous_block_the_award_and_get_an_answer(app, db, clock):
    story = await publicized(db, clock)
    cid = story.challenge_id
    objector = await as_user(app, "lead2")
    empty = await objector.post(f"/results/{cid}/objections", {"reason": "  "})
    assert empty.status_code == 400 and "请写明异议的事实和理由" in empty.text
    fake = await objector.post(f"/results/{cid}/objections", {"reason": "材料不实"},
                               files={"evidence": ("证明.pdf", b"not a pdf", "application/pdf")})
    assert fake.status_code == 400 and "按文件内容识别" in fake.text and "材料不实" in fake.text
    assert await db.scalar(select(func.count()).select_from(Objection)) == 0
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    filed = await objector.post(f"/results/{cid}/objections", {"reason": "第一名的团队成员同时在另一揭榜中任职，请核实。"},
                                files={"evidence": ("任职文件.pdf", pdf, "application/pdf")})
    assert filed.status_code == 303
    mine = await objector.get("/objections")
    assert "第一名的团队成员" in mine.text and "待答复" in mine.text
    public = await make_client(app).get(f"/results/{cid}")
    assert "共收到异议 1 件" in public.text and "待答复 1 件" in public.text
    assert LEADS[1] not in public.text and "lead2" not in public.text  # the objector is never shown
    org = await as_user(app, "org")
    organizer_page = await org.get(f"/organizer/challenges/{cid}/publicity")
    assert LEADS[1] in organizer_page.text  # the organizer sees who objected
    blocked = await org.post(f"/organizer/challenges/{cid}/award")
    assert blocked.status_code == 400 and "公示期至" in blocked.text and "1 件异议未答复" in blocked.text
    await fresh(db)
    objection = await db.scalar(select(Objection))
    no_reply = await org.post(f"/organizer/challenges/{cid}/objections/{objection.id}", {"verdict": "dismissed"})
    assert no_reply.status_code == 400 and "请填写答复意见" in no_reply.text
    assert (await org.post(f"/organizer/challenges/{cid}/objections/{objection.id}",
                           {"verdict": "dismissed", "reply": "经核实，其在另一揭榜中仅为顾问，不构成兼任。"})).status_code == 303
    answered = await objector.get("/objections")
    assert "仅为顾问" in answered.text and "异议不成立" in answered.text
    still = await org.post(f"/organizer/challenges/{cid}/award")
    assert still.status_code == 400 and "公示期至" in still.text and "异议未答复" not in still.text
    publicity = await db.scalar(select(Publicity))
    clock.advance(publicity.ends_at - clock.now())
    org = await as_user(app, "org")  # a week later: a new login
    assert (await org.post(f"/organizer/challenges/{cid}/award")).status_code == 303
    await fresh(db)
    statuses = dict((await db.execute(select(Bid.id, Bid.status))).tuples().all())
    assert [statuses[b] for b in story.bid_ids] == ["won", "not_chosen", "not_chosen"]
    project = await db.scalar(select(Project))
    assert project.bid_id == story.bid_ids[0] and project.status == "pending_signature"
    assert await db.scalar(select(func.count()).select_from(Milestone)) == 1
    assert (await db.get(Challenge, cid)).status == "executing"
    assert (await db.scalar(select(Publicity))).status == "concluded"
    actions = set((await db.scalars(select(AuditEvent.action))).all())
    assert {"publicity.publish", "objection.file", "objection.dismiss", "publicity.conclude", "challenge.award",
            "bid.win", "bid.not_chosen", "project.award"} <= actions
    kinds = set((await db.scalars(select(Notification.kind))).all())
    assert {"objection.filed", "objection.answered", "project.awarded"} <= kinds


async def test_an_upheld_objection_disqualifies_and_the_next_bid_is_publicized(app, db, clock):
    story = await publicized(db, clock, bids=3)
    cid = story.challenge_id
    objector = await as_user(app, "lead3")
    assert (await objector.post(f"/results/{cid}/objections", {"reason": "第一名材料造假"})).status_code == 303
    await fresh(db)
    objection = await db.scalar(select(Objection))
    org = await as_user(app, "org")
    no_action = await org.post(f"/organizer/challenges/{cid}/objections/{objection.id}",
                               {"verdict": "upheld", "reply": "属实"})
    assert no_action.status_code == 400 and "须选择处理方式" in no_action.text
    upheld = await org.post(f"/organizer/challenges/{cid}/objections/{objection.id}", {
        "verdict": "upheld", "reply": "经核实，业绩材料与实际不符。", "action": "disqualify",
        "target": str(story.bid_ids[0])})
    assert upheld.status_code == 303
    await fresh(db)
    assert (await db.get(Bid, story.bid_ids[0])).status == "disqualified"
    assert (await db.scalar(select(Publicity))).status == "withdrawn"
    assert (await db.get(Challenge, cid)).status == "publicity"
    assert "处理：取消揭榜资格" in (await org.get(f"/organizer/challenges/{cid}/publicity")).text
    public = await make_client(app).get(f"/results/{cid}")
    assert "已撤回" in public.text
    assert (await org.post(f"/organizer/challenges/{cid}/publicity", {"working_days": "5"})).status_code == 303
    await fresh(db)
    second = await db.scalar(select(Publicity).where(Publicity.seq == 2))
    assert [w["bid_id"] for w in __import__("json").loads(second.winners)] == [story.bid_ids[1]]
    shown = await make_client(app).get(f"/results/{cid}")
    assert LEADS[1] in shown.text and "经异议核实取消资格" in shown.text


async def test_an_upheld_objection_can_reopen_review(app, db, clock):
    story = await publicized(db, clock)
    cid = story.challenge_id
    objector = await as_user(app, "lead2")
    assert (await objector.post(f"/results/{cid}/objections", {"reason": "评分有误"})).status_code == 303
    await fresh(db)
    objection = await db.scalar(select(Objection))
    org = await as_user(app, "org")
    assert (await org.post(f"/organizer/challenges/{cid}/objections/{objection.id}", {
        "verdict": "upheld", "reply": "评分标准理解有偏差，重新评审。", "action": "reopen_review"})).status_code == 303
    await fresh(db)
    assert (await db.get(Challenge, cid)).status == "reviewing"
    assert "处理：重新开启评审" in (await org.get(f"/organizer/challenges/{cid}/publicity")).text
    results = (await db.scalars(select(ReviewResult))).all()
    assert len(results) == 1 and results[0].superseded_at is not None
    # Closing again freezes new results, which can be publicized once more.
    assert (await org.post(f"/organizer/challenges/{cid}/review/close", {})).status_code == 303
    assert (await org.post(f"/organizer/challenges/{cid}/publicity", {"working_days": "5"})).status_code == 303
    await fresh(db)
    assert await db.scalar(select(func.count()).select_from(ReviewResult)) == 2
    assert await db.scalar(select(func.count()).select_from(Publicity)) == 2
