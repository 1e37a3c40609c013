"""The blind copy of a file names no one: every place a PDF, a Word or Excel file, or an image
keeps who made it, planted with a Chinese name, a Latin name and a login, is searched after the
rebuild in every encoding. What cannot be rebuilt within the limits is refused, quickly."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import xml.etree.ElementTree as ET
import zipfile

import anyio
import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from arena.files import sanitize, store
from tests.files import planted


@pytest.mark.parametrize("location", list(planted.PDF_BUILDERS))
def test_blind_pdf_names_no_one_wherever_the_name_was_planted(location):
    original = planted.PDF_BUILDERS[location](planted.NAME)
    assert planted.leaks(planted.pdf_views(original)), "the planted name must be findable before"
    clean = sanitize.strip_metadata(original, store.PDF)
    assert planted.leaks(planted.pdf_views(clean)) == []
    reader = PdfReader(io.BytesIO(clean), strict=True)
    assert len(reader.pages) == 1 and reader.metadata is None
    assert "/Names" not in reader.trailer["/Root"] and "/OpenAction" not in reader.trailer["/Root"]


def test_blind_pdf_keeps_its_pages_and_their_text():
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(300, 300)
    writer.add_metadata({"/Author": planted.NAME})
    out = io.BytesIO()
    writer.write(out)
    clean = PdfReader(io.BytesIO(sanitize.strip_metadata(out.getvalue(), store.PDF)))
    assert len(clean.pages) == 3 and clean.pages[0].mediabox.width == 300


def _text(xml: bytes) -> str:
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml.decode()))


def test_blind_docx_names_no_one_and_still_reads_the_same():
    original = planted.docx_with_identity()
    planted_in = planted.leaks(planted.zip_views(original))
    for place in ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "word/comments.xml",
                  "word/people.xml", "customXml/item1.xml", "word/settings.xml", "word/_rels/settings.xml.rels",
                  "word/document.xml", "word/media/image2.png", "docProps/thumbnail.jpeg", "zip comment"):
        assert any(f" in {place}" in leak for leak in planted_in), place
    clean = sanitize.strip_metadata(original, store.DOCX)
    assert planted.leaks(planted.zip_views(clean)) == []
    with zipfile.ZipFile(io.BytesIO(clean)) as archive, zipfile.ZipFile(io.BytesIO(original)) as source:
        assert archive.testzip() is None
        names = set(archive.namelist())
        for name in names:
            if name.endswith((".xml", ".rels")):
                ET.fromstring(archive.read(name))  # noqa: S314 (our own output) well-formed, namespaces declared
        assert not {n for n in names if n.startswith(("docProps/", "customXml/"))}
        assert not names & {"word/comments.xml", "word/people.xml", "word/vbaProject.bin"}
        document = archive.read("word/document.xml")
        # Revisions are accepted: what was inserted stays, what was deleted goes; nothing else changes.
        assert _text(document) == _text(source.read("word/document.xml")) == "实施方案正文新增内容加粗本地文件"
        assert b"mc:Ignorable=\"w14\"" in document and b"xmlns:w14=" in document
        types = archive.read("[Content_Types].xml").decode()
        for name in names - {"[Content_Types].xml"}:
            if not name.endswith(".rels"):
                assert f'PartName="/{name}"' in types, name
        rels = archive.read("word/_rels/document.xml.rels").decode()
        for target in re.findall(r'Target="([^"]+)"', rels):
            assert target.startswith("https://") or f"word/{target}" in names, target
        image = Image.open(io.BytesIO(archive.read("word/media/image1.jpg")))
        assert image.size == (8, 8) and not image.getexif()


def test_blind_xlsx_names_no_one_and_still_opens_with_its_values():
    original = planted.xlsx_with_identity()
    planted_in = planted.leaks(planted.zip_views(original))
    for place in ("docProps/core.xml", "xl/workbook.xml", "xl/persons/person.xml", "xl/comments/comment1.xml",
                  "xl/threadedComments/threadedComment1.xml", "xl/revisions/userNames.xml"):
        assert any(f" in {place}" in leak for leak in planted_in), place
    clean = sanitize.strip_metadata(original, store.XLSX)
    assert planted.leaks(planted.zip_views(clean)) == []
    book = load_workbook(io.BytesIO(clean))
    sheet = book["预算"]
    assert sheet["A1"].value == "项目" and sheet["B1"].value == 120 and sheet["A1"].comment is None
    assert book.properties.creator != planted.NAME


def test_blind_images_keep_their_pixels_and_lose_their_text():
    for data, kind in ((planted.jpeg_with_exif(planted.NAME), store.JPEG), (planted.png_with_text(planted.NAME),
                                                                            store.PNG)):
        assert planted.leaks([("raw", data)])
        clean = sanitize.strip_metadata(data, kind)
        assert planted.leaks([("raw", clean)]) == []
        before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(clean))
        assert after.size == before.size and after.tobytes() == before.tobytes()


def _docx_with(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{planted.PKG}"><Relationship Id="r1" '
                                        f'Type="{planted.REL}/officeDocument" Target="word/document.xml"/></Relationships>')
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{planted.W}"><w:body/></w:document>')
        archive.writestr(name, content)
    return out.getvalue()


def test_a_zip_bomb_part_is_refused_from_the_directory_without_unpacking_it():
    bomb = _docx_with("word/media/image1.png", b"\0" * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(sanitize.Unsafe, match="times its packed size"):
        sanitize.strip_metadata(bomb, store.DOCX)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 5 * 1024 * 1024


def test_xml_with_a_doctype_is_refused_and_no_entity_is_expanded():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "' + planted.NAME.encode() + b'">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="' + planted.W.encode()
              + b'"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_with("word/styles.xml", b"<x/>"))) as source, \
            zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, laughs if info.filename == "word/document.xml" else source.read(info))
    with pytest.raises(sanitize.Unsafe, match="DOCTYPE"):
        sanitize.strip_metadata(out.getvalue(), store.DOCX)


def test_content_in_a_part_arena_does_not_know_is_refused_rather_than_lost():
    data = planted.xlsx_with_identity()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            name = info.filename.replace("worksheets/sheet1.xml", "worksheets/预算.xml")
            content = source.read(info).replace(b"/xl/worksheets/sheet1.xml", "/xl/worksheets/预算.xml".encode())
            target.writestr(name, content)
    with pytest.raises(sanitize.Unsafe, match="holds content"):
        sanitize.strip_metadata(out.getvalue(), store.XLSX)


def test_a_damaged_pdf_is_refused():
    with pytest.raises(sanitize.Unsafe):
        sanitize.strip_metadata(b"%PDF-1.7\n" + b"garbage " * 50, store.PDF)


async def test_the_blind_copy_is_made_once_in_a_worker_thread_and_kept(tmp_path, monkeypatch):
    original = planted.docx_with_identity()
    sha = store.save(tmp_path, original)
    real = sanitize.strip_metadata
    calls = []

    def slow(data: bytes, kind: store.Kind) -> bytes:
        calls.append(kind)
        time.sleep(0.3)  # CPU-bound work, as a big file is
        return real(data, kind)

    monkeypatch.setattr(sanitize, "strip_metadata", slow)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await anyio.sleep(0.01)

    async with anyio.create_task_group() as group:
        group.start_soon(ticker)
        first = await sanitize.blind_copy(tmp_path, sha, store.DOCX)
        group.cancel_scope.cancel()
    assert ticks >= 10, "the event loop was blocked while the copy was made"
    second = await sanitize.blind_copy(tmp_path, sha, store.DOCX)
    assert first == second and len(calls) == 1
    assert planted.leaks(planted.zip_views(second)) == []
    assert store.load(tmp_path, sha) == original  # the original is kept as uploaded


async def test_a_refusal_is_kept_too_and_never_yields_the_original(tmp_path, monkeypatch):
    sha = store.save(tmp_path, _docx_with("word/media/image1.png", b"\0" * (8 * 1024 * 1024)))
    with pytest.raises(sanitize.Unsafe):
        await sanitize.blind_copy(tmp_path, sha, store.DOCX)
    monkeypatch.setattr(sanitize, "strip_metadata", lambda *_: pytest.fail("rebuilt again"))
    with pytest.raises(sanitize.Unsafe, match="times its packed size"):
        await sanitize.blind_copy(tmp_path, sha, store.DOCX)
