"""答疑: questions during the bid window, the organizer's answers, and the asker kept private."""

from __future__ import annotations

import shutil
from datetime import timedelta

from sqlalchemy import select

from arena import data_versions
from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.challenges.models import ChallengeQuestion
from arena.challenges.questions import OPEN_PER_ASKER, QUESTION_MAX
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import as_user
from tests.factories import make_cadre, make_unit, make_user

PLANTED = "PLANTED-ASKER-5531"


async def _world(db):
    organizer = await make_organizer(db, "org")
    challenge = await make_challenge(db, organizer, title="数字乡村答疑榜")
    unit = await make_unit(db)
    asker = await make_user(db, "asker", Role.CADRE, name=PLANTED)
    await make_cadre(db, unit, asker, name=PLANTED)
    await make_user(db, "other", Role.CADRE, name="另一位干部")
    ids = organizer.id, challenge.id
    await db.commit()
    return ids


async def _question_ids(db, challenge_id):
    await db.rollback()  # a fresh snapshot: the app wrote in its own sessions
    return list((await db.scalars(select(ChallengeQuestion.id).where(
        ChallengeQuestion.challenge_id == challenge_id).order_by(ChallengeQuestion.id))).all())


async def test_asked_question_is_answered_and_published_without_ever_naming_the_asker(app, db, browser, tmp_path):
    _organizer, cid = await _world(db)
    asker = await as_user(app, "asker")
    page = f"/challenges/{cid}"

    version = await data_versions.current(db, "catalogue")
    asked = await asker.post(f"{page}/questions", {"question": "  申报材料是否需要单位盖章？  "})
    assert asked.status_code == 303 and asked.headers["location"].startswith(page)
    await asker.post(f"{page}/questions", {"question": "这是一个重复的问题"})
    first, duplicate = await _question_ids(db, cid)
    assert await data_versions.current(db, "catalogue") == version  # a waiting question is not public

    # unanswered: only the asker (their own list) and the organizer see it
    assert "申报材料是否需要单位盖章" not in (await browser.get(page)).text
    other = await as_user(app, "other")
    assert "申报材料是否需要单位盖章" not in (await other.get(page)).text
    mine = (await asker.get(page)).text
    assert "我的提问" in mine and "申报材料是否需要单位盖章？" in mine and "待答复" in mine

    organizer = await as_user(app, "org")
    home = (await organizer.get("/")).text
    assert "答疑待答复" in home and f'href="/organizer/challenges/{cid}/questions"' in home
    listing = await organizer.get(f"/organizer/challenges/{cid}/questions")
    assert listing.status_code == 200 and PLANTED in listing.text  # the organizer sees who asked

    # an empty answer is refused, the form back, nothing changed
    empty = await organizer.post(f"/organizer/challenges/{cid}/questions/{first}", {"answer": "  "})
    assert empty.status_code == 400 and "请填写答复" in empty.text
    answered = await organizer.post(f"/organizer/challenges/{cid}/questions/{first}",
                                    {"answer": "需要加盖所在单位公章。"})
    assert answered.status_code == 303
    await db.rollback()
    assert await data_versions.current(db, "catalogue") > version  # cached public pages see the answer
    closed = await organizer.post(f"/organizer/challenges/{cid}/questions/{duplicate}",
                                  {"action": "close", "reason": "与第一个问题重复"})
    assert closed.status_code == 303
    again = await organizer.post(f"/organizer/challenges/{cid}/questions/{first}", {"answer": "改答复"})
    assert again.status_code == 400 and "已处理" in again.text

    # published on the next visit, for everyone; the closed one stays unpublished
    for reader in (browser, other, asker):
        text = (await reader.get(page)).text
        assert "需要加盖所在单位公章。" in text and "申报材料是否需要单位盖章？" in text
        if reader is not asker:  # (the asker's own header names them, of course)
            assert PLANTED not in text and "asker" not in text.replace("asked", "")
            assert "这是一个重复的问题" not in text
    assert "与第一个问题重复" in (await asker.get(page)).text  # the asker is told why
    catalogue = (await browser.get("/challenges")).text
    assert PLANTED not in catalogue
    assert "答疑待答复" not in (await organizer.get("/")).text

    if shutil.which("pdftotext"):
        from tests.challenges.test_announcement_pdf import pdf_text

        pdf = await browser.get(f"{page}/announcement.pdf")
        text = "".join(pdf_text(pdf.content, tmp_path).split())
        assert "答疑" in text and "需要加盖所在单位公章。" in text and "申报材料是否需要单位盖章？" in text
        assert PLANTED not in text and "这是一个重复的问题" not in text

    await db.rollback()
    events = (await db.execute(select(AuditEvent.action, AuditEvent.summary).where(
        AuditEvent.object_type == "challenge_question").order_by(AuditEvent.id))).all()
    assert [e.action for e in events] == ["question.ask", "question.ask", "question.answer", "question.close"]
    assert all(PLANTED not in e.summary and "asker" not in e.summary for e in events)


