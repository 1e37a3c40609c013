"""A cadre's bid: draft with autosave and a revision check, team confirmation, submit with a
receipt, new versions, withdrawal, and the server's clock deciding every deadline."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from arena.auth.models import Role
from arena.bids.models import Bid, BidMember, BidStatus, BidVersion
from arena.challenges.models import MilestoneTemplate
from arena.units.models import Rank
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import Browser, make_client
from tests.factories import make_cadre, make_unit, make_user


@pytest.fixture
async def world(db):
    organizer = await make_organizer(db, "org")
    unit = await make_unit(db, "青山县人民政府")
    lead_user = await make_user(db, "lead", Role.CADRE)
    mate_user = await make_user(db, "mate", Role.CADRE)
    lead = await make_cadre(db, unit, lead_user, name="张伟", rank=Rank.SECTION)
    mate = await make_cadre(db, unit, mate_user, name="李强", rank=Rank.SECTION)
    challenge = await make_challenge(db, organizer, title="乡村振兴示范", closes_at=NOW + timedelta(days=5))
    db.add(MilestoneTemplate(challenge_id=challenge.id, position=1, title="完成调研", due_month=2,
                             deliverable="调研报告"))
    await db.commit()
    return {"challenge_id": challenge.id, "lead": lead, "mate_code": mate.code, "unit": unit}


@pytest.fixture
async def lead(browser, world):
    await browser.login("lead")
    return browser


async def start(browser, world) -> int:
    response = await browser.post(f"/challenges/{world['challenge_id']}/bid")
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def filled(revision: int, **change) -> dict:
    return {"revision": str(revision), "plan": "分三步推进：调研、试点、推广。", "commitment": "按期完成，接受考核。",
            "m0-title": "完成调研", "m0-due_on": "2027-02-28", "m0-deliverable": "调研报告",
            "m0-kpi": "覆盖 12 个村"} | change


async def bid_row(db, bid_id) -> Bid:
    await db.rollback()
    db.expunge_all()
    return await db.get(Bid, bid_id)


async def test_cadre_drafts_saves_and_submits_with_a_receipt(lead, db, world):
    bid_id = await start(lead, world)
    page = await lead.get(f"/bids/{bid_id}")
    assert "完成调研" in page.text and "请填写实施方案" in page.text  # the template's milestone is there
    assert (await lead.post(f"/bids/{bid_id}", filled(1))).status_code == 303
    saved = await bid_row(db, bid_id)
    assert saved.revision == 2 and saved.status == "draft"
    submitted = await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})
    assert submitted.status_code == 303
    bid = await bid_row(db, bid_id)
    assert bid.status == "submitted" and bid.number.endswith("-B001") and bid.submitted_version == 1
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid_id))
    assert len(version.sha256) == 64 and "分三步推进" in version.content
    receipt = await lead.get(f"/bids/{bid_id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=receipt.content, capture_output=True, check=True).stdout
        assert version.sha256 in text.decode() and bid.number in text.decode()


async def test_a_double_click_submits_once_and_edits_make_new_versions(lead, db, world):
    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}", filled(1))
    first = await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})
    second = await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})  # the same page, clicked twice
    assert first.status_code == 303 and second.status_code == 303
    assert await db.scalar(select(func.count()).select_from(BidVersion)) == 1
    await db.rollback()
    await lead.post(f"/bids/{bid_id}", filled(3, plan="调整后的方案"))
    assert (await lead.post(f"/bids/{bid_id}/submit", {"revision": "4"})).status_code == 303
    versions = (await db.scalars(select(BidVersion.version_no).order_by(BidVersion.version_no))).all()
    assert list(versions) == [1, 2]


async def test_two_tabs_never_silently_overwrite_each_other(lead, db, world):
    bid_id = await start(lead, world)
    assert (await lead.post(f"/bids/{bid_id}", filled(1, plan="第一个窗口"))).status_code == 303
    stale = await lead.post(f"/bids/{bid_id}", filled(1, plan="第二个窗口"))
    assert stale.status_code == 409 and "其他窗口" in stale.text
    assert "第二个窗口" in stale.text  # the typed text comes back to copy
    autosave = await lead.post(f"/bids/{bid_id}", filled(1, plan="第二个窗口"), htmx=True)
    assert autosave.status_code == 409 and "其他窗口" in autosave.text
    assert (await bid_row(db, bid_id)).plan == "第一个窗口"


async def test_autosave_answers_with_a_status_and_the_new_revision(lead, db, world):
    bid_id = await start(lead, world)
    response = await lead.post(f"/bids/{bid_id}", filled(1), htmx=True)
    assert response.status_code == 200 and "已自动保存" in response.text
    assert 'name="revision" id="f-revision" value="2"' in response.text


async def test_after_the_deadline_submit_is_refused_and_the_draft_kept(lead, db, world, clock):
    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}", filled(1))
    clock.advance(timedelta(days=6))
    await lead.login("lead")  # six days on, the 12-hour login has long expired
    refused = await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})
    assert refused.status_code == 400 and "不在揭榜时间内" in refused.text and "截止时间" in refused.text
    bid = await bid_row(db, bid_id)
    assert bid.status == "draft" and bid.plan.startswith("分三步推进")
    late_save = await lead.post(f"/bids/{bid_id}", filled(2, plan="截止后改"))
    assert late_save.status_code == 400 and "揭榜已截止" in late_save.text


async def test_withdrawal_needs_a_reason_and_is_a_state(lead, db, world):
    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}", filled(1))
    await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})
    assert (await lead.post(f"/bids/{bid_id}/withdraw", {"reason": ""})).status_code == 400
    assert (await lead.post(f"/bids/{bid_id}/withdraw", {"reason": "工作调整"})).status_code == 303
    bid = await bid_row(db, bid_id)
    assert bid.status == BidStatus.WITHDRAWN.value and bid.withdraw_reason == "工作调整"
    assert await db.scalar(select(func.count()).select_from(BidVersion)) == 1  # what was submitted stays


async def test_a_draft_is_discarded_not_withdrawn_and_needs_no_reason(lead, db, world):
    bid_id = await start(lead, world)
    page = (await lead.get(f"/bids/{bid_id}")).text
    assert "放弃草稿" in page and "撤回揭榜" not in page
    assert (await lead.post(f"/bids/{bid_id}/withdraw", {"reason": ""})).status_code == 303
    assert (await bid_row(db, bid_id)).status == BidStatus.WITHDRAWN.value


async def test_team_members_must_confirm_before_submitting(lead, db, world, app):
    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}", filled(1))
    unknown = await lead.post(f"/bids/{bid_id}/team", {"member_code": "NOPE", "member_duty": "技术"})
    assert unknown.status_code == 400 and "没有工号为" in unknown.text
    assert (await lead.post(f"/bids/{bid_id}/team", {"member_code": world["mate_code"],
                                                     "member_duty": "技术负责人"})).status_code == 303
    blocked = await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})
    assert blocked.status_code == 400 and "尚未确认" in blocked.text
    member_id = await db.scalar(select(BidMember.id))
    async with make_client(app) as client:
        mate = Browser(client)
        await mate.login("mate")
        inbox = await mate.get("/bids")
        assert "邀请你加入揭榜团队" in inbox.text
        assert (await mate.post(f"/bids/invitations/{member_id}/accept")).status_code == 303
        own = await mate.post(f"/challenges/{world['challenge_id']}/bid")
        assert own.status_code == 400 and "另一揭榜团队" in own.text  # one team per challenge
    assert (await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})).status_code == 303


async def test_another_cadre_cannot_see_or_touch_the_bid(lead, db, world, app):
    bid_id = await start(lead, world)
    async with make_client(app) as client:
        other = Browser(client)
        await other.login("mate")
        for path in (f"/bids/{bid_id}", f"/bids/{bid_id}/receipt.pdf"):
            assert (await other.get(path)).status_code == 404
        for path in (f"/bids/{bid_id}", f"/bids/{bid_id}/submit", f"/bids/{bid_id}/withdraw"):
            assert (await other.post(path, filled(1, reason="x"))).status_code == 404


async def test_an_ineligible_cadre_is_refused_with_the_rule_that_failed(browser, db, world):
    young = await make_user(db, "young", Role.CADRE)
    await make_cadre(db, world["unit"], young, rank=Rank.CLERK)
    organizer = await make_organizer(db, "org3")
    strict = await make_challenge(db, organizer, rank_min=Rank.DIVISION.value)
    await db.commit()
    await browser.login("young")
    refused = await browser.post(f"/challenges/{strict.id}/bid")
    assert refused.status_code == 400 and "不符合本榜揭榜条件" in refused.text and "职级" in refused.text
    assert await db.scalar(select(func.count()).select_from(Bid)) == 0


BAD = [({"plan": "方" * 30000}, "最多 20000 个字符"), ({"m0-due_on": "明年"}, "完成日期无效"),
       ({"revision": "abc"}, "必须是整数")]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _c, m in BAD])
async def test_bad_draft_input_is_refused_with_the_form_back(lead, db, world, change, message):
    bid_id = await start(lead, world)
    response = await lead.post(f"/bids/{bid_id}", filled(1, commitment="承诺😀") | change)
    assert response.status_code == 400 and message in response.text and "承诺😀" in response.text
    assert (await bid_row(db, bid_id)).revision == 1


async def test_cadre_home_shows_invitations_and_unsubmitted_drafts(lead, db, world, app):
    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}/team", {"member_code": world["mate_code"], "member_duty": ""})
    home = (await lead.get("/")).text  # the one draft: the card names it and opens it
    assert "：草稿未提交" in home and f'href="/bids/{bid_id}"' in home
    async with make_client(app) as client:
        mate = Browser(client)
        await mate.login("mate")
        assert "1 个揭榜团队邀请你加入" in (await mate.get("/")).text


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_attachments_are_checked_and_shown_only_to_those_allowed(lead, db, world, app):
    bid_id = await start(lead, world)
    token = await lead.csrf()
    forged = await lead.client.post(f"/bids/{bid_id}/attachments", data={"title": "方案", "_csrf_token": token},
                                    files={"file": ("方案.pdf", b"MZ\x90 not a pdf", "application/pdf")})
    assert forged.status_code == 400 and "只能上传以下类型的文件" in forged.text
    empty = await lead.client.post(f"/bids/{bid_id}/attachments", data={"_csrf_token": token},
                                   files={"file": ("a.pdf", b"", "application/pdf")})
    assert empty.status_code == 400 and "文件是空的" in empty.text
    ok = await lead.client.post(f"/bids/{bid_id}/attachments", data={"title": "实施方案", "_csrf_token": token},
                                files={"file": ("../../方案.pdf", PDF, "application/pdf")})
    assert ok.status_code == 303
    from arena.bids.models import BidAttachment

    attachment_id = await db.scalar(select(BidAttachment.id))
    download = await lead.get(f"/bids/{bid_id}/attachments/{attachment_id}")
    assert download.status_code == 200 and download.content == PDF
    assert "%E6%96%B9%E6%A1%88.pdf" in download.headers["content-disposition"] and ".." not in \
        download.headers["content-disposition"]
    async with make_client(app) as client:
        other = Browser(client)
        await other.login("mate")  # not on the team (no invitation)
        assert (await other.get(f"/bids/{bid_id}/attachments/{attachment_id}")).status_code == 404
        await other.logout()
        await other.login("org")  # the organizer: not before the bid is submitted
        assert (await other.get(f"/bids/{bid_id}/attachments/{attachment_id}")).status_code == 404


async def test_the_cap_on_active_bids_is_enforced_and_configurable(lead, db, world, app):
    organizer = await make_organizer(db, "org9")
    other = await make_challenge(db, organizer, title="第二个榜", closes_at=NOW + timedelta(days=5))
    db.add(MilestoneTemplate(challenge_id=other.id, position=1, title="完成调研", due_month=2, deliverable=""))
    await db.commit()
    app.state.settings = dataclasses.replace(app.state.settings, active_bid_cap=1)  # ARENA_ACTIVE_BID_CAP
    first = await start(lead, world)
    await lead.post(f"/bids/{first}", filled(1))
    assert (await lead.post(f"/bids/{first}/submit", {"revision": "2"})).status_code == 303
    second = await start(lead, {"challenge_id": other.id})
    await lead.post(f"/bids/{second}", filled(1))
    refused = await lead.post(f"/bids/{second}/submit", {"revision": "2"})
    assert refused.status_code == 400 and "达到上限" in refused.text


async def test_script_in_a_bid_is_shown_as_text(lead, db, world):
    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}", filled(1, plan="<script>alert('x')</script>方案"))
    page = await lead.get(f"/bids/{bid_id}")
    assert "<script>alert('x')</script>" not in page.text and "&lt;script&gt;" in page.text


async def test_removing_a_member_is_audited_as_a_removal(lead, db, world):
    from arena.audit.models import AuditEvent

    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}/team", {"member_code": world["mate_code"], "member_duty": ""})
    member_id = await db.scalar(select(BidMember.id))
    assert (await lead.post(f"/bids/{bid_id}/team/{member_id}/remove")).status_code == 303
    await db.rollback()
    actions = (await db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "bid"))).all()
    assert actions[-1] == "bid.remove_member" and "bid.invite" in actions
    assert await db.scalar(select(func.count()).select_from(BidMember)) == 0


async def milestone_titles(db, bid_id) -> list[str]:
    from arena.bids.models import BidMilestone
    await db.rollback()
    rows = await db.scalars(select(BidMilestone).where(BidMilestone.bid_id == bid_id)
                            .order_by(BidMilestone.position))
    return [row.title for row in rows]


async def test_a_bidder_adds_and_removes_milestones_of_their_own(lead, db, world):
    """Beyond the challenge's milestones the bidder may add rows (one blank row is always offered),
    an autosave of a new row followed by another autosave does not add it twice, ticking 删除
    removes a row of the bidder's own, and the challenge's row cannot be removed."""
    bid_id = await start(lead, world)
    page = await lead.get(f"/bids/{bid_id}")
    assert 'name="m1-title"' in page.text and "保存并添加节点" in page.text  # the blank row
    extra = {"m1-id": "", "m1-title": "试点推广", "m1-due_on": "2027-06-30", "m1-kpi": "3 个村试点"}
    first = await lead.post(f"/bids/{bid_id}", filled(1) | extra, htmx=True)
    assert first.status_code == 200, first.text
    new_id = first.text.split('id="m1-id" value="')[1].split('"')[0]
    assert new_id.isdigit()  # the open page learns the new row's id
    again = await lead.post(f"/bids/{bid_id}", filled(2) | extra | {"m1-id": new_id, "m1-kpi": "5 个村"},
                            htmx=True)
    assert again.status_code == 200
    assert await milestone_titles(db, bid_id) == ["完成调研", "试点推广"]
    # a blank third row is ignored; a new row without a date comes back with the form
    bad = await lead.post(f"/bids/{bid_id}", filled(3) | extra | {"m1-id": new_id, "m2-id": "", "m2-title": "总结"})
    assert bad.status_code == 400 and "请填写完成日期" in bad.text and "总结" in bad.text
    assert await milestone_titles(db, bid_id) == ["完成调研", "试点推广"]
    # removing: the bidder's row goes; the challenge's row stays even when ticked
    removed = await lead.post(f"/bids/{bid_id}", filled(3) | extra | {"m1-id": new_id, "m1-remove": "1",
                                                                      "m0-remove": "1"})
    assert removed.status_code == 303
    assert await milestone_titles(db, bid_id) == ["完成调研"]


async def test_a_submitted_bid_reads_as_text_once_the_window_closes(lead, db, world, clock):
    bid_id = await start(lead, world)
    await lead.post(f"/bids/{bid_id}", filled(1))
    assert (await lead.post(f"/bids/{bid_id}/submit", {"revision": "2"})).status_code == 303
    clock.advance(timedelta(days=6))
    await lead.login("lead")  # the session has long expired
    page = await lead.get(f"/bids/{bid_id}")
    assert "分三步推进" in page.text and "<textarea" not in page.text and 'name="m0-title"' not in page.text
