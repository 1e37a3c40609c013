"""监督与受理 on the announcement (榜单公告): the organizer unit's 监督电话, 受理联系人 and 通讯地址
print once, at the end of the notice before its signature (not again on each 更正公告); a unit
with none prints no block; dates read as an official notice writes them. The organizer is told
when the unit has no 监督电话."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from tests.challenges.public_factories import add_amendment, make_challenge, make_full_challenge, make_organizer
from tests.challenges.test_announcement_pdf import pdf_text
from tests.factories import make_unit

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def flat(text: str) -> str:
    """pdftotext's text without its layout spaces and line breaks."""
    return "".join(text.split())


async def contact_unit(db, name: str = "江州市科学技术局"):
    unit = await make_unit(db, name)
    unit.supervision_phone, unit.contact_person = "010-66667777-123", "贾受理"
    unit.contact_phone, unit.address = "010-66668888", "江州市人民路88号市民中心B座（100031）"
    return unit


async def test_the_announcement_prints_the_contact_once_before_the_signature_and_amendments(db, browser, tmp_path):
    organizer = await make_organizer(db)
    unit = await contact_unit(db)
    challenge = await make_full_challenge(db, organizer, owner_unit=unit, title="科技成果转化中试平台建设",
                                          opens_at=datetime(2026, 11, 21, 2, 0, tzinfo=UTC),
                                          closes_at=datetime(2026, 11, 29, 2, 0, tzinfo=UTC),
                                          published_at=datetime(2026, 11, 20, 17, 30, tzinfo=UTC))
    await add_amendment(db, challenge, organizer, reason="延长揭榜时间", changes=[], seq=2,
                        at=datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    await db.commit()

    response = await browser.get(f"/challenges/{challenge.id}/announcement.pdf")

    assert response.status_code == 200
    text = flat(pdf_text(response.content, tmp_path))
    for expected in ["监督与受理", "监督电话：010-66667777-123", "受理联系人：贾受理（联系电话：010-66668888）",
                     "通讯地址：江州市人民路88号市民中心B座（100031）"]:
        assert text.count(expected) == 1, expected
    # at the end of the notice itself, before its signature and the first 更正公告
    assert text.index("容错情形") < text.index("监督与受理") < text.index("更正公告")
    # dates in words, Beijing time: published 01:30 on 21 Nov in Beijing, not the UTC 20th
    assert "2026年11月21日10:00至2026年11月29日10:00（北京时间）" in text
    signature = text.index("监督电话：010-66667777-123")
    assert text.index("江州市科学技术局2026年11月21日", signature) < text.index("更正公告")
    assert "2026年11月25日" in text[text.index("更正公告"):]  # the amendment's own date
    assert "2026-11-21" not in text


async def test_a_unit_without_a_contact_prints_no_block_and_the_notice_still_prints(db, browser, tmp_path):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, owner_unit=await make_unit(db, "江州市信访局"))
    bare = await make_challenge(db, organizer, owner_unit=None)
    await db.commit()

    for shown in (challenge, bare):
        response = await browser.get(f"/challenges/{shown.id}/announcement.pdf")
        assert response.status_code == 200
        text = flat(pdf_text(response.content, tmp_path))
        assert "榜单公告" in text and "监督与受理" not in text and "监督电话" not in text
        assert "未设置" not in text


async def test_a_unit_with_only_an_address_prints_only_that_line(db, browser, tmp_path):
    organizer = await make_organizer(db)
    unit = await make_unit(db, "江州市生态环境局")
    unit.address = "江州市滨江大道210号"
    challenge = await make_challenge(db, organizer, owner_unit=unit)
    await db.commit()

    text = flat(pdf_text((await browser.get(f"/challenges/{challenge.id}/announcement.pdf")).content, tmp_path))

    assert "监督与受理" in text and "通讯地址：江州市滨江大道210号" in text
    assert "监督电话" not in text and "受理联系人" not in text


async def test_english_readers_get_the_contact_and_english_dates(db, browser, tmp_path):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, owner_unit=await contact_unit(db),
                                     opens_at=datetime(2026, 11, 21, 2, 0, tzinfo=UTC),
                                     closes_at=datetime(2026, 11, 29, 2, 0, tzinfo=UTC))
    await db.commit()

    browser.client.cookies.set("arena_lang", "en")
    text = pdf_text((await browser.get(f"/challenges/{challenge.id}/announcement.pdf")).content, tmp_path)

    words = " ".join(text.split())
    assert "Supervision hotline: 010-66667777-123" in words
    assert "Contact for complaints: 贾受理 (tel. 010-66668888)" in words
    assert "21 November 2026, 10:00 to 29 November 2026, 10:00 (Beijing time)" in words


async def test_the_organizer_is_warned_when_the_unit_has_no_supervision_phone(db, browser):
    organizer = await make_organizer(db, "organizer")
    bare = await make_challenge(db, organizer, owner_unit=await make_unit(db, "江州市信访局"))
    configured = await make_challenge(db, organizer, owner_unit=await contact_unit(db))
    await db.commit()
    await browser.login("organizer")

    warned = await browser.get(f"/organizer/challenges/{bare.id}")
    quiet = await browser.get(f"/organizer/challenges/{configured.id}")

    assert warned.status_code == quiet.status_code == 200
    assert "发榜单位“江州市信访局”尚未设置监督电话" in warned.text
    assert "尚未设置监督电话" not in quiet.text
