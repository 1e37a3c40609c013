"""A challenge's public page: everything public, amendments, rounds, drafts hidden, text escaped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from arena.challenges.models import Amendment, Challenge, ChallengeStatus
from tests.challenges.public_factories import NOW, add_amendment, make_challenge, make_full_challenge, make_organizer
from tests.factories import make_field, make_unit


async def test_page_shows_everything_public_about_the_challenge(db, browser):
    organizer = await make_organizer(db)
    county = await make_unit(db, "青山县")
    village = await make_field(db, "乡村发展")
    challenge = await make_full_challenge(db, organizer, title="数字乡村治理平台", rank_min="deputy_section",
                                          rank_max="division", age_limit=40, eligible_units=[county],
                                          eligible_fields=[village], closes_at=NOW + timedelta(days=5))
    await db.commit()

    response = await browser.get(f"/challenges/{challenge.id}")

    assert response.status_code == 200
    page = response.text
    for expected in [
        "数字乡村治理平台", challenge.number, "江州市数据局", "数字政府",
        "江州市推进数字乡村建设", "覆盖全市 300 个行政村", "平台上线运行", "一次性奖励 10 万元",
        "500 万元", "12 个月", "赛马制", "择优确定 3 个团队并行攻关", "中期比选", "2027-06-30",
        "副科级至正处级", "乡村发展", "截至揭榜截止日不超过 40 周岁", "青山县（含下属单位）",
        "2026-11-21 10:00 至 2026-11-29 10:00（北京时间）", "剩余 5 天",
        "方案可行性", "技术路线清晰，关键难点有对策", ">30<", "合计", ">100<",
        "60 分（满分 100 分）", "去掉一个最高分和一个最低分后取平均", "实行盲评",
        "完成需求调研", "挂帅后第 2 个月", "需求调研报告",
        "优秀", "90 分及以上", "低于 60 分", "目标完成度", "第三方抽样调查",
        "因上级政策调整导致目标无法实现",
        "更正公告（第 1 号）", "应多个单位请求，延长揭榜时间", "2026-12-01 17:00", "2026-12-08 17:00",
        f"/challenges/{challenge.id}/announcement.pdf",
    ]:
        assert expected in page, expected


async def test_amendments_show_the_full_history_newest_first(db, browser):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer)
    await add_amendment(db, challenge, organizer, seq=1, reason="第一次更正", at=NOW - timedelta(days=2),
                        changes=[{"item": "预算", "before": "400 万元", "after": "500 万元"}])
    await add_amendment(db, challenge, organizer, seq=2, reason="第二次更正", at=NOW - timedelta(days=1),
                        changes=[{"item": "揭榜截止时间", "before": "2026-12-01", "after": "2026-12-04"},
                                 {"item": "交付成果", "before": "", "after": "增加运维手册"}])
    await db.commit()

    page = (await browser.get(f"/challenges/{challenge.id}")).text

    assert page.index("第二次更正") < page.index("第一次更正")
    assert "更正公告（第 2 号）" in page and "更正公告（第 1 号）" in page
    assert "2026-11-23 10:00" in page  # the amendment's date in Shanghai time
    assert "400 万元" in page and "增加运维手册" in page


async def test_a_malformed_amendment_record_still_reads(db, browser):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer)
    await add_amendment(db, challenge, organizer, reason="格式异常", changes=[])
    await db.commit()
    await db.execute(update(Amendment).values(changes="not json {"))
    await db.commit()

    response = await browser.get(f"/challenges/{challenge.id}")

    assert response.status_code == 200 and "not json {" in response.text


async def test_drafts_are_not_found_for_everyone_but_their_organizer(db, browser, other_browser):
    author = await make_organizer(db, "organizer")
    await make_organizer(db, "organizer2")
    draft = await make_challenge(db, author, title="起草中的榜单", status=ChallengeStatus.DRAFT)
    await db.commit()

    assert (await browser.get(f"/challenges/{draft.id}")).status_code == 404
    assert (await browser.get(f"/challenges/{draft.id}/announcement.pdf")).status_code == 404
    await other_browser.login("organizer2")
    assert (await other_browser.get(f"/challenges/{draft.id}")).status_code == 404
    await browser.login("organizer")
    own = await browser.get(f"/challenges/{draft.id}")
    assert own.status_code == 200
    assert "起草中的榜单" in own.text and "草稿预览" in own.text


async def test_unknown_ids_are_not_found(db, browser):
    for path in ["/challenges/999999", "/challenges/0", "/challenges/99999999999999999999",
                 "/challenges/999999/announcement.pdf", "/challenges/abc"]:
        response = await browser.get(path)
        assert response.status_code == 404, path
        assert "未找到" in response.text


async def test_user_text_is_escaped_everywhere_on_the_page(db, browser):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, title="<script>alert('t')</script>",
                                     background="<b>粗体</b>", rubric=[("<i>项</i>", 100, "<img src=x>")])
    await add_amendment(db, challenge, organizer, reason="<script>r()</script>",
                        changes=[{"item": "<u>x</u>", "before": "<a href=y>", "after": "</td></tr>"}])
    await db.commit()

    page = (await browser.get(f"/challenges/{challenge.id}")).text

    for raw in ["<script>alert", "<b>粗体", "<i>项", "<img src=x", "<script>r()", "<u>x", "<a href=y", "</td></tr>\n"]:
        assert raw not in page, raw
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page


async def test_rounds_link_to_the_previous_and_the_next_round(db, browser):
    organizer = await make_organizer(db)
    first = await make_challenge(db, organizer, title="第一轮榜单", status=ChallengeStatus.FAILED)
    second = await make_challenge(db, organizer, title="第二轮榜单", round_no=2, previous_round_id=first.id)
    await make_challenge(db, organizer, title="第三轮草稿", status=ChallengeStatus.DRAFT, round_no=3,
                         previous_round_id=second.id)
    await db.commit()

    page_one = (await browser.get(f"/challenges/{first.id}")).text
    page_two = (await browser.get(f"/challenges/{second.id}")).text

    assert "下一轮" in page_one and f'href="/challenges/{second.id}"' in page_one
    assert "上一轮" in page_two and f'href="/challenges/{first.id}"' in page_two
    assert "下一轮" not in page_two  # the next round is still a draft
    assert "第 2 轮" in page_two


async def test_cancelled_challenge_shows_the_reason(db, browser):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, status=ChallengeStatus.CANCELLED, cancelled_at=NOW,
                                     cancel_reason="上级统筹安排，本项目并入全市数字政府建设")
    await db.commit()

    page = (await browser.get(f"/challenges/{challenge.id}")).text

    assert "本榜已撤榜" in page and "上级统筹安排" in page and "已撤榜" in page


async def test_upcoming_challenge_counts_the_days_to_opening(db, browser):
    organizer = await make_organizer(db)
    challenge = await make_challenge(db, organizer, opens_at=NOW + timedelta(days=3), closes_at=NOW + timedelta(days=20))
    await db.commit()

    page = (await browser.get(f"/challenges/{challenge.id}")).text

    assert "即将开榜" in page and "3 天后开榜" in page


async def test_detail_answers_in_a_fixed_number_of_queries(db, browser, query_counter):
    organizer = await make_organizer(db)
    small: Challenge = await make_full_challenge(db, organizer)
    big = await make_full_challenge(db, organizer, owner_unit=await make_unit(db), field=await make_field(db),
                                    rubric=[(f"评分项{i}", 5, "要点") for i in range(20)],
                                    eligible_units=[await make_unit(db) for _ in range(6)])
    for seq in range(2, 8):
        await add_amendment(db, big, organizer, seq=seq, reason=f"更正{seq}", changes=[])
    await db.commit()

    counts = []
    for challenge in (small, big):
        with query_counter() as counter:
            assert (await browser.get(f"/challenges/{challenge.id}")).status_code == 200
        counts.append(counter.count)

    assert counts[0] == counts[1]
