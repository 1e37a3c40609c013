"""Blind review holds in every output an expert can reach: pages, fragments, errors, downloads
(names and metadata), the score summary PDF and Excel, notifications. Nothing names a bidder,
a team member or their units."""

from __future__ import annotations

import io
import json
import zipfile

from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from arena.bids.models import BidVersion
from arena.files import store
from arena.files.models import StoredFile
from arena.review.models import ScoreSheet
from tests.review.factories import LEADS, MEMBER, make_review
from tests.review.test_review_flow import _accept_all, _score_everything, drawn, fresh


def _pdf_with_author(name: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": name, "/Title": f"{name}的实施方案"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_with_creator(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="x"/>')
        z.writestr("word/document.xml", "<w:document xmlns:w='w'><w:body>方案正文</w:body></w:document>")
        z.writestr("docProps/core.xml", f"<cp:coreProperties xmlns:cp='c' xmlns:dc='d'><dc:creator>{name}"
                                        "</dc:creator></cp:coreProperties>")
    return out.getvalue()


async def _attach(app, db, bid_id: int, files: list[tuple[str, bytes, str]]) -> None:
    """Put files into the first bid's submitted version, titled with the bidder's name."""
    root = app.state.settings.files_dir
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid_id))
    content = json.loads(version.content)
    for filename, data, media_type in files:
        sha = store.save(root, data)
        stored = StoredFile(sha256=sha, size=len(data), media_type=media_type, filename=filename)
        db.add(stored)
        await db.flush()
        content["attachments"].append({"title": filename, "file": stored.id})
    version.content = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    await db.commit()


def _assert_clean(label: str, text: str, secrets: list[str]) -> None:
    for word in secrets:
        assert word not in text, f"{label} shows {word!r}"


async def test_nothing_an_expert_can_reach_names_a_bidder(app, db):
    review = await make_review(db, blind=True)
    secrets = review.secret_words
    lead = LEADS[0]
    await _attach(app, db, review.bid_ids[0], [
        (f"{lead}-方案.pdf", _pdf_with_author(lead), store.PDF.media_type),
        (f"{lead}-附表.docx", _docx_with_creator(lead), store.DOCX.media_type),
    ])
    org, panel = await drawn(app, db, review)
    pid = panel.id
    browsers = await _accept_all(app, db, pid, review)
    expert_id, expert = next(iter(browsers.items()))
    sheets = (await db.scalars(select(ScoreSheet).where(ScoreSheet.expert_id == expert_id)
                               .order_by(ScoreSheet.id))).all()
    sheet_ids = [(s.id, s.revision, s.bid_id) for s in sheets]

    # The profile page lists every unit (to declare a conflict with one): a directory, not a bidder.
    profile = (await expert.get("/review/profile")).text
    _assert_clean("/review/profile", profile, [*LEADS, MEMBER])
    pages = ["/", "/review", f"/review/panels/{pid}", "/inbox", f"/challenges/{review.challenge_id}/draw"]
    pages += [f"/review/sheets/{sid}" for sid, _r, _b in sheet_ids]
    for url in pages:
        response = await expert.get(url)
        assert response.status_code == 200, url
        _assert_clean(url, response.text, secrets)
    first_id, first_revision, _bid = sheet_ids[0]
    page = (await expert.get(f"/review/sheets/{first_id}")).text
    assert "■■" in page  # the plan named the lead and the unit: both blacked out

    # Fragments and errors: autosave (good and bad), a refused submit, a refused recusal, a 404.
    bad = await expert.post(f"/review/sheets/{first_id}", {"c-1": "999", "revision": str(first_revision)}, htmx=True)
    refused = await expert.post(f"/review/sheets/{first_id}", {"action": "submit", "revision": str(first_revision)})
    recusal = await expert.post(f"/review/sheets/{first_id}/recuse", {"recusal_reason": ""})
    missing = await expert.get("/review/sheets/999999")
    for label, response in (("autosave", bad), ("submit error", refused), ("recusal error", recusal),
                            ("404", missing)):
        assert response.status_code in (400, 404), label
        _assert_clean(label, response.text, secrets)

    # Downloads: the file name and the file's own metadata.
    bid_sheet = next(sid for sid, _r, bid in sheet_ids if bid == review.bid_ids[0])
    for index in (1, 2):
        download = await expert.get(f"/review/sheets/{bid_sheet}/attachments/{index}")
        assert download.status_code == 200
        _assert_clean("file name", download.headers["content-disposition"], secrets)
        for word in secrets:
            assert word.encode() not in download.content and word.encode("utf-16-be") not in download.content
    pdf = await expert.get(f"/review/sheets/{bid_sheet}/attachments/1")
    assert not PdfReader(io.BytesIO(pdf.content)).metadata

    # After closing: the score summary as PDF and Excel.
    await _score_everything(app, db, review, pid, browsers)
    assert (await org.post(f"/organizer/challenges/{review.challenge_id}/review/close", {})).status_code == 303
    summary = await expert.get(f"/review/panels/{pid}/summary.pdf")
    assert summary.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(summary.content)).pages)
    assert "P01" in text
    _assert_clean("summary PDF", text + summary.headers["content-disposition"], secrets)
    workbook = await expert.get(f"/review/panels/{pid}/summary.xlsx")
    book = load_workbook(io.BytesIO(workbook.content))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    _assert_clean("summary Excel", cells + str(book.properties.creator), secrets)
    for url in ("/", "/review", f"/review/panels/{pid}", "/inbox"):
        _assert_clean(url + " after close", (await expert.get(url)).text, secrets)
    await fresh(db)
