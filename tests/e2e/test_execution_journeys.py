"""Browser journey of issue 7, on the demo data: a cadre objects during publicity (and stays
anonymous to the public), the organizer answers; the organizer awards a challenge whose publicity
is over, the winner signs the commitment and reports two milestones, which the organizer assesses;
the horse race's final checkpoint eliminates the last team; an acceptance panel is committed and
drawn (the inspector enters the lottery result), scores and grades the remaining project; every PDF on the way is fetched. Then issue 8: the record the
acceptance proposed is approved with a document number, the lead downloads the certificate from
the dossier and a visitor verifies it."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from arena.demo import CADRES, EXPERTS
from tests.e2e.conftest import LiveServer, log_in
from tests.e2e.draw_steps import enter_lottery_result, lottery_day_comes, publish_commitment, time_has_passed

pytestmark = pytest.mark.e2e

ACCOUNT = {name: f"expert{n}" for n, (name, *_rest) in enumerate(EXPERTS, start=1)}
CADRE_ACCOUNT = {name: f"cadre{n}" for n, (name, *_rest) in enumerate(CADRES, start=1)}
RUNNING, ENDED, HORSE = 14, 15, 17  # 农业科技特派员…（公示中）, 专利转化…（公示期满）, 高校院所…（赛马）
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def publicity_period_ends(database: Path, record_id: int) -> None:
    """The record's 公示 period is over (as if its working days had passed)."""
    with closing(sqlite3.connect(database, timeout=10)) as conn, conn:
        conn.execute("UPDATE record SET publicity_ends_at = '2020-01-01 00:00:00.000000' WHERE id = ?", (record_id,))
        time_has_passed(conn)


def log_out(page: Any) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")


