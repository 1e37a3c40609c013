"""Browser journey of issue 20 §2, on the demo data: the 诫勉 proposed by last year's 不合格
acceptance is in its hearing (陈述申辩) with the lead's statement filed; the lead revises it and
waives the rest of the period, the 组织部门 reads the statement beside the proposal and decides
with its reason, and the lead reads the decision — never the opinions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

LEAD = "cadre1"  # 社区科普阵地提档升级, accepted 不合格


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")


def test_an_admonishment_is_decided_after_the_cadre_is_heard(page: Any, artifacts: Path) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, LEAD)
    page.goto("/my/records")
    page.get_by_role("link", name="诫勉").first.click()
    expect(page.locator("#record-status")).to_contain_text("陈述申辩中")
    record_url = page.url
    record_id = int(record_url.rstrip("/").rsplit("/", 1)[1])
    statement = page.get_by_label("陈述和申辩的事实与理由")
    statement.fill(statement.input_value() + "补充：第三节点延误系施工单位违约所致，已追究违约责任。")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#statement-text")).to_contain_text("已追究违约责任")
    page.get_by_role("button", name="放弃陈述申辩").click()
    expect(page.locator("#hearing")).to_contain_text("放弃")
    page.screenshot(path=str(artifacts / "cadre-hearing.png"), full_page=True)
    log_out(page)

    log_in(page, "orgdept")
    page.goto(f"/records/{record_id}")
    expect(page.locator("#statement")).to_contain_text("已追究违约责任")
    page.get_by_label("文号").fill("组干〔2026〕41号")
    page.get_by_label("发文日期").fill(page.evaluate("new Date().toISOString().slice(0, 10)"))
    page.get_by_label("决定理由").fill("项目验收不合格，主要目标未完成；考虑施工单位违约等客观因素，予以诫勉。")
    page.get_by_role("button", name="作出决定").click()
    expect(page.locator("#record-status")).to_contain_text("已生效")
    page.screenshot(path=str(artifacts / "orgdept-decision.png"), full_page=True)
    log_out(page)

    log_in(page, LEAD)
    page.goto(f"/my/records/{record_id}")
    expect(page.locator("#outcome")).to_contain_text("组干〔2026〕41号")
    expect(page.locator("#outcome")).to_contain_text("考虑施工单位违约等客观因素")
    expect(page.get_by_text("意见", exact=True)).to_have_count(0)
