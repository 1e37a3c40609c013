"""Browser journey of issue 4: an organizer drafts a challenge with the rubric editor, previews,
publishes and amends it; a visitor finds it by a Chinese word; a cadre reads the eligibility."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

BEIJING = ZoneInfo("Asia/Shanghai")


def local(days: int, hour: int) -> str:
    moment = (datetime.now(BEIJING) + timedelta(days=days)).replace(hour=hour, minute=0)
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_organizer_drafts_publishes_and_amends_then_visitor_and_cadre_read_it(page: Any, artifacts: Path) -> None:
    word = "".join(random.choice("松柏桐桂槐楠杉榕桦枫") for _ in range(4))  # a search word only this run uses
    title = f"{word}智慧园区揭榜攻坚"
    log_in(page, "organizer")
    page.get_by_role("link", name="我的发榜").click()
    page.get_by_role("link", name="新建榜单").click()
    page.get_by_label("榜单名称").fill(title)
    page.get_by_label("项目背景").fill(f"{word}园区企业服务分散，需要统一的数字化平台。")
    page.get_by_label("目标与考核指标").fill("一年内入驻企业线上办事率达到 90%。")
    page.get_by_label("交付成果").fill("园区服务平台；运行报告。")
    page.get_by_label("领域", exact=True).select_option(label="数字政府")
    unit = page.locator("#f-owner_unit_id option", has_text="江州市数据局").get_attribute("value")
    page.get_by_label("发榜单位").select_option(value=unit)
    page.get_by_label("经费预算（万元）").fill("300")
    page.get_by_label("实施周期（月）").fill("12")
    page.get_by_label("揭榜开始时间").fill(local(-1, 9))
    page.get_by_label("揭榜截止时间").fill(local(10, 17))
    page.get_by_label("合格线", exact=True).fill("60")

    # The rubric editor: fill, add a row with htmx, watch the live total, reorder.
    page.get_by_label("第 1 项名称").fill("方案可行性")
    page.get_by_label("第 1 项分值").fill("40")
    page.get_by_role("button", name="添加评分项").click()
    page.get_by_label("第 2 项名称").fill("团队能力")
    page.get_by_label("第 2 项分值").fill("60")
    expect(page.locator("#rubric-total")).to_contain_text("合计 100 分 / 满分 100 分")
    page.get_by_role("button", name="下移第 1 项").click()
    expect(page.get_by_label("第 1 项名称")).to_have_value("团队能力")
    page.get_by_label("节点 1 名称", exact=True).fill("完成平台上线")
    page.get_by_label("节点 1 月数", exact=True).fill("6")
    page.screenshot(path=str(artifacts / "organizer-draft-form.png"), full_page=True)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()

    page.get_by_role("link", name="预览").click()
    expect(page.get_by_text("这是预览")).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.go_back()
    page.screenshot(path=str(artifacts / "organizer-publish-check.png"), full_page=True)
    page.get_by_role("button", name="确认发布").click()
    expect(page.get_by_text("榜单已发布。")).to_be_visible()
    challenge_url = page.get_by_role("link", name="查看公开页面").get_attribute("href")

    page.get_by_role("link", name="发布更正公告").click()
    page.get_by_label("更正原因").fill("应园区企业要求，截止时间延后三天。")
    page.get_by_label("揭榜截止时间").fill(local(13, 17))
    page.get_by_role("button", name="发布更正公告").click()
    expect(page.get_by_text("更正公告已发布。")).to_be_visible()
    page.screenshot(path=str(artifacts / "organizer-manage.png"), full_page=True)
    page.get_by_role("button", name="退出").click()

    # A visitor, not logged in, finds it by the Chinese word and reads the amendment.
    page.goto("/challenges")
    page.get_by_label("关键词").fill(word)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name="更正公告", exact=True)).to_be_visible()
    expect(page.get_by_text("应园区企业要求，截止时间延后三天。")).to_be_visible()
    assert page.url.endswith(challenge_url or "")

    # A cadre sees whether they may bid, rule by rule.
    log_in(page, "cadre1")
    page.goto(challenge_url or "/challenges")
    expect(page.get_by_role("heading", name="你是否可以揭榜")).to_be_visible()
    page.screenshot(path=str(artifacts / "cadre-eligibility.png"), full_page=True)
