"""The announcement PDF (榜单公告): valid, A4, CJK fonts embedded, text extractable, escaped."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from arena.challenges.models import ChallengeStatus
from tests.challenges.public_factories import add_amendment, make_challenge, make_full_challenge, make_organizer

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_tool(tool: str, pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, check=True, text=True).stdout


async def test_announcement_is_an_a4_pdf_with_embedded_cjk_fonts_and_extractable_text(db, browser, tmp_path):
    organizer = await make_organizer(db)
    challenge = await make_full_challenge(db, organizer, title="数字乡村治理平台建设", rank_min="deputy_section",
                                          rank_max="division")
    await db.commit()

    response = await browser.get(f"/challenges/{challenge.id}/announcement.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    for expected in ["江州市数据局", "榜单公告", challenge.number, "数字乡村治理平台建设", "方案可行性",
                     "技术路线清晰", "副科级至正处级", "更正公告", "应多个单位请求，延长揭榜时间", "一、项目背景"]:
        assert expected in text, expected
    info = pdf_tool("pdfinfo", response.content, tmp_path)
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2  # the amendment starts its own page
    assert f"第1页共{pages}页" in "".join(text.split())  # pdftotext drops the narrow spaces
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = pdf_tool("pdffonts", response.content, tmp_path).splitlines()[2:]
    cjk = [line.split() for line in fonts if "-CJK-SC" in line]  # e.g. BYMOGM+Noto-Serif-CJK-SC-Bold
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"} <= {row[0].split("+")[-1] for row in cjk}
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in cjk)  # embedded, subset, with a Unicode map


async def test_download_name_is_safe_with_a_chinese_name_and_an_ascii_fallback(db, browser):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, number='JB/2026 "0001"\r\n')
    await db.commit()

    response = await browser.get(f"/challenges/{challenge.id}/announcement.pdf")

    disposition = response.headers["content-disposition"]
    assert disposition.startswith('inline; filename="announcement-JB-2026-0001.pdf"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("''", 1)[1]) == "榜单公告-JB-2026-0001.pdf"
    assert "\r" not in disposition and "\n" not in disposition


async def test_markup_in_user_text_prints_as_text(db, browser, tmp_path):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, title="<script>alert(1)</script>标题",
                                     background='<img src="file:///etc/passwd">背景')
    await add_amendment(db, challenge, organizer, reason="<b>原因</b>", changes=[{"item": "<i>x</i>", "before": "",
                                                                                "after": "<u>y</u>"}])
    await db.commit()

    response = await browser.get(f"/challenges/{challenge.id}/announcement.pdf")

    text = pdf_text(response.content, tmp_path)
    assert "<script>alert(1)</script>标题" in text
    assert '<img src="file:///etc/passwd">背景' in text
    assert "<b>原因</b>" in text and "<u>y</u>" in text
    assert "root:" not in text


async def test_drafts_print_only_for_their_organizer_and_say_so(db, browser, tmp_path):
    organizer = await make_organizer(db, "organizer")
    draft = await make_challenge(db, organizer, status=ChallengeStatus.DRAFT)
    await db.commit()

    assert (await browser.get(f"/challenges/{draft.id}/announcement.pdf")).status_code == 404
    await browser.login("organizer")
    response = await browser.get(f"/challenges/{draft.id}/announcement.pdf")
    assert response.status_code == 200
    assert "草稿 · 尚未发布" in pdf_text(response.content, tmp_path)
    assert "announcement-" in response.headers["content-disposition"]


async def test_english_readers_get_english_headings_and_page_numbers(db, browser, tmp_path):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer)
    await db.commit()

    browser.client.cookies.set("arena_lang", "en")
    response = await browser.get(f"/challenges/{challenge.id}/announcement.pdf")

    text = pdf_text(response.content, tmp_path)
    assert "Page1of" in "".join(text.split()) and "Assessment" in text


async def test_a_sparse_challenge_still_prints(db, browser, tmp_path):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, title="只有标题的榜单", background="", budget=None, rubric=[],
                                     opens_at=None, closes_at=None)
    challenge.bid_opens_at = challenge.bid_closes_at = None
    await db.commit()

    response = await browser.get(f"/challenges/{challenge.id}/announcement.pdf")

    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "只有标题的榜单" in text and "发榜单位未定" in text and "评分细则待发布" in text


async def test_a_repeated_download_is_served_from_cache_until_an_amendment_changes_it(db, browser, monkeypatch):
    from arena.challenges import documents

    renders = []
    real = documents.render_pdf

    async def counted(html, **kw):  # the render itself happens in a child process, out of reach
        renders.append(html)
        return await real(html, **kw)

    monkeypatch.setattr(documents, "render_pdf", counted)
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, title="缓存测试榜单")
    await db.commit()
    url = f"/challenges/{challenge.id}/announcement.pdf"

    first, second = await browser.get(url), await browser.get(url)
    await add_amendment(db, challenge, organizer, reason="更正预算", changes=[])
    await db.commit()
    third = await browser.get(url)

    assert first.content == second.content != third.content
    assert len(renders) == 2