async def test_questions_are_refused_outside_the_window_too_long_over_the_cap_and_to_others(app, db, browser, clock):
    _organizer, cid = await _world(db)
    stranger = await make_organizer(db, "stranger")
    closed = (await make_challenge(db, stranger, opens_at=NOW - timedelta(days=20),
                                   closes_at=NOW - timedelta(days=1))).id
    await db.commit()
    asker = await as_user(app, "asker")
    url = f"/challenges/{cid}/questions"

    anonymous = await browser.post(url, {"question": "游客提问"})
    assert anonymous.status_code in (302, 303, 401) and not await _question_ids(db, cid)
    late = await asker.post(f"/challenges/{closed}/questions", {"question": "还能提问吗？"})
    assert late.status_code == 400 and "揭榜已截止" in late.text and "还能提问吗？" in late.text
    long = await asker.post(url, {"question": "长" * (QUESTION_MAX + 1)})
    assert long.status_code == 400 and f"不能超过 {QUESTION_MAX} 个字" in long.text
    assert not await _question_ids(db, cid)
    for n in range(OPEN_PER_ASKER):
        assert (await asker.post(url, {"question": f"问题{n}"})).status_code == 303
    capped = await asker.post(url, {"question": "第六个问题"})
    assert capped.status_code == 400 and "等待答复" in capped.text
    ids = await _question_ids(db, cid)
    assert len(ids) == OPEN_PER_ASKER

    # only the challenge's organizer may see and answer its questions
    other_org = await as_user(app, "stranger")
    assert (await other_org.get(f"/organizer/challenges/{cid}/questions")).status_code == 404
    assert (await other_org.post(f"/organizer/challenges/{cid}/questions/{ids[0]}",
                                 {"answer": "冒充答复"})).status_code == 404
    assert (await asker.get(f"/organizer/challenges/{cid}/questions")).status_code == 403

    # after the deadline the organizer cannot answer any more
    clock.advance(timedelta(days=11))
    organizer = await as_user(app, "org")
    refused = await organizer.post(f"/organizer/challenges/{cid}/questions/{ids[0]}", {"answer": "迟到的答复"})
    assert refused.status_code == 400 and "答疑已结束" in refused.text
    await db.rollback()
    assert (await db.scalar(select(ChallengeQuestion.status).where(ChallengeQuestion.id == ids[0]))) == "asked"
    assert "迟到的答复" not in (await browser.get(f"/challenges/{cid}")).text


async def test_home_card_names_each_challenge_with_waiting_questions_in_one_query(app, db, query_counter):
    organizer = await make_organizer(db, "org")
    challenges = [await make_challenge(db, organizer, title=f"答疑榜{n}") for n in range(2)]
    asker = await make_user(db, "asker", Role.CADRE)
    for c in challenges:
        db.add(ChallengeQuestion(challenge_id=c.id, asked_by_id=asker.id, question="问", asked_at=NOW,
                                 status="asked"))
    await db.commit()
    org = await as_user(app, "org")
    with query_counter() as few:
        home = (await org.get("/")).text
    for c in challenges:
        assert f'<a href="/organizer/challenges/{c.id}/questions">答疑榜' in home
    for n in range(2, 6):
        c = await make_challenge(db, organizer, title=f"答疑榜{n}")
        db.add(ChallengeQuestion(challenge_id=c.id, asked_by_id=asker.id, question="问", asked_at=NOW,
                                 status="asked"))
    await db.commit()
    with query_counter() as many:
        home = (await org.get("/")).text
    assert many.count == few.count and "6 个答疑问题等待答复" in home
