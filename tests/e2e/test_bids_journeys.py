"""Browser journey of issue 5: a cadre forms a team, drafts with autosave, submits and gets the
receipt; the inspector vetoes one bid and the organizer qualifies another; each cadre sees the
outcome — the vetoed one without the confidential reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations, blocking, describe
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

SECRET = "反映其兼职取酬问题正在核查"


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")


def test_cadre_bids_with_a_team_and_submits(page: Any, artifacts: Path) -> None:
    log_in(page, "cadre1")
    page.goto("/challenges/1")  # 数字政府“一网通办”, open, cadre1 eligible
    page.get_by_role("button", name="我要揭榜").click()
    page.wait_for_url("**/bids/*")
    bid_url = page.url
    page.get_by_label("实施方案").fill("一、梳理高频事项；二、建设统一受理平台；三、分批上线并评估。")
    expect(page.locator("#autosave-status")).to_contain_text("已自动保存", timeout=10_000)
    page.get_by_label("承诺事项").fill("按期完成全部节点，接受组织考核。")
    for n in (1, 2, 3):
        page.get_by_label(f"节点 {n} 考核指标").fill(f"第 {n} 阶段指标全部达成")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    page.get_by_label("成员工号").fill("GB0003")
    page.get_by_label("分工").fill("负责数据对接")
    page.get_by_role("button", name="邀请", exact=True).click()
    expect(page.get_by_text("待确认")).to_be_visible()
    log_out(page)

    log_in(page, "cadre3")
    expect(page.get_by_text("团队邀请待确认")).to_be_visible()
    page.goto("/bids")
    page.get_by_role("button", name="确认加入").click()
    expect(page.locator(".invite-list").get_by_text("已确认")).to_be_visible()
    log_out(page)

    log_in(page, "cadre1")
    page.goto(bid_url)
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_text("已提交。回执已生成")).to_be_visible()
    page.screenshot(path=str(artifacts / "bid-submitted.png"), full_page=True)
    receipt = page.request.get(page.get_by_role("link", name="下载回执（PDF）").get_attribute("href") or "")
    assert receipt.ok and receipt.body().startswith(b"%PDF")


def test_inspector_vetoes_organizer_qualifies_and_cadres_see_the_outcome(page: Any, artifacts: Path) -> None:
    log_in(page, "inspector")
    page.get_by_role("link", name="廉政审查", exact=True).click()
    page.get_by_role("link", name="营商环境“无感审批”试点").click()
    vetted = page.locator("section", has=page.get_by_role("heading", name="朱琳"))
    vetted.get_by_label("否决理由").fill(SECRET)
    vetted.get_by_role("button", name="一票否决").click()
    expect(page.locator("section", has=page.get_by_role("heading", name="朱琳")).get_by_text("已一票否决")
           ).to_be_visible()
    log_out(page)

    log_in(page, "organizer")
    page.goto("/organizer/challenges")
    page.get_by_role("link", name="营商环境“无感审批”试点").click()
    page.get_by_role("link", name="资格审查", exact=True).click()
    vetoed = page.locator("tbody tr", has=page.get_by_role("rowheader", name="朱琳"))
    expect(vetoed.locator(".qual-vet")).to_have_text("一票否决")  # the flag in the table
    vetoed.locator("summary").click()
    expect(vetoed.get_by_text(SECRET)).to_be_visible()  # organizers see the reason in the row's details
    row = page.locator("tbody tr", has=page.get_by_role("rowheader", name="杨帆"))
    row.locator("summary").click()
    row.get_by_role("button", name="通过", exact=True).click()  # the single decision still works
    expect(page.locator("tbody tr", has=page.get_by_role("rowheader", name="杨帆")).locator(".qual-decision .tag")
           ).to_have_text("资格审查通过")
    page.screenshot(path=str(artifacts / "organizer-qualification.png"), full_page=True)
    log_out(page)

    log_in(page, "cadre14")
    page.goto("/bids")
    page.get_by_role("link", name="营商环境“无感审批”试点").click()
    expect(page.get_by_role("heading", name="资格审查结果")).to_be_visible()
    expect(page.locator(".outcome")).to_contain_text("资格审查未通过")
    assert SECRET not in page.content() and "一票否决" not in page.content()
    page.goto("/inbox")
    assert SECRET not in page.content()
    log_out(page)

    log_in(page, "cadre6")
    page.goto("/bids")
    page.get_by_role("link", name="营商环境“无感审批”试点").click()
    expect(page.locator(".outcome")).to_contain_text("资格审查通过")


def accessible(page: Any) -> None:
    found = blocking(axe_violations(page))
    assert not found, f"{page.url}:\n{describe(found)}"


def test_organizer_decides_selected_bids_at_once_with_one_reason(page: Any, artifacts: Path) -> None:
    """After the journey above: 王芳 and 杨帆 qualified, 吴敏 disqualified, 徐涛 and 朱琳 vetoed."""
    log_in(page, "organizer")
    page.goto("/organizer/challenges")
    page.get_by_role("link", name="营商环境“无感审批”试点").click()
    expect(page.get_by_role("navigation", name="榜单进程").locator('[aria-current="step"]')).to_contain_text("资格审查")
    accessible(page)
    for later in ("专家评审", "结果公示", "项目实施", "验收"):  # later stages are not offered
        expect(page.locator(".page-head .actions").get_by_role("link", name=later, exact=True)).to_have_count(0)
    page.locator(".page-head .actions").get_by_role("link", name="资格审查", exact=True).click()
    accessible(page)
    expect(page.get_by_role("checkbox", name="选择 JB-2026-0005-B003 徐涛")).to_have_count(0)  # vetoed: no box

    # Refusing two without a reason: nothing changes, the ticks stay.
    page.get_by_role("checkbox", name="选择 JB-2026-0005-B001 王芳").check()
    page.get_by_role("checkbox", name="选择 JB-2026-0005-B004 杨帆").check()
    page.get_by_role("button", name="批量不予通过").click()
    expect(page.get_by_text("批量不予通过须写明原因")).to_be_visible()
    expect(page.get_by_role("checkbox", name="选择 JB-2026-0005-B004 杨帆")).to_be_checked()
    page.get_by_label("审查意见（对所选揭榜统一适用").fill("复核：节点任务与榜单要求不符")
    page.get_by_role("button", name="批量不予通过").click()
    expect(page.get_by_text("已对 2 份揭榜作出结论。")).to_be_visible()

    # Then three at once, qualified with one reason; each is decided (and audited) on its own.
    for who in ("B001 王芳", "B002 吴敏", "B004 杨帆"):
        page.get_by_role("checkbox", name=f"选择 JB-2026-0005-{who}").check()
    page.get_by_label("审查意见（对所选揭榜统一适用").fill("补充材料齐全，复核通过")
    page.get_by_role("button", name="批量通过资格审查").click()
    expect(page.get_by_text("已对 3 份揭榜作出结论。")).to_be_visible()
    for who in ("王芳", "吴敏", "杨帆"):
        row = page.locator("tbody tr", has=page.get_by_role("rowheader", name=who))
        expect(row.locator(".qual-decision .tag")).to_have_text("资格审查通过")
        expect(row.locator(".qual-reason")).to_have_text("补充材料齐全，复核通过")
    page.screenshot(path=str(artifacts / "organizer-bulk-qualification.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "organizer-bulk-qualification-390.png"), full_page=True)
    accessible(page)
