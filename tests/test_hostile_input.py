"""Hostile input (issue 26): text that looks like a formula stays text in every Excel export; a
field of megabytes is refused with a message, not echoed; an upload that unpacks to far more
than it weighs is refused at upload; an oversized workbook is refused before it is parsed."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from arena import PROJECT_ROOT, i18n, offload
from arena.auth.models import Role
from arena.excel import (
    FORMULA_PREFIXES,
    WorkbookLimits,
    WorkbookTooLarge,
    check_workbook_limits,
    new_workbook,
    workbook_bytes,
)
from arena.files import store
from arena.files.service import check_upload
from arena.units.importer import ImportRejected, build_template, open_workbook
from arena.units.models import Expert
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.conftest import as_user
from tests.factories import make_field, make_user
from tests.review.factories import make_review
from tests.review.test_review_flow import _accept_all, _score_everything, drawn

HOSTILE_CELLS = ['=HYPERLINK("http://evil.example","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
                 "\t=1+1", "\r=1+1"]


def _assert_text_only(data: bytes) -> list[str]:
    """Every cell of every sheet: no formula, and a quote prefix on text that could start one."""
    book = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    return texts


def test_the_shared_workbook_helper_writes_every_formula_prefix_as_text():
    book = new_workbook()
    sheet = book.active
    for value in HOSTILE_CELLS:
        sheet.append([value, "普通文字", 42])
    texts = _assert_text_only(workbook_bytes(book))
    assert texts.count("普通文字") == len(HOSTILE_CELLS)
    assert '=HYPERLINK("http://evil.example","点我")' in texts and "@SUM(A1:A2)" in texts
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


def test_every_excel_export_builds_its_workbook_with_the_shared_helper():
    """Workbooks are made (and saved) only in arena/excel.py: an export cannot skip the helper."""
    offenders = []
    for path in (PROJECT_ROOT / "src" / "arena").rglob("*.py"):
        if path.name == "excel.py" or "bench" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"\bWorkbook\(\)|\bbook\.save\(", text):
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert not offenders


def test_the_import_template_is_written_through_the_helper():
    _assert_text_only(build_template("=示例单位", ["=领域"]))


async def test_an_organizers_formula_title_is_text_in_the_challenge_export(app, db, browser):
    organizer = await make_organizer(db, "org")
    for value in HOSTILE_CELLS:
        await make_challenge(db, organizer, title=value.replace("\r", "").replace("\t", ""))
    await db.commit()
    await browser.login("org")
    export = await browser.get("/organizer/challenges/export.xlsx")
    assert export.status_code == 200
    texts = _assert_text_only(export.content)
    assert '=HYPERLINK("http://evil.example","点我")' in texts


async def test_a_field_of_megabytes_comes_back_as_a_message_not_echoed(app, db):
    await make_user(db, "root", Role.ADMIN)
    await db.commit()
    admin = await as_user(app, "root")
    response = await admin.post("/admin/units", {"code": "U1", "name": "水" * 1_500_000, "parent_id": ""})
    assert response.status_code == 400
    assert "内容过长：最多 20000 个字符（提交了 1500000 个）" in response.text
    assert len(response.content) < 200_000  # not the 4.5 MB that were sent
    assert 'name="code"' in response.text and 'value="U1"' in response.text  # the form is back


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_upload_that_unpacks_to_far_more_than_it_weighs_is_refused_at_upload():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * (30 * 1024 * 1024)})
    with pytest.raises(store.UploadRejected, match=r"压缩比异常.*最多 100 倍"):
        check_upload("方案.docx", bomb)
    huge = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * (store.UPLOAD_UNPACKED + 1)})
    with pytest.raises(store.UploadRejected, match="解压后超过 100 MB"):
        check_upload("方案.docx", huge)
    ordinary = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": "<w:t>正文</w:t>".encode() * 100})
    assert check_upload("方案.docx", ordinary) is store.DOCX


@pytest.mark.parametrize(("limits", "message"), [
    (WorkbookLimits(rows=2), "表格过大：行数超过 2 行"),
    (WorkbookLimits(cells=5), "表格过大：单元格超过 5 个"),
    (WorkbookLimits(part_bytes=1000), "表格过大：其中一个部分解压后超过 0 MB"),
])
def test_a_workbook_past_a_limit_is_refused_before_it_is_parsed(limits, message):
    data = build_template("单位", ["领域"])
    with pytest.raises(WorkbookTooLarge) as refused:
        check_workbook_limits(data, limits)
    assert refused.value.message == message
    check_workbook_limits(data)  # the template itself is well within the stated limits


def test_the_import_names_the_limit_a_workbook_passes():
    strings = "".join(f"<si><t>{i}</t></si>" for i in range(100_001))
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/sharedStrings.xml": f"<sst>{strings}</sst>".encode()})
    with pytest.raises(ImportRejected) as refused:
        open_workbook(data)
    assert refused.value.problems[0].message == "表格过大：共享字符串超过 100000 条"


# --- workbooks are read in a child process (arena.offload.run_in_process) ----------------------

@pytest.fixture
def small_child(monkeypatch):
    """A child capped at 512 MiB, started afresh for the test and stopped after it."""
    offload.shutdown()
    monkeypatch.setattr(offload, "CHILD_MEMORY", 512 * 1024 * 1024)
    yield
    offload.shutdown()


async def test_a_file_that_exhausts_the_child_is_refused_and_the_next_one_is_read_by_a_new_child(small_child):
    limiter = offload.CapacityLimiter(1)
    with pytest.raises(offload.ChildFailed):
        await offload.run_in_process(limiter, bytearray, 1024 * 1024 * 1024)  # past the child's cap
    assert await offload.run_in_process(limiter, len, b"abc") == 3


async def test_messages_made_in_the_child_are_in_the_readers_language(small_child):
    token = i18n.current_locale.set("en")
    try:
        said = await offload.run_in_process(offload.CapacityLimiter(1), i18n.gettext, "表格过大或格式异常，无法读取")
    finally:
        i18n.current_locale.reset(token)
    assert said == "The workbook is too large or malformed and cannot be read"


async def test_a_workbook_that_kills_the_child_is_refused_on_the_page_with_the_form_back(app, db, monkeypatch):
    async def dies(*_args: object) -> None:
        raise offload.ChildFailed("read_and_pack")

    monkeypatch.setattr(offload, "run_in_process", dies)
    await make_user(db, "admin-h26", Role.ADMIN)
    await db.commit()
    admin = await as_user(app, "admin-h26")
    files = {"file": ("people.xlsx", build_template("单位", ["领域"]), "application/octet-stream")}
    people = await admin.client.post("/admin/people/import", files=files, data={"_csrf_token": await admin.csrf()})
    calendar = await admin.client.post("/admin/calendar/import", files=files, data={"_csrf_token": await admin.csrf()})
    assert people.status_code == 400 and "表格过大或格式异常，无法读取" in people.text
    assert 'type="file"' in people.text
    assert "表格过大或格式异常，无法读取" in calendar.text and 'type="file"' in calendar.text


async def test_formula_titles_and_field_names_are_text_in_every_statistics_export(app, db, browser):
    organizer = await make_organizer(db, "org")
    field = await make_field(db, "=领域+1")
    for value in HOSTILE_CELLS:
        await make_challenge(db, organizer, title=value.replace("\r", "").replace("\t", ""), field=field)
    await db.commit()
    await browser.login("org")
    seen: list[str] = []
    for name in ("challenges", "bids", "award", "priorities", "records"):
        export = await browser.get(f"/organizer/reports/{name}.xlsx")
        assert export.status_code == 200, name
        seen += _assert_text_only(export.content)
    assert "=领域+1" in seen and "@SUM(A1:A2)" in seen


async def test_an_experts_formula_name_is_text_in_the_score_summary(app, db):
    review = await make_review(db, experts=5)
    for expert in (await db.scalars(select(Expert).where(Expert.id.in_(review.experts.values())))).all():
        expert.name = '=HYPERLINK("http://evil.example","专家")'
    await db.commit()
    org, panel = await drawn(app, db, review)
    panel_id = panel.id
    browsers = await _accept_all(app, db, panel_id, review)
    await _score_everything(app, db, review, panel_id, browsers)
    assert (await org.post(f"/organizer/challenges/{review.challenge_id}/review/close", {})).status_code == 303
    summary = await org.get(f"/organizer/challenges/{review.challenge_id}/review/summary.xlsx")
    assert summary.status_code == 200
    assert '=HYPERLINK("http://evil.example","专家")' in _assert_text_only(summary.content)
