"""The organizer's side: drafting with the rubric editor, publishing, amending, cancelling, rounds."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.bids.models import Bid, BidStatus
from arena.challenges.models import Amendment, Challenge, ChallengeStatus, MilestoneTemplate
from arena.units.models import Rank
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.factories import make_cadre, make_field, make_unit, make_user


@pytest.fixture
async def world(db):
    organizer = await make_organizer(db, "org")
    unit = await make_unit(db, "江州市数据局")
    fld = await make_field(db, "数字政府")
    await db.commit()
    return {"organizer": organizer, "unit": unit, "field": fld}


@pytest.fixture
async def org(browser, world):
    await browser.login("org")
    return browser


def complete_form(world, **change):
    data = {
        "title": "数字政府一网通办改造", "background": "全市政务服务事项分散在 40 多个系统。",
        "goals": "一网通办率达到 95%。", "deliverables": "统一受理平台；运行报告。",
        "field_id": str(world["field"].id), "owner_unit_id": str(world["unit"].id), "budget": "800",
        "reward": "实绩记入档案。", "duration_months": "18", "mode": "single",
        "rank_min": Rank.DEPUTY_SECTION.value, "rank_max": Rank.DIVISION.value, "age_limit": "45",
        "bid_opens_at": "2026-11-20T09:00", "bid_closes_at": "2026-12-20T17:00",
        "pass_score": "60", "aggregation": "trimmed_mean", "blind_review": "1", "panel_size": "5",
        "panel_reserves": "2", "grade_excellent": "90", "grade_good": "80", "grade_qualified": "60",
        "criteria-0-name": "方案可行性", "criteria-0-points": "40", "criteria-0-guidance": "路线清晰",
        "criteria-1-name": "团队能力", "criteria-1-points": "35", "criteria-1-guidance": "",
        "criteria-2-name": "保障措施", "criteria-2-points": "25", "criteria-2-guidance": "",
        "milestones-0-title": "完成需求调研", "milestones-0-due_month": "2", "milestones-0-deliverable": "调研报告",
        "tolerance-0-description": "因上级政策调整导致目标无法实现的",
    }
    return data | change


async def fresh(db, challenge_id: int) -> Challenge:
    """The challenge as the app left it (a new read: the test session's snapshot is dropped)."""
    await db.rollback()
    db.expunge_all()
    return await db.get(Challenge, challenge_id)


async def _create(org, db, data) -> Challenge:
    response = await org.post("/organizer/challenges/new", data)
    assert response.status_code == 303, response.text
    await db.rollback()
    db.expunge_all()
    return await db.scalar(select(Challenge).order_by(Challenge.id.desc()).limit(1))


async def test_organizer_drafts_previews_and_publishes_a_challenge(org, db, world):
    challenge = await _create(org, db, complete_form(world))
    assert challenge.status == "draft" and challenge.number is None
    manage = await org.get(f"/organizer/challenges/{challenge.id}")
    assert "确认发布" in manage.text
    preview = await org.get(f"/organizer/challenges/{challenge.id}/preview")
    assert "数字政府一网通办改造" in preview.text and "方案可行性" in preview.text
    assert (await org.get(f"/challenges/{challenge.id}")).status_code == 200  # the owner sees the draft
    published = await org.post(f"/organizer/challenges/{challenge.id}/publish")
    assert published.status_code == 303
    challenge = await fresh(db, challenge.id)
    assert challenge.status == "published" and challenge.number == "JB-2026-0001"
    assert challenge.bid_closes_at.isoformat().startswith("2026-12-20T09:00")  # 17:00 Beijing, stored in UTC
    events = (await db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "challenge"))).all()
    assert list(events) == ["challenge.create", "challenge.publish"]
    await org.logout()
    public = await org.get(f"/challenges/{challenge.id}")
    assert public.status_code == 200 and "JB-2026-0001" in public.text


async def test_publishing_an_incomplete_draft_lists_what_is_missing(org, db, world):
    challenge = await _create(org, db, {"title": "只写了标题", "panel_size": "5", "panel_reserves": "2",
                                        "grade_excellent": "90", "grade_good": "80", "grade_qualified": "60"})
    page = await org.get(f"/organizer/challenges/{challenge.id}")
    for missing in ("请填写项目背景", "请选择领域", "请设置揭榜开始和截止时间", "请填写评分细则", "请至少设置一个节点任务"):
        assert missing in page.text
    refused = await org.post(f"/organizer/challenges/{challenge.id}/publish")
    assert refused.status_code == 400 and "还不能发布" in refused.text
    assert (await fresh(db, challenge.id)).status == "draft"


