"""Blind review through the expert's eyes: the attachments they download are rebuilt without
who made them (once, for every expert); a file that cannot be made safe is refused to the expert
and named to the organizer; the bid's texts hide the bidders' logins and e-mail addresses."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select, update

from arena.auth.models import User
from arena.bids.models import BidVersion
from arena.files import sanitize, store
from arena.notify.models import Notification
from arena.review.models import ScoreSheet
from tests.conftest import fresh
from tests.files import planted
from tests.review.factories import LEADS, make_review
from tests.review.test_blind_leak import _attach
from tests.review.test_review_flow import _accept_all, drawn

ZEROS = 20 * 1024 * 1024


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{planted.W}"><w:body/></w:document>')
        archive.writestr("word/media/image1.png", b"\0" * ZEROS)
    return out.getvalue()


async def _expert_on_first_bid(app, db, review):
    _org, panel = await drawn(app, db, review)
    browsers = await _accept_all(app, db, panel.id, review)
    expert_id, expert = next(iter(browsers.items()))
    sheet = await db.scalar(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id,
                                                     ScoreSheet.bid_id == review.bid_ids[0]))
    return expert, sheet.id, browsers


async def test_experts_download_office_files_without_their_authors_made_once_for_all(app, db, monkeypatch):
    review = await make_review(db, blind=True)
    await _attach(app, db, review.bid_ids[0], [
        ("方案.docx", planted.docx_with_identity(LEADS[0]), store.DOCX.media_type),
        ("预算.xlsx", planted.xlsx_with_identity(LEADS[0]), store.XLSX.media_type),
    ])
    calls = []
    real = sanitize.strip_metadata
    monkeypatch.setattr(sanitize, "strip_metadata", lambda data, kind: calls.append(kind) or real(data, kind))
    expert, sheet_id, browsers = await _expert_on_first_bid(app, db, review)
    secrets = (LEADS[0], planted.LOGIN, planted.LATIN)
    for index in (1, 2):
        download = await expert.get(f"/review/sheets/{sheet_id}/attachments/{index}")
        assert download.status_code == 200
        assert planted.leaks(planted.zip_views(download.content), secrets) == []
    # The other experts on the same bid get the same copies without another rebuild.
    await fresh(db)
    sheets = {s.expert_id: s.id for s in (await db.scalars(select(ScoreSheet).where(
        ScoreSheet.bid_id == review.bid_ids[0]))).all()}
    for expert_id, browser in browsers.items():
        response = await browser.get(f"/review/sheets/{sheets[expert_id]}/attachments/1")
        assert response.status_code == 200
        assert planted.leaks(planted.zip_views(response.content), secrets) == []
    assert len(browsers) > 1 and len(calls) == 2


async def test_a_file_that_cannot_be_made_safe_is_refused_and_its_organizer_told_once(app, db):
    review = await make_review(db, blind=True)
    bomb = _bomb()
    await _attach(app, db, review.bid_ids[0], [(f"{LEADS[0]}-附表.docx", bomb, store.DOCX.media_type)])
    expert, sheet_id, _browsers = await _expert_on_first_bid(app, db, review)
    for _attempt in range(2):
        refused = await expert.get(f"/review/sheets/{sheet_id}/attachments/1")
        assert refused.status_code == 422
        assert "匿名副本" in refused.text and LEADS[0] not in refused.text
        assert bomb not in refused.content and b"PK\x03\x04" not in refused.content
    await fresh(db)
    notices = (await db.scalars(select(Notification).where(Notification.kind == "review.blind_file_refused"))).all()
    assert len(notices) == 1
    organizer = await db.scalar(select(User).where(User.username == "org"))
    assert notices[0].recipient_id == organizer.id
    assert "附件1" in notices[0].body and f"{LEADS[0]}-附表.docx" in notices[0].body
    inbox = await expert.get("/inbox")
    assert "附表" not in inbox.text


async def test_plan_milestones_and_commitment_hide_the_bidders_logins_and_email_addresses(app, db):
    review = await make_review(db, blind=True)
    await db.execute(update(User).where(User.username == "lead1").values(email="Ouyang.MH@example.org"))
    await db.execute(update(User).where(User.username == "member").values(email="sgwq@example.cn"))
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == review.bid_ids[0]))
    version.content = version.content.replace(
        "推进第1套方案。", "推进第1套方案，联系 ouyang.mh@example.org 或账号 lead1；团队 sgwq@example.cn。")
    version.content = version.content.replace('"按期完成全部节点任务。"', '"lead1 保证按期完成，leader1 与 lead12 不是账号。"')
    version.content = version.content.replace('"调研报告"', '"调研报告（member 执笔）"')
    await db.commit()
    expert, sheet_id, _browsers = await _expert_on_first_bid(app, db, review)
    page = (await expert.get(f"/review/sheets/{sheet_id}")).text
    for word in ("ouyang.mh@example.org", "Ouyang.MH", "sgwq@example.cn", "lead1 ", "账号 lead1", "member 执笔"):
        assert word not in page, word
    assert "leader1" in page and "lead12" in page  # other words are left alone
    assert page.count("■■") >= 5
