"""The results notice (结果公示) PDF: the organizer unit's 监督与受理 block before the signature, and
the publicity period in words (2026年11月25日至2026年12月1日（5个工作日）)."""

from __future__ import annotations

import shutil

import pytest

from arena.challenges.models import Challenge
from tests.challenges.test_announcement_pdf import pdf_text
from tests.conftest import make_client
from tests.execution.factories import publicized
from tests.factories import make_unit

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def flat(text: str) -> str:
    return "".join(text.split())


async def _story(db, clock, **contact: str) -> int:
    story = await publicized(db, clock)
    unit = await make_unit(db, "江州市数据局")
    for key, value in contact.items():
        setattr(unit, key, value)
    challenge = await db.get(Challenge, story.challenge_id)
    challenge.owner_unit_id = unit.id
    await db.commit()
    return story.challenge_id


async def test_the_results_notice_prints_the_contact_and_the_period_in_words(app, db, clock, tmp_path):
    cid = await _story(db, clock, supervision_phone="010-66667777-123", contact_person="贾受理",
                       contact_phone="010-66668888", address="江州市人民路88号（100031）")

    response = await make_client(app).get(f"/results/{cid}/notice.pdf")

    assert response.status_code == 200
    text = flat(pdf_text(response.content, tmp_path))
    # Tue 24 Nov 2026 (Beijing): the five working days are Wed 25 Nov … Tue 1 Dec
    assert "公示期为2026年11月25日至2026年12月1日（5个工作日）" in text
    assert "2026-11-25" not in text
    for expected in ["监督与受理", "监督电话：010-66667777-123", "受理联系人：贾受理（联系电话：010-66668888）",
                     "通讯地址：江州市人民路88号（100031）"]:
        assert text.count(expected) == 1, expected
    # last, before the signature: the issuing unit and the day it was published
    assert text.index("审计链锚点") < text.index("监督与受理") < text.rindex("江州市数据局2026年11月24日")


async def test_a_unit_without_a_contact_prints_the_notice_without_the_block(app, db, clock, tmp_path):
    cid = await _story(db, clock)

    response = await make_client(app).get(f"/results/{cid}/notice.pdf")

    assert response.status_code == 200
    text = flat(pdf_text(response.content, tmp_path))
    assert "结果公示" in text and "公示期为2026年11月25日至2026年12月1日" in text
    assert "监督与受理" not in text and "未设置" not in text


async def test_english_readers_get_the_period_in_english_words(app, db, clock, tmp_path):
    cid = await _story(db, clock, supervision_phone="010-66667777-123")
    client = make_client(app)
    client.cookies.set("arena_lang", "en")

    text = " ".join(pdf_text((await client.get(f"/results/{cid}/notice.pdf")).content, tmp_path).split())

    assert "from 25 November 2026 to 1 December 2026 (5 working days)" in text
    assert "Supervision hotline: 010-66667777-123" in text