def test_objection_award_signing_reports_checkpoint_and_acceptance(page: Any, artifacts: Path, tmp_path: Path,
                                                                  live_server: LiveServer) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    evidence = tmp_path / "证明材料.pdf"
    evidence.write_bytes(PDF)

    # A cadre objects during publicity, with evidence; the public never sees who.
    log_in(page, "cadre2")
    page.goto(f"/results/{RUNNING}")
    expect(page.locator("#hash-verified")).to_contain_text("一致")
    page.get_by_label("异议的事实和理由").fill("拟入选人牵头的同类项目去年未通过验收，请核实其实绩材料。")
    page.get_by_label("证明材料（可选，最多 5 个）").set_input_files(str(evidence))
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("异议已提交，发榜单位核实后会答复你")).to_be_visible()
    expect(page.get_by_text("待答复")).to_be_visible()
    log_out(page)
    page.goto(f"/results/{RUNNING}")
    expect(page.get_by_text("共收到异议 2 件")).to_be_visible()
    assert "王芳" not in page.content()  # cadre2 objected: not on the public page
    page.screenshot(path=str(artifacts / "results-public.png"), full_page=True)
    notice = page.request.get(f"/results/{RUNNING}/notice.pdf")
    assert notice.ok and notice.body().startswith(b"%PDF")

    # The organizer reads who objected, opens the evidence, and answers; award is still blocked.
    log_in(page, "organizer")
    page.goto(f"/organizer/challenges/{RUNNING}/publicity")
    objection = page.locator("article.objection", has=page.get_by_text("王芳"))
    expect(objection.get_by_role("link", name="证明材料.pdf")).to_be_visible()
    objection.get_by_label("异议不成立").check()
    objection.get_by_label("答复意见（异议人可见）").fill("经核实，该同类项目系其调任前由他人牵头，与本人实绩无关。")
    objection.get_by_role("button", name="答复异议").click()
    expect(page.get_by_text("异议已答复")).to_be_visible()
    expect(page.get_by_text("公示期至")).to_be_visible()  # the period still runs
    page.screenshot(path=str(artifacts / "organizer-publicity.png"), full_page=True)

    # A challenge whose publicity is over: the organizer confirms the award.
    page.goto(f"/organizer/challenges/{ENDED}/publicity")
    page.get_by_role("button", name="确定挂帅").click()
    expect(page.get_by_text("已确定挂帅")).to_be_visible()
    log_out(page)

    log_in(page, "cadre2")
    page.goto("/objections")
    expect(page.get_by_text("调任前由他人牵头")).to_be_visible()
    log_out(page)

    # The winner signs the commitment with their password, then reports two milestones.
    log_in(page, "cadre12")
    expect(page.get_by_text("军令状待签署")).to_be_visible()
    page.goto("/projects")
    page.get_by_role("link", name="专利转化“开放许可”试点").click()
    page.get_by_label("输入登录密码以签署").fill("wrong-password")
    page.get_by_role("button", name="签署军令状").click()
    expect(page.get_by_text("密码不正确，军令状未签署")).to_be_visible()
    page.get_by_label("输入登录密码以签署").fill("arena-demo")
    page.get_by_role("button", name="签署军令状").click()
    expect(page.get_by_text("军令状已签署，项目进入实施。")).to_be_visible()
    project_url = page.url.split("?")[0]
    letter = page.request.get(project_url + "/commitment.pdf")
    assert letter.ok and letter.body().startswith(b"%PDF")
    for index, (text, percent) in enumerate((("完成开放许可操作指引初稿并征求意见。", "100"),
                                             ("发布首批开放许可专利 120 件。", "40"))):
        milestone = page.locator("article.milestone").nth(index)
        milestone.get_by_text("报告进展").click()
        milestone.get_by_label("进展情况").fill(text)
        milestone.get_by_label("完成进度（%）").fill(percent)
        milestone.get_by_label("考核指标完成值").fill("见佐证材料")
        if index == 0:
            milestone.get_by_label("佐证材料（最多 5 个）").set_input_files(str(evidence))
        milestone.get_by_role("button", name="提交进展报告").click()
        expect(page.get_by_text("进展报告已提交，等待考核。")).to_be_visible()
    page.screenshot(path=str(artifacts / "project-lead.png"), full_page=True)
    log_out(page)

    # The organizer assesses both reports: the milestones turn completed and on track.
    log_in(page, "organizer")
    expect(page.get_by_text("进展报告待考核")).to_be_visible()
    for verdict, score in (("已完成", "91"), ("正常推进", "84.5")):
        page.goto("/assess")
        row = page.locator("tbody tr", has=page.get_by_text("专利转化“开放许可”试点")).first
        row.get_by_role("link", name="考核").click()
        page.get_by_label(verdict).check()
        page.get_by_label("得分（0–100）").fill(score)
        page.get_by_label("考核意见（挂帅人可见）").fill("按计划推进。")
        page.get_by_role("button", name="提交考核").click()
        expect(page.get_by_text("考核结论已提交")).to_be_visible()
    page.goto(f"/organizer/challenges/{ENDED}/execution")
    chips = page.locator(".chip")
    expect(chips.nth(0)).to_contain_text("已完成")
    expect(chips.nth(1)).to_contain_text("正常推进")

    # The horse race's final checkpoint: the last-ranked team is eliminated.
    page.goto(f"/organizer/challenges/{HORSE}/execution")
    expect(page.get_by_role("heading", name="当前排名（终期比选）")).to_be_visible()
    page.get_by_label(re.compile("末位淘汰：")).first.check()
    page.get_by_role("button", name="确定比选结果").click()
    expect(page.get_by_text("赛马节点比选已完成。")).to_be_visible()
    expect(page.locator(".tag", has_text="已淘汰")).to_have_count(2)
    page.screenshot(path=str(artifacts / "organizer-horse-race.png"), full_page=True)

    # Acceptance: commitment, draw, three experts score, the organizer closes and grades.
    # The inspector enters the named lottery's result on its day (issue 19).
    publish_commitment(page, f"/organizer/challenges/{HORSE}/acceptance", size="3", reserves="1")
    log_out(page)
    lottery_day_comes(live_server.var_dir / "e2e.db", HORSE, "acceptance")
    log_in(page, "inspector")
    enter_lottery_result(page, "高校院所成果中试熟化赛马攻坚")
    log_out(page)
    log_in(page, "organizer")
    page.goto(f"/organizer/challenges/{HORSE}/acceptance")
    rows = page.locator("#seats-title ~ .table-wrap tbody tr")
    members = [re.sub(r"\s*ZJ\d+.*$", "", rows.nth(i).locator("td").nth(1).inner_text().strip()) for i in range(3)]
    log_out(page)
    for name in members:
        log_in(page, ACCOUNT[name])
        page.goto("/review")
        invitation = page.locator(".invite-list li", has=page.get_by_text("高校院所成果中试熟化赛马攻坚"))
        invitation.get_by_role("button", name="接受").click()
        expect(page.get_by_text("已接受评审邀请")).to_be_visible()
        page.locator("tbody tr").filter(has=page.get_by_text("高校院所成果中试熟化赛马攻坚")).filter(
            has=page.locator(".tag", has_text="验收")).get_by_role("link").first.click()
        page.get_by_role("link", name="评分", exact=True).click()
        expect(page.get_by_role("heading", name="验收对象")).to_be_visible()
        for i, value in enumerate(("36", "26", "17", "9")):
            page.locator("input[data-points]").nth(i).fill(value)
        expect(page.locator("#sheet-total")).to_have_text("88")
        page.get_by_role("button", name="提交评分").click()
        expect(page.get_by_text("评分表已提交并锁定")).to_be_visible()
        log_out(page)
    log_in(page, "organizer")
    page.goto(f"/organizer/challenges/{HORSE}/acceptance")
    page.get_by_role("button", name="结束验收并评定等次").click()
    expect(page.get_by_text("验收已结束")).to_be_visible()
    expect(page.locator(".results-table .tag", has_text="良好")).to_be_visible()
    page.screenshot(path=str(artifacts / "organizer-acceptance.png"), full_page=True)
    report = page.request.get(f"/organizer/challenges/{HORSE}/acceptance/summary.pdf")
    assert report.ok and report.body().startswith(b"%PDF")
    page.goto(f"/challenges/{HORSE}/acceptance-draw")
    expect(page.locator("#draw-verified")).to_contain_text("抽取结果与专家组座位一致")

    # Records (issues 8 and 20): the acceptance proposed the 改革创新奖 for the remaining lead
    # (良好); the organizer gives a recommendation, the 组织部门 approves it into its 表彰公示, a
    # cadre objects and the department answers; when the period is over the record takes effect,
    # the lead downloads the certificate and a visitor verifies it.
    page.goto("/organizer/records")
    row = page.locator("tbody tr").filter(has_text="高校院所成果中试熟化赛马攻坚").filter(has_text="改革创新奖")
    expect(row).to_have_count(1)
    lead_name = row.locator("td").first.inner_text().strip()
    row.get_by_role("link").first.click()
    expect(page.get_by_text("验收良好")).to_be_visible()
    record_url = page.url
    expect(page.get_by_role("button", name="批准并公示")).to_have_count(0)  # only the 组织部门 decides
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("textbox", name="意见").fill("该同志带领团队完成中试熟化任务，验收良好，推荐给予改革创新奖。")
    page.get_by_role("button", name="提交意见").click()
    expect(page.get_by_text("意见已提交。")).to_be_visible()
    log_out(page)

    log_in(page, "orgdept")
    page.goto(record_url)
    expect(page.get_by_text("推荐给予改革创新奖")).to_be_visible()
    expect(page.get_by_role("heading", name="项目清单")).to_be_visible()  # the cadre's whole dossier
    page.get_by_label("文号").fill("组干〔2026〕40号")
    page.get_by_label("发文日期").fill(page.evaluate("new Date().toISOString().slice(0, 10)"))
    page.get_by_role("button", name="批准并公示").click()
    expect(page.get_by_text("已批准，进入公示。")).to_be_visible()
    expect(page.locator("#record-status")).to_contain_text("公示中")
    record_id = int(record_url.rstrip("/").rsplit("/", 1)[1])
    log_out(page)

    log_in(page, "cadre3")
    page.goto(f"/publicity/records/{record_id}")
    page.get_by_label("异议的事实和理由").fill("该团队中试项目数量统计口径与验收报告不一致，请核实。")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("异议已提交，组织部门核实后将答复你。")).to_be_visible()
    log_out(page)
    page.goto(f"/publicity/records/{record_id}")
    expect(page.locator("#objection-count")).to_contain_text("共收到异议 1 件")
    assert CADRES[2][0] not in page.content()  # cadre3 objected: never on the public page
    notice = page.request.get(f"/publicity/records/{record_id}/notice.pdf")
    assert notice.ok and notice.body().startswith(b"%PDF")

    log_in(page, "orgdept")
    page.goto(record_url)
    page.get_by_label("异议不成立").check()
    page.get_by_label("答复意见（异议人可见；异议成立时作为撤回理由公开）").fill(
        "经核实，统计口径已在验收报告附表中说明，异议不成立。")
    page.get_by_role("button", name="提交答复").click()
    expect(page.get_by_text("异议已答复。")).to_be_visible()
    publicity_period_ends(live_server.var_dir / "e2e.db", record_id)
    page.reload()
    page.get_by_role("button", name="确认生效").click()
    expect(page.locator("#record-status")).to_contain_text("已生效")
    page.screenshot(path=str(artifacts / "orgdept-record-effective.png"), full_page=True)
    log_out(page)
    log_in(page, CADRE_ACCOUNT[lead_name])
    page.goto("/dossier")
    records = page.locator("#records tbody tr").filter(has_text="组干〔2026〕40号")
    expect(records).to_contain_text("改革创新奖")
    code = records.locator(".mono").inner_text().strip()
    link = records.get_by_role("link", name="下载证书")
    assert link.get_attribute("href") == f"/certificates/{code}.pdf"
    certificate = page.request.get(f"/certificates/{code}.pdf")  # what the link opens, with the cadre's session
    assert certificate.ok and certificate.body().startswith(b"%PDF")
    assert code in certificate.headers["content-disposition"]
    page.screenshot(path=str(artifacts / "cadre-dossier.png"), full_page=True)
    log_out(page)
    page.goto("/verify")
    page.get_by_label("验证码").fill(f"{code[:4]}-{code[4:8]}-{code[8:]}".lower())
    page.get_by_role("button", name="核验").click()
    expect(page.locator("#verdict")).to_contain_text("真实有效")
    expect(page.get_by_text(lead_name).first).to_be_visible()
    page.screenshot(path=str(artifacts / "visitor-verifies-certificate.png"), full_page=True)
