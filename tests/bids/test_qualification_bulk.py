"""Bulk qualification (批量通过 / 批量不予通过): one reason for the ticked bids, each decision
audited on its own, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.bids.models import Bid, BidStatus
from arena.notify.models import Notification
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import as_user
from tests.factories import make_cadre, make_unit, make_user


@pytest.fixture
async def three_bids(db):
    organizer = await make_organizer(db, "org")
    await make_user(db, "insp", Role.INSPECTOR)
    unit = await make_unit(db, "临河区人民政府")
    challenge = await make_challenge(db, organizer, opens_at=NOW - timedelta(days=20), closes_at=NOW - timedelta(hours=1))
    bids = []
    for n, name in enumerate(("甲", "乙", "丙"), 1):
        cadre = await make_cadre(db, unit, await make_user(db, f"c{n}", Role.CADRE), name=name)
        bid = Bid(challenge_id=challenge.id, lead_id=cadre.id, status=BidStatus.SUBMITTED.value,
                  number=f"{challenge.number}-B00{n}", submitted_at=NOW - timedelta(days=2), submitted_version=1,
                  plan="方案", commitment="承诺")
        db.add(bid)
        bids.append(bid)
    await db.commit()
    return challenge.id, [b.id for b in bids], [b.number for b in bids]


async def statuses(db, ids):
    await db.rollback()
    db.expunge_all()
    return [(await db.get(Bid, i)).status for i in ids]


async def test_bulk_decisions_are_all_or_nothing_with_one_reason_each_audited(app, db, three_bids):
    cid, (first, second, third), numbers = three_bids
    org, insp = await as_user(app, "org"), await as_user(app, "insp")
    url = f"/organizer/challenges/{cid}/qualification/bulk"
    assert (await org.post(f"/organizer/challenges/{cid}/qualification/start")).status_code == 303
    assert (await insp.post(f"/inspector/vetting/{cid}/{third}", {"decision": "veto", "reason": "核查中"})).status_code == 303

    page = await org.get(f"/organizer/challenges/{cid}/qualification")
    assert page.status_code == 200 and "<table" in page.text and "批量通过资格审查" in page.text
    assert f'name="bid" value="{third}"' not in page.text  # a vetoed bid has no checkbox

    nothing = await org.post(url, {"decision": "qualify"})
    assert nothing.status_code == 400 and "请先勾选" in nothing.text
    no_reason = await org.post(url, {"decision": "disqualify", "bid": [first, second], "reason": " "})
    assert no_reason.status_code == 400 and "须写明原因" in no_reason.text
    assert f'value="{first}" id="pick-{first}" checked' in no_reason.text  # the selection is kept

    # The vetoed bid stands in the way: nothing changes, the page names it and why.
    refused = await org.post(url, {"decision": "qualify", "bid": [first, third], "reason": "材料齐全"})
    assert refused.status_code == 400
    assert numbers[2] in refused.text and "一票否决" in refused.text and "全部未作更改" in refused.text
    assert f'value="{first}" id="pick-{first}" checked' in refused.text and "材料齐全" in refused.text
    assert await statuses(db, [first, second, third]) == ["submitted", "submitted", "vetoed"]

    done = await org.post(url, {"decision": "qualify", "bid": [first, second], "reason": "材料齐全"})
    assert done.status_code == 303 and "decided=2" in done.headers["location"]
    assert await statuses(db, [first, second]) == ["qualified", "qualified"]
    events = (await db.scalars(select(AuditEvent).where(AuditEvent.action == "bid.qualify"))).all()
    assert sorted(e.object_id for e in events) == sorted([str(first), str(second)])
    assert all("材料齐全" in e.summary for e in events)
    assert len((await db.scalars(select(Notification).where(Notification.kind == "bid.qualification"))).all()) >= 2

    # Already qualified cannot be qualified again; a qualified bid can be refused in bulk.
    again = await org.post(url, {"decision": "qualify", "bid": [first], "reason": ""})
    assert again.status_code == 400 and numbers[0] in again.text
    out = await org.post(url, {"decision": "disqualify", "bid": [second], "reason": "方案不完整"})
    assert out.status_code == 303
    assert await statuses(db, [first, second]) == ["qualified", "disqualified"]
    assert "方案不完整" in (await org.get(f"/organizer/challenges/{cid}/qualification")).text
    for browser in (org, insp):
        await browser.client.aclose()


async def test_another_organizer_cannot_decide_in_bulk(app, db, three_bids):
    cid, ids, _numbers = three_bids
    await make_organizer(db, "org2")
    await db.commit()
    org, other = await as_user(app, "org"), await as_user(app, "org2")
    await org.post(f"/organizer/challenges/{cid}/qualification/start")
    response = await other.post(f"/organizer/challenges/{cid}/qualification/bulk",
                                {"decision": "qualify", "bid": ids[:2]})
    assert response.status_code == 404
    assert await statuses(db, ids[:2]) == ["submitted", "submitted"]
    for browser in (org, other):
        await browser.client.aclose()
