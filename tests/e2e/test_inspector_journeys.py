"""Browser journey of issue 22 (the inspector's week), on the demo data: the inspector filters the
audit log by a Chinese action name and a date range, reads the rows in words and downloads the
filtered export; then opens the fault-tolerance request waiting for an opinion and is told, with
the form kept, what the considerations still need. axe on both pages."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, blocking, describe
from tests.e2e.conftest import LiveServer, log_in

pytestmark = pytest.mark.e2e


def test_the_inspector_filters_and_exports_the_audit_log_and_weighs_a_tolerance_request(
        page: Any, artifacts: Path, live_server: LiveServer) -> None:
    log_in(page, "inspector")
    page.goto("/audit")
    found = blocking(axe_violations(page))
    assert not found, describe(found)

    first, last = date.today() - timedelta(days=200), date.today()
    page.get_by_label("开始日期").fill(first.isoformat())
    page.get_by_label("结束日期").fill(last.isoformat())
    page.get_by_label("操作", exact=True).select_option("挂帅")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/audit?**")
    rows = page.locator("table.audit-table tbody tr")
    expect(rows.first).to_contain_text("挂帅")
    assert rows.count() > 0
    for text in rows.all_inner_texts():
        shown = date.fromisoformat(text.split()[1])  # 序号, then the time
        assert first <= shown <= last and "挂帅" in text
    expect(page.locator("table.audit-table").get_by_text("公示中 → 实施中").first).to_be_visible()
    expect(page.get_by_label("操作", exact=True)).to_have_value("挂帅")  # the filter is kept
    page.screenshot(path=str(artifacts / "audit-filtered.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 CSV").click()
    body = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(body)))
    header, data = records[1], records[2:]
    assert len(data) == rows.count() and {"seq", "prev_hash", "hash"} <= set(header)
    assert all(row[header.index("操作")].endswith("挂帅") for row in data)
    with page.expect_download() as workbook:
        page.get_by_role("link", name="导出 Excel").click()
    assert workbook.value.suggested_filename.endswith(".xlsx")

    # The request waiting for an opinion: the considerations are required and none is chosen.
    page.goto("/inspector/tolerance")
    page.locator("table a[href^='/inspector/tolerance/']").first.click()
    expect(page.get_by_role("heading", name="出具意见")).to_be_visible()
    found = blocking(axe_violations(page))
    assert not found, describe(found)
    page.get_by_role("group", name="依规依纪").get_by_label("是", exact=True).check()
    page.get_by_role("group", name="依规依纪").get_by_label("说明（选填）").fill("有上级通知为据")
    page.get_by_label("其他意见（选填）").fill("待补充合同违约追责材料。")
    page.get_by_role("button", name="提交意见").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择“未谋私利”：是、否或不明确")
    expect(page.get_by_role("alert")).to_contain_text("请选择建议予以容错或建议不予容错")
    expect(page.get_by_role("group", name="依规依纪").get_by_label("是", exact=True)).to_be_checked()
    expect(page.get_by_label("其他意见（选填）")).to_have_value("待补充合同违约追责材料。")
    found = blocking(axe_violations(page))
    assert not found, describe(found)
    page.screenshot(path=str(artifacts / "tolerance-opinion-errors.png"), full_page=True)
    page.goto("/inspector/tolerance?status=answered")
    expect(page.get_by_role("link", name="已提出意见")).to_have_attribute("aria-current", "page")
