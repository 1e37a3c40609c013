"""Qualification by the organizer, vetting by the inspector, failed listing; a veto's reason is
seen by inspectors and organizers only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.bids.models import Bid, BidStatus
from arena.challenges.models import Challenge, ChallengeStatus
from arena.notify.models import Notification
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import Browser, make_client
from tests.factories import make_cadre, make_unit, make_user

SECRET = "与投标企业存在利益关联"


@pytest.fixture
async def closed(db):
    organizer = await make_organizer(db, "org")
    await make_user(db, "insp", Role.INSPECTOR)
    unit = await make_unit(db, "临河区人民政府")
    challenge = await make_challenge(db, organizer, opens_at=NOW - timedelta(days=20), closes_at=NOW - timedelta(hours=1))
    bids = []
    for n, name in enumerate(("甲", "乙"), 1):
        user = await make_user(db, f"c{n}", Role.CADRE)
        cadre = await make_cadre(db, unit, user, name=name)
        bid = Bid(challenge_id=challenge.id, lead_id=cadre.id, status=BidStatus.SUBMITTED.value,
                  number=f"{challenge.number}-B00{n}", submitted_at=NOW - timedelta(days=2), submitted_version=1,
                  plan="方案", commitment="承诺")
        db.add(bid)
        bids.append(bid)
    await db.commit()
    return {"challenge_id": challenge.id, "bid_ids": [b.id for b in bids]}


async def as_user(app, username) -> Browser:
    client = make_client(app)
    browser = Browser(client)
    await browser.login(username)
    return browser


async def test_qualify_veto_and_go_to_review(app, db, closed):
    cid, (first, second) = closed["challenge_id"], closed["bid_ids"]
    org, insp = await as_user(app, "org"), await as_user(app, "insp")
    assert (await org.post(f"/organizer/challenges/{cid}/qualification/start")).status_code == 303
    vetting = await insp.get(f"/inspector/vetting/{cid}")
    assert vetting.status_code == 200 and "甲" in vetting.text
    refused = await insp.post(f"/inspector/vetting/{cid}/{second}", {"decision": "veto", "reason": ""})
    assert refused.status_code == 400 and "须写明理由" in refused.text
    assert (await insp.post(f"/inspector/vetting/{cid}/{second}",
                            {"decision": "veto", "reason": SECRET})).status_code == 303
    assert (await insp.post(f"/inspector/vetting/{cid}/{first}", {"decision": "clear"})).status_code == 303

    page = await org.get(f"/organizer/challenges/{cid}/qualification")
    assert SECRET in page.text and "一票否决" in page.text  # organizers see the flag and the reason
    no_reason = await org.post(f"/organizer/challenges/{cid}/qualification/{first}", {"decision": "disqualify"})
    assert no_reason.status_code == 400 and "须写明原因" in no_reason.text
    assert (await org.post(f"/organizer/challenges/{cid}/qualification/{first}",
                           {"decision": "qualify", "reason": ""})).status_code == 303
    vetoed = await org.post(f"/organizer/challenges/{cid}/qualification/{second}", {"decision": "qualify"})
    assert vetoed.status_code == 400  # a vetoed bid cannot be qualified
    assert (await org.post(f"/organizer/challenges/{cid}/qualification/finish")).status_code == 303
    await db.rollback()
    db.expunge_all()  # the fixture's objects are still in the session, with their old status
    assert (await db.get(Challenge, cid)).status == ChallengeStatus.REVIEWING.value

    # The vetoed cadre sees only that the bid did not pass qualification.
    cadre = await as_user(app, "c2")
    mine = await cadre.get(f"/bids/{second}")
    assert "资格审查未通过" in mine.text and SECRET not in mine.text and "一票否决" not in mine.text
    assert SECRET not in (await cadre.get("/bids")).text
    # Nor do the audit log and the notifications (in-app and e-mail) hold the reason.
    summaries = (await db.scalars(select(AuditEvent.summary))).all()
    assert not any(SECRET in s for s in summaries)
    messages = (await db.execute(select(Notification.title, Notification.body))).all()
    assert messages and not any(SECRET in title + body for title, body in messages)
    assert "资格审查未通过" in (await cadre.get("/inbox")).text
    for browser in (org, insp, cadre):
        await browser.client.aclose()


async def test_no_qualified_bid_ends_as_failed_listing(app, db, closed):
    cid, bids = closed["challenge_id"], closed["bid_ids"]
    org = await as_user(app, "org")
    await org.post(f"/organizer/challenges/{cid}/qualification/start")
    early = await org.post(f"/organizer/challenges/{cid}/qualification/finish")
    assert early.status_code == 400 and "未作结论" in early.text
    for bid_id in bids:
        await org.post(f"/organizer/challenges/{cid}/qualification/{bid_id}",
                       {"decision": "disqualify", "reason": "材料不全"})
    assert (await org.post(f"/organizer/challenges/{cid}/qualification/finish")).status_code == 303
    await db.rollback()
    db.expunge_all()  # the fixture's objects are still in the session, with their old status
    assert (await db.get(Challenge, cid)).status == ChallengeStatus.FAILED.value
    cadre = await as_user(app, "c1")
    assert "材料不全" in (await cadre.get(f"/bids/{bids[0]}")).text  # a disqualification's reason is the cadre's
    await org.client.aclose()
    await cadre.client.aclose()


async def test_qualification_waits_for_the_window_to_close(app, db):
    organizer = await make_organizer(db, "org")
    challenge = await make_challenge(db, organizer)  # open
    await db.commit()
    org = await as_user(app, "org")
    refused = await org.post(f"/organizer/challenges/{challenge.id}/qualification/start")
    assert refused.status_code == 400 and "揭榜截止后" in refused.text
    await org.client.aclose()


@pytest.mark.parametrize("username", ["c1", "org2", None])
async def test_only_the_inspector_vets_and_only_the_owner_qualifies(app, db, closed, username):
    cid, (first, _second) = closed["challenge_id"], closed["bid_ids"]
    await make_organizer(db, "org2")
    await db.commit()
    client = make_client(app)
    browser = Browser(client)
    if username:
        await browser.login(username)
    vet = await browser.post(f"/inspector/vetting/{cid}/{first}", {"decision": "veto", "reason": "x"})
    qualify = await browser.post(f"/organizer/challenges/{cid}/qualification/{first}", {"decision": "qualify"})
    page = await browser.get(f"/inspector/vetting/{cid}")
    if username is None:
        assert {vet.status_code, qualify.status_code, page.status_code} == {303}
    else:
        assert vet.status_code == 403 and page.status_code == 403
        assert qualify.status_code == (404 if username == "org2" else 403)
    await db.rollback()
    db.expunge_all()  # the fixture's objects are still in the session, with their old status
    assert (await db.get(Bid, first)).status == BidStatus.SUBMITTED.value
    await client.aclose()


async def test_home_pages_point_the_inspector_and_cadres_at_their_work(app, db, closed):
    insp = await as_user(app, "insp")
    home = (await insp.get("/")).text  # one challenge waits: the card names it and opens it
    assert "2 份待廉政审查" in home and f'href="/inspector/vetting/{closed["challenge_id"]}"' in home
    await insp.client.aclose()


@pytest.mark.parametrize("reason", ["理" * 10000, "\x00"], ids=["10000-chars", "nul"])
async def test_bad_reasons_are_refused_beside_the_bid(app, db, closed, reason):
    cid, (first, _second) = closed["challenge_id"], closed["bid_ids"]
    org, insp = await as_user(app, "org"), await as_user(app, "insp")
    await org.post(f"/organizer/challenges/{cid}/qualification/start")
    refused = await org.post(f"/organizer/challenges/{cid}/qualification/{first}",
                             {"decision": "disqualify", "reason": reason})
    assert refused.status_code == 400 and f'id="reason-{first}-error"' in refused.text
    vetoed = await insp.post(f"/inspector/vetting/{cid}/{first}", {"decision": "veto", "reason": reason})
    assert vetoed.status_code == 400 and f'id="veto-{first}-error"' in vetoed.text
    bogus = await org.post(f"/organizer/challenges/{cid}/qualification/{first}", {"decision": "<script>"})
    assert bogus.status_code == 400 and "无效的操作" in bogus.text
    await db.rollback()
    db.expunge_all()
    assert (await db.get(Bid, first)).status == BidStatus.SUBMITTED.value
    for browser in (org, insp):
        await browser.client.aclose()


async def test_qualification_shows_each_rule_as_it_stood_at_submission_worded_for_the_organizer(app, db, closed):
    cid = closed["challenge_id"]
    org = await as_user(app, "org")
    assert (await org.post(f"/organizer/challenges/{cid}/qualification/start")).status_code == 303
    page = (await org.get(f"/organizer/challenges/{cid}/qualification")).text
    assert "不接受揭榜" not in page and "揭榜已于" not in page
    assert "在揭榜期内提交" in page
    assert "你的" not in page and "你所在" not in page