async def test_rubric_total_must_equal_the_maximum_to_publish(org, db, world):
    challenge = await _create(org, db, complete_form(world, **{"criteria-2-points": "20"}))
    page = await org.get(f"/organizer/challenges/{challenge.id}")
    assert "评分细则总分为 95 分，须等于满分 100 分" in page.text
    assert (await org.post(f"/organizer/challenges/{challenge.id}/publish")).status_code == 400


BAD = [
    ({"title": "题" * 10000}, "title", "最多 200 个字符"),
    ({"title": ""}, "title", "请填写榜单名称"),
    ({"title": "<script>alert(1)</script>"}, "title", "HTML"),
    ({"budget": "-5"}, "budget", "不能小于 0"),
    ({"budget": "很多"}, "budget", "必须是数字"),
    ({"bid_closes_at": "2026-11-01T09:00"}, "bid_closes_at", "截止时间必须晚于开始时间"),
    ({"bid_opens_at": "昨天"}, "bid_opens_at", "不是有效的日期时间"),
    ({"rank_min": Rank.DIVISION.value, "rank_max": Rank.SECTION.value}, "rank_max", "最高职级不能低于最低职级"),
    ({"panel_size": "4"}, "panel_size", "奇数"),
    ({"grade_good": "95"}, "grade_good", "优秀线 &gt; 良好线 &gt; 合格线"),
    ({"criteria-1-points": "abc"}, "criteria", "分值须为 0 到 100"),
    ({"field_id": "1; DROP TABLE challenge"}, "field_id", "选项无效"),
    ({"field_id": "99999"}, "field_id", "领域不存在"),
    ({"milestones-0-due_month": "0"}, "milestones", "月数"),
    ({"age_limit": "😀"}, "age_limit", "必须是整数"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD, ids=[f"{f}-{m}" for _c, f, m in BAD])
async def test_bad_draft_input_is_shown_beside_the_field_and_nothing_is_saved(org, db, world, change, field,
                                                                               message):
    data = complete_form(world, **change, reward="奖励😀保留")
    response = await org.post("/organizer/challenges/new", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text and message in response.text
    assert "奖励😀保留" in response.text  # the form comes back filled in
    assert "<script>alert(1)</script>" not in response.text
    assert await db.scalar(select(func.count()).select_from(Challenge)) == 0


async def test_rubric_editor_adds_moves_and_removes_without_javascript(org, db, world):
    data = complete_form(world, rubric_action="down:0")
    page = await org.post("/organizer/challenges/new", data)
    assert page.status_code == 200
    assert page.text.index('value="团队能力"') < page.text.index('value="方案可行性"')
    removed = await org.post("/organizer/challenges/new", complete_form(world, rubric_action="remove:2"))
    assert 'value="保障措施"' not in removed.text and "合计 75 分" in removed.text
    added = await org.post("/organizer/challenges/new", complete_form(world, rubric_action="add"))
    assert 'id="criteria-3-name"' in added.text
    assert await db.scalar(select(func.count()).select_from(Challenge)) == 0  # editing the rubric saves nothing


async def test_adding_criteria_to_a_blank_rubric_adds_a_row_each_time(org):
    blank = {"criteria-0-name": "", "criteria-0-points": "", "criteria-0-guidance": "", "max_score": "100"}
    once = await org.post("/organizer/challenges/rubric", blank | {"rubric_action": "add"}, htmx=True)
    assert 'id="criteria-1-name"' in once.text
    twice = await org.post("/organizer/challenges/rubric", blank | {
        "criteria-1-name": "", "criteria-1-points": "", "rubric_action": "add"}, htmx=True)
    assert 'id="criteria-2-name"' in twice.text
    page = await org.post("/organizer/challenges/new", {"title": "", **blank, "rubric_action": "add"})
    assert page.status_code == 200 and 'id="criteria-1-name"' in page.text


async def test_rubric_editor_fragment_for_htmx(org, world):
    response = await org.post("/organizer/challenges/rubric", {
        "criteria-0-name": "甲", "criteria-0-points": "60", "criteria-1-name": "乙", "criteria-1-points": "40",
        "max_score": "100", "rubric_action": "up:1"}, htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.index('value="乙"') < response.text.index('value="甲"')
    assert "合计 100 分 / 满分 100 分" in response.text
    total = await org.post("/organizer/challenges/rubric", {"criteria-0-name": "甲", "criteria-0-points": "30",
                                                            "max_score": "100"}, htmx=True)
    assert "合计 30 分" in total.text and "发布前须相等" in total.text
    without_token = await org.client.post("/organizer/challenges/rubric", data={"max_score": "100"},
                                          headers={"HX-Request": "true"})
    assert without_token.status_code == 403


async def _published(org, db, world) -> Challenge:
    challenge = await _create(org, db, complete_form(world))
    await org.post(f"/organizer/challenges/{challenge.id}/publish")
    return await fresh(db, challenge.id)


async def test_amendment_is_published_with_reason_and_history(org, db, world):
    challenge = await _published(org, db, world)
    form = await org.get(f"/organizer/challenges/{challenge.id}/amend")
    assert form.status_code == 200
    data = {"reason": "根据专家意见补充考核指标", "background": "全市政务服务事项分散在 40 多个系统。",
            "goals": "一网通办率达到 98%。", "deliverables": "统一受理平台；运行报告。", "reward": "实绩记入档案。",
            "bid_closes_at": "2026-12-27T17:00"}
    response = await org.post(f"/organizer/challenges/{challenge.id}/amend", data)
    assert response.status_code == 303, response.text
    cid = challenge.id
    await db.rollback()
    amendment = await db.scalar(select(Amendment).where(Amendment.challenge_id == cid))
    items = [c["item"] for c in json.loads(amendment.changes)]
    assert items == ["goals", "bid_closes_at"]  # keys: the record holds no display language
    public = await org.get(f"/challenges/{cid}")
    assert "更正公告" in public.text and "根据专家意见补充考核指标" in public.text and "98%" in public.text
    assert "目标与考核指标" in public.text and "揭榜截止时间" in public.text


async def test_an_amendment_made_in_english_reads_in_chinese_on_the_chinese_page(org, db, world):
    cid = (await _published(org, db, world)).id
    org.client.cookies.set("arena_lang", "en")
    data = {"reason": "补充考核指标", "background": "全市政务服务事项分散在 40 多个系统。",
            "goals": "一网通办率达到 99%。", "deliverables": "统一受理平台；运行报告。", "reward": "实绩记入档案。"}
    assert (await org.post(f"/organizer/challenges/{cid}/amend", data)).status_code == 303
    english = await org.get(f"/challenges/{cid}")
    assert "Goals and KPIs" in english.text
    org.client.cookies.set("arena_lang", "zh_CN")
    chinese = await org.get(f"/challenges/{cid}")
    assert "目标与考核指标" in chinese.text
    await db.rollback()
    amendment = await db.scalar(select(Amendment).where(Amendment.challenge_id == cid))
    assert [c["item"] for c in json.loads(amendment.changes)] == ["goals"]


AMEND_BAD = [
    ({"reason": ""}, "reason", "请填写更正原因"),
    ({"bid_closes_at": "2026-12-01T17:00"}, "bid_closes_at", "只能延后"),
    ({"goals": "<img src=x onerror=alert(1)>"}, "goals", "HTML"),
]


@pytest.mark.parametrize(("change", "field", "message"), AMEND_BAD, ids=[m for _c, _f, m in AMEND_BAD])
async def test_bad_amendment_changes_nothing(org, db, world, change, field, message):
    challenge = await _published(org, db, world)
    data = {"reason": "原因", "background": challenge.background, "goals": "新的指标",
            "deliverables": challenge.deliverables, "reward": challenge.reward} | change
    response = await org.post(f"/organizer/challenges/{challenge.id}/amend", data)
    assert response.status_code == 400 and message in response.text
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(Amendment)) == 0


async def test_rubric_cannot_be_amended_once_a_bid_is_submitted(org, db, world):
    challenge = await _published(org, db, world)
    cadre = await make_cadre(db, world["unit"])
    db.add(Bid(challenge_id=challenge.id, lead_id=cadre.id, status=BidStatus.SUBMITTED.value))
    await db.commit()
    data = {"reason": "调整分值", "background": challenge.background, "goals": challenge.goals,
            "deliverables": challenge.deliverables, "reward": challenge.reward, "rubric_present": "1",
            "criteria-0-name": "方案可行性", "criteria-0-points": "50",
            "criteria-1-name": "团队能力", "criteria-1-points": "50"}
    response = await org.post(f"/organizer/challenges/{challenge.id}/amend", data)
    assert response.status_code == 400 and "评分细则不能再修改" in response.text
    assert "已提交揭榜" in (await org.get(f"/organizer/challenges/{challenge.id}")).text


async def test_cancel_needs_a_reason_and_a_new_round_links_back(org, db, world):
    challenge = await _published(org, db, world)
    cid, title = challenge.id, challenge.title
    assert (await org.post(f"/organizer/challenges/{cid}/cancel", {"reason": ""})).status_code == 400
    done = await org.post(f"/organizer/challenges/{cid}/cancel", {"reason": "上级统筹调整"})
    assert done.status_code == 303
    again = await org.post(f"/organizer/challenges/{cid}/new-round")
    assert again.status_code == 303 and again.headers["location"].endswith("/edit")
    await db.rollback()
    new = await db.scalar(select(Challenge).where(Challenge.previous_round_id == cid))
    assert new.status == "draft" and new.round_no == 2 and new.title == title
    twice = await org.post(f"/organizer/challenges/{cid}/new-round")
    assert twice.status_code == 400 and "已经重新发榜" in twice.text


async def test_refused_transitions_say_why(org, db, world):
    challenge = await _published(org, db, world)
    again = await org.post(f"/organizer/challenges/{challenge.id}/publish")
    assert again.status_code == 400 and "只有“草稿”的榜单才能发布（当前：已发布）" in again.text
    refused = await org.post(f"/organizer/challenges/{challenge.id}/new-round")
    assert "只有流榜或已撤榜的榜单才能重新发榜" in refused.text


async def test_another_organizers_challenge_answers_as_not_found(browser, db, world):
    other = await make_organizer(db, "org2")
    theirs = await make_challenge(db, other, status=ChallengeStatus.DRAFT)
    await db.commit()
    await browser.login("org")
    for path in ("", "/edit", "/preview", "/amend", "/cancel"):
        assert (await browser.get(f"/organizer/challenges/{theirs.id}{path}")).status_code == 404, path
    for path in ("/publish", "/cancel", "/new-round", "/edit"):
        assert (await browser.post(f"/organizer/challenges/{theirs.id}{path}", {"reason": "x"})).status_code == 404
    assert (await browser.get(f"/challenges/{theirs.id}")).status_code == 404


@pytest.mark.parametrize("role", ["cadre", "expert", "inspector", "admin"])
async def test_only_organizers_open_the_organizer_pages(browser, db, world, role):
    from arena.auth.models import Role

    await make_user(db, "someone", Role(role))
    await db.commit()
    await browser.login("someone")
    for path in ("/organizer/challenges", "/organizer/challenges/new", "/organizer/challenges/export.xlsx"):
        assert (await browser.get(path)).status_code == 403


async def test_list_shows_bid_counts_and_exports_to_excel(org, db, world):
    organizer = world["organizer"]
    open_one = await make_challenge(db, organizer, title="甲榜", closes_at=NOW + timedelta(days=2))
    await make_challenge(db, organizer, title="乙榜", status=ChallengeStatus.DRAFT)
    cadre = await make_cadre(db, world["unit"])
    db.add(Bid(challenge_id=open_one.id, lead_id=cadre.id, status=BidStatus.SUBMITTED.value))
    await db.commit()
    page = await org.get("/organizer/challenges")
    assert "甲榜" in page.text and "乙榜" in page.text and "剩余 2 天" in page.text
    drafts = await org.get("/organizer/challenges?status=draft")
    assert "甲榜" not in drafts.text and "乙榜" in drafts.text
    export = await org.get("/organizer/challenges/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["甲榜"][6] == 1 and rows["乙榜"][6] == 0


async def test_organizer_list_uses_a_fixed_number_of_queries(org, db, world, query_counter):
    for _ in range(3):
        await make_challenge(db, world["organizer"])
    await db.commit()
    with query_counter() as few:
        await org.get("/organizer/challenges")
    for _ in range(25):
        await make_challenge(db, world["organizer"])
    await db.commit()
    with query_counter() as many:
        await org.get("/organizer/challenges")
    assert few.count == many.count


@pytest.mark.parametrize("rows", [
    [("完成需求调研", "2"), ("上线试运行", "6"), ("完成验收", "12")],  # one more
    [("上线试运行", "6")],  # one fewer
    [("上线试运行", "6"), ("完成需求调研", "2")],  # reordered
])
async def test_saving_a_draft_again_with_other_milestone_rows_keeps_every_row(org, db, world, rows):
    challenge = await _create(org, db, complete_form(
        world, **{"milestones-1-title": "上线试运行", "milestones-1-due_month": "6",
                  "milestones-1-deliverable": "试运行报告"}))
    form = {k: v for k, v in complete_form(world).items() if not k.startswith("milestones-")}
    for index, (title, month) in enumerate(rows):
        form |= {f"milestones-{index}-title": title, f"milestones-{index}-due_month": month,
                 f"milestones-{index}-deliverable": "报告"}
    for index, tolerance in enumerate(("甲情形", "乙情形")):
        form[f"tolerance-{index}-description"] = tolerance
    saved = await org.post(f"/organizer/challenges/{challenge.id}/edit", form)
    assert saved.status_code == 303, saved.text
    challenge = await fresh(db, challenge.id)
    templates = (await db.scalars(select(MilestoneTemplate).where(MilestoneTemplate.challenge_id == challenge.id)
                                  .order_by(MilestoneTemplate.position))).all()
    assert [(t.title, str(t.due_month)) for t in templates] == rows
