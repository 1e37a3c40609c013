"""Challenge attachments: checked by content, stored by hash outside the web root, served safely."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from arena.challenges.models import ChallengeAttachment, ChallengeStatus
from arena.files import store
from arena.files.models import StoredFile
from tests.challenges.public_factories import make_challenge, make_organizer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (store.MAX_UNPACKED + 1))
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "extension"), [(PDF, "pdf"), (PNG, "png"), (b"\xff\xd8\xff\xe0JFIF", "jpg"),
                                                  (office("word/document.xml"), "docx"),
                                                  (office("xl/workbook.xml"), "xlsx")])
def test_types_are_known_by_content(data, extension):
    kind = store.sniff(data)
    assert kind is not None and kind.extension == extension


@pytest.mark.parametrize("data", [b"", b"<html><script>alert(1)</script>", b"MZ\x90\x00 an exe", b"PK\x03\x04junk",
                                  office("other.xml")], ids=["empty", "html", "exe", "bad-zip", "plain-zip"])
def test_anything_else_is_unknown(data):
    assert store.sniff(data) is None


def test_a_zip_bomb_is_not_an_office_file():
    assert store.sniff(zip_bomb()) is None


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\Users\\x\\方案.PDF", "方案.pdf"), ("evil.exe", "evil.pdf"),
    ("a\x00b\nc.pdf", "abc.pdf"), ("", "file.pdf"), ('<script>"x".pdf', "_script_x_.pdf"),
])
def test_names_are_cleaned_and_get_the_real_extension(name, expected):
    assert store.clean_name(name, store.PDF) == expected


@pytest.fixture
async def draft(db, browser):
    organizer = await make_organizer(db, "org")
    challenge = await make_challenge(db, organizer, status=ChallengeStatus.DRAFT)
    await db.commit()
    await browser.login("org")
    return challenge


async def upload(browser, challenge_id, name, data, content_type="application/pdf", title="实施方案"):
    return await browser.client.post(f"/organizer/challenges/{challenge_id}/attachments",
                                     files={"file": (name, data, content_type)},
                                     data={"title": title, "_csrf_token": await browser.csrf()})


async def test_organizer_attaches_a_pdf_and_the_public_downloads_it_after_publishing(browser, db, draft, settings):
    cid = draft.id
    response = await upload(browser, cid, "方案.pdf", PDF)
    assert response.status_code == 303
    stored = await db.scalar(select(StoredFile))
    assert store.path_for(settings.files_dir, stored.sha256).read_bytes() == PDF
    assert not str(store.path_for(settings.files_dir, stored.sha256)).startswith(str(settings.var_dir / "static"))
    attachment = await db.scalar(select(ChallengeAttachment))
    download = await browser.get(f"/challenges/{cid}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E6%96%B9%E6%A1%88.pdf" in download.headers["content-disposition"]
    await browser.logout()
    hidden = await browser.get(f"/challenges/{cid}/attachments/{attachment.id}")
    assert hidden.status_code == 404  # a draft's attachment is the organizer's only


@pytest.mark.parametrize(("name", "data", "claimed", "message"), [
    ("fake.pdf", b"<html>not a pdf</html>", "application/pdf", "只能上传以下类型的文件"),
    ("empty.pdf", b"", "application/pdf", "文件是空的"),
    ("bomb.docx", zip_bomb(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "文件解压后超过 100 MB"),
    ("big.pdf", b"%PDF-" + b"0" * (store.MAX_BYTES + 1), "application/pdf", "文件超过 20 MB"),
], ids=["forged-type", "empty", "zip-bomb", "too-big"])
async def test_hostile_uploads_are_refused_and_nothing_is_stored(browser, db, draft, name, data, claimed, message):
    response = await upload(browser, draft.id, name, data, claimed)
    assert response.status_code == 400 and message in response.text
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 0


async def test_attachments_are_fixed_once_published(browser, db, draft):
    cid = draft.id
    assert (await upload(browser, cid, "a.pdf", PDF)).status_code == 303
    await db.rollback()
    challenge = await db.get(type(draft), cid)
    challenge.status = ChallengeStatus.PUBLISHED.value
    challenge.number = "JB-2026-0999"
    await db.commit()
    refused = await upload(browser, cid, "b.pdf", PDF)
    assert refused.status_code == 400 and "附件不能再增删" in refused.text


async def test_a_100_mb_upload_is_cut_off_with_a_friendly_page(browser, db, draft):
    response = await upload(browser, draft.id, "huge.pdf", b"%PDF-" + b"0" * (100 * 1024 * 1024))
    assert response.status_code == 413 and "不超过 20 MB" in response.text and "Traceback" not in response.text
    assert await db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_the_ascii_file_name_keeps_letters_and_the_extension_or_falls_back():
    from arena.files.store import ascii_name

    assert ascii_name("荣誉证书-A64PN63F845R.pdf", "certificate.pdf") == "A64PN63F845R.pdf"
    assert ascii_name("实绩档案-周杰.pdf", "dossier-GB0009.pdf") == "dossier-GB0009.pdf"
    assert ascii_name("工作日历模板.xlsx", "calendar.xlsx") == "calendar.xlsx"
    assert ascii_name("plan v2.docx", "x.docx") == "plan-v2.docx"
    assert ascii_name("README", "x") == "README"
