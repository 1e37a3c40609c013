"""The organizer's statistics page and its Excel exports: the numbers shown and exported, the year
filter, the empty state, who may see them, and a query count that does not grow with the data."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from arena.auth.models import Role
from arena.bids.models import BidStatus
from arena.challenges.models import ChallengeStatus
from tests.challenges.public_factories import make_challenge
from tests.conftest import Browser, as_user, make_client
from tests.factories import make_cadre, make_field, make_unit, make_user
from tests.reports.factories import _bid, arrange, empty_organizer, utc

SECTIONS = ("challenges", "bids", "award", "priorities", "records")


def section(html: str, name: str) -> str:
    """The markup of one section of the page."""
    found = re.search(rf'<section class="card report-section" id="{name}".*?</section>', html, re.S)
    assert found, name
    return found.group(0)


def table_rows(html: str) -> list[list[str]]:
    """Each body and foot row of the section's tables as [header, cells…], tags stripped."""
    rows = []
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", html, re.S):
        cells = re.split(r"</t[hd]>\s*<td[^>]*>", row)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def facts(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))


async def workbook(browser: Browser, name: str, query: str = "", **kwargs):
    response = await browser.get(f"/organizer/reports/{name}.xlsx{query}", **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return load_workbook(io.BytesIO(response.content)), response


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_the_page_shows_each_section_with_its_numbers(app, db, clock):
    await arrange(db, clock)
    org = await as_user(app, "org")
    response = await org.get("/organizer/reports")
    assert response.status_code == 200
    html = response.text
    assert '<link rel="stylesheet" href="/static/css/reports.css">' in html
    assert "style=" not in html.split("<main", 1)[1]  # the CSP allows no inline styles

    challenges = section(html, "challenges")
    rows = table_rows(challenges)
    assert rows[:6] == [["草稿", "1"], ["已发布", "1"], ["实施中", "1"], ["流榜", "1"], ["已撤榜", "1"], ["合计", "5"]]
    assert rows[6:] == [["数字治理", "3"], ["乡村振兴与基层社会治理现代化综合改革", "1"], ["未设领域", "1"], ["合计", "5"]]
    assert facts(challenges)["榜单总数"] == "5"
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in challenges and 'role="img"' in challenges

    bids = section(html, "bids")
    assert table_rows(bids) == [["0", "1"], ["1", "2"], ["2", "0"], ["3–5", "1"], ["6–10", "0"], ["&gt; 10", "0"],
                                ["合计", "4"]]
    assert facts(bids) == {"已发布榜单": "4", "平均每榜揭榜数": "1.25", "揭榜数中位数": "1"}

    award = section(html, "award")
    assert table_rows(award)[1] == ["31–60", "1"] and facts(award)["用时中位数（天）"] == "45"

    priorities = section(html, "priorities")
    assert table_rows(priorities) == [["揭榜干部", "4", "3", "75.0%", "2", "50.0%"],
                                      ["挂帅干部", "1", "1", "100.0%", "1", "100.0%"]]
    assert "未满 35 周岁" in priorities and "75.0% · 3/4" in priorities

    records = section(html, "records")
    assert "<th scope=\"col\" class=\"num\">2026</th><th scope=\"col\" class=\"num\">2027</th>" in records
    assert table_rows(records) == [["优先提拔使用", "1", "1", "2"], ["改革创新奖", "1", "0", "1"], ["合计", "2", "1", "3"]]

    for name in SECTIONS:
        assert f'href="/organizer/reports/{name}.xlsx"' in html
    assert "暂无数据" not in html


async def test_the_year_filter_counts_the_challenges_published_that_year_in_beijing(app, db, clock):
    arranged = await arrange(db, clock)
    org = await as_user(app, "org")
    html = (await org.get("/organizer/reports?year=2026")).text
    assert '<option value="2026" selected>2026</option>' in html and '<option value="2025">2025</option>' in html
    # C was published at 00:30 on 1 January 2026 in Beijing: a 2026 challenge
    assert table_rows(section(html, "challenges"))[:4] == [["已发布", "1"], ["实施中", "1"], ["流榜", "1"], ["合计", "3"]]
    assert facts(section(html, "bids")) == {"已发布榜单": "3", "平均每榜揭榜数": "1.33", "揭榜数中位数": "1"}
    assert table_rows(section(html, "priorities"))[0] == ["揭榜干部", "3", "2", "66.7%", "2", "66.7%"]
    assert 'href="/organizer/reports/bids.xlsx?year=2026"' in html

    html = (await org.get("/organizer/reports?year=2025")).text
    assert table_rows(section(html, "challenges"))[:2] == [["已撤榜", "1"], ["合计", "1"]]
    assert "暂无数据" in section(html, "award") and "暂无数据" in section(html, "records")
    # one young bidder, no winner: the winners' shares show a dash, not a division by zero
    assert table_rows(section(html, "priorities")) == [["揭榜干部", "1", "1", "100.0%", "0", "0.0%"],
                                                       ["挂帅干部", "0", "0", "—", "0", "—"]]
    assert arranged.draft_id

    # a plausible year without challenges is kept (and offered), with every section empty
    html = (await org.get("/organizer/reports?year=2019")).text
    assert '<option value="2019" selected>2019</option>' in html
    assert html.count('<p class="empty">暂无数据</p>') == len(SECTIONS)


async def test_the_young_cadre_age_comes_from_the_settings(app, db, clock):
    await arrange(db, clock)
    app.state.settings = dataclasses.replace(app.state.settings, young_cadre_age=30)
    org = await as_user(app, "org")
    priorities = section((await org.get("/organizer/reports")).text, "priorities")
    # lead1 turned 30 before bidding; only the cadre born in 2000 is under 30
    assert "未满 30 周岁" in priorities
    assert table_rows(priorities) == [["揭榜干部", "4", "1", "25.0%", "2", "50.0%"],
                                      ["挂帅干部", "1", "0", "0.0%", "1", "100.0%"]]


@pytest.mark.parametrize("year", ["abc", "99999", "2026-01", "１２３４", "0000", "", "2026.0"])
async def test_a_bad_year_shows_every_year(app, db, clock, year):
    await arrange(db, clock)
    org = await as_user(app, "org")
    response = await org.get("/organizer/reports", params={"year": year})
    assert response.status_code == 200
    assert facts(section(response.text, "challenges"))["榜单总数"] == "5"
    assert '<option value="" selected' not in response.text and " selected>" not in response.text
    export = await org.get("/organizer/reports/challenges.xlsx", params={"year": year})
    assert export.status_code == 200


async def test_an_organizer_without_challenges_sees_the_empty_state(app, db, clock):
    await empty_organizer(db)
    org = await as_user(app, "neworg")
    response = await org.get("/organizer/reports?year=2026")
    assert response.status_code == 200
    for name in SECTIONS:
        assert '<p class="empty">暂无数据</p>' in section(response.text, name)
        book, _response = await workbook(org, name)
        assert book.worksheets[0].max_row >= 1
    book, _response = await workbook(org, "priorities")
    assert values(book.active)[1:3] == [["揭榜干部", 0, 0, None, 0, None], ["挂帅干部", 0, 0, None, 0, None]]


async def test_each_export_gives_the_numbers_as_numbers(app, db, clock):
    await arrange(db, clock)
    org = await as_user(app, "org")

    book, response = await workbook(org, "challenges")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="report-challenges-all.xlsx"')
    assert "filename*=UTF-8''%E7%BB%9F%E8%AE%A1%E6%8A%A5%E8%A1%A8" in disposition  # 统计报表
    assert book.sheetnames == ["按状态", "按领域"]
    status = book["按状态"]
    assert values(status) == [["状态", "榜单数"], ["草稿", 1], ["已发布", 1], ["实施中", 1], ["流榜", 1], ["已撤榜", 1],
                              ["合计", 5]]
    assert status["A1"].font.bold and status["B1"].font.bold
    assert status.column_dimensions["A"].width >= 8
    assert values(book["按领域"])[1:] == [["数字治理", 3], ["乡村振兴与基层社会治理现代化综合改革", 1], ["未设领域", 1],
                                       ["合计", 5]]
    assert book["按领域"].column_dimensions["A"].width > 30  # the long field name fits

    book, _r = await workbook(org, "bids")
    rows = values(book["各榜揭榜数"])
    assert rows[0] == ["榜单编号", "榜单名称", "状态", "发榜日期", "揭榜数"]
    assert [(r[2], r[3], r[4]) for r in rows[1:]] == [
        ("已撤榜", datetime(2025, 5, 1), 1), ("流榜", datetime(2026, 1, 1), 0), ("实施中", datetime(2026, 3, 1), 3),
        ("已发布", datetime(2026, 6, 1), 1)]
    assert book["各榜揭榜数"]["D2"].number_format == "yyyy-mm-dd"
    distribution = values(book["分布"])
    assert distribution[1:8] == [["0", 1], ["1", 2], ["2", 0], ["3–5", 1], ["6–10", 0], ["> 10", 0], ["合计", 4]]
    assert distribution[-2:] == [["平均每榜揭榜数", 1.25], ["揭榜数中位数", 1]]

    book, _r = await workbook(org, "award")
    rows = values(book["各榜用时"])
    assert rows[0] == ["榜单编号", "榜单名称", "发榜日期", "挂帅日期", "用时（天）"]
    assert rows[1][2:] == [datetime(2026, 3, 1), datetime(2026, 4, 15), 45] and len(rows) == 2
    assert values(book["分布"])[-2] == ["用时中位数（天）", 45]

    book, _r = await workbook(org, "priorities")
    sheet = book.active
    assert values(sheet)[:3] == [["人员", "人数", "年轻干部", "年轻干部占比", "基层一线干部", "基层一线干部占比"],
                                 ["揭榜干部", 4, 3, 0.75, 2, 0.5], ["挂帅干部", 1, 1, 1, 1, 1]]
    assert sheet["D2"].number_format == "0.0%" and sheet["F3"].number_format == "0.0%"
    assert "未满 35 周岁" in sheet["A5"].value

    book, _r = await workbook(org, "records")
    assert values(book.active) == [["记录类型", "2026", "2027", "合计"], ["优先提拔使用", 1, 1, 2], ["改革创新奖", 1, 0, 1],
                                   ["合计", 2, 1, 3]]


async def test_exports_follow_the_year_and_the_language(app, db, clock):
    await arrange(db, clock)
    org = await as_user(app, "org")
    book, response = await workbook(org, "bids", "?year=2025")
    assert 'filename="report-bids-2025.xlsx"' in response.headers["content-disposition"]
    assert [r[4] for r in values(book.active)[1:]] == [1]
    book, response = await workbook(org, "challenges", headers={"accept-language": "en"})
    assert book.sheetnames == ["By status", "By field"]
    assert values(book.active)[0] == ["Status", "Challenges"]
    assert values(book.active)[1][0] == "Draft"
    page = await org.get("/organizer/reports", headers={"accept-language": "en"})
    assert "Statistics" in page.text and "No data yet" not in page.text


@pytest.mark.parametrize("path", ["/organizer/reports/nothing.xlsx", "/organizer/reports/bids.csv",
                                  "/organizer/reports/bids", "/organizer/reports/.xlsx"])
async def test_an_unknown_export_is_not_found(app, db, clock, path):
    await empty_organizer(db, "org")
    org = await as_user(app, "org")
    assert (await org.get(path)).status_code == 404


async def test_who_may_see_the_statistics(app, db, clock):
    await empty_organizer(db, "org")
    for username, role in (("cadre", Role.CADRE), ("expert", Role.EXPERT), ("inspector", Role.INSPECTOR),
                           ("admin", Role.ADMIN)):
        await make_user(db, username, role)
    await db.commit()
    expected = {"anonymous": 303, "cadre": 403, "expert": 403, "inspector": 403, "admin": 403, "org": 200}
    wrong = []
    for who, status in expected.items():
        browser = Browser(make_client(app)) if who == "anonymous" else await as_user(app, who)
        for path in ("/organizer/reports", "/organizer/reports?year=2026", "/organizer/reports/records.xlsx"):
            response = await browser.get(path)
            if response.status_code != status:
                wrong.append(f"{who} GET {path}: {response.status_code}, expected {status}")
            if who == "anonymous" and not response.headers.get("location", "").startswith("/login"):
                wrong.append(f"anonymous GET {path} goes to {response.headers.get('location')}")
    assert not wrong, "\n".join(wrong)


async def test_the_page_runs_the_same_number_of_queries_with_more_data(app, db, clock, query_counter):
    arranged = await arrange(db, clock)
    org = await as_user(app, "org")
    counts = []
    for _round in range(2):
        with query_counter() as counter:
            assert (await org.get("/organizer/reports")).status_code == 200
        counts.append(counter.count)
        if _round == 0:
            await _more_data(db, arranged)
    assert counts[0] == counts[1], counts
    print("statistics page:", counts[0], "statements")
    with query_counter() as counter:
        assert (await org.get("/organizer/reports?year=2026")).status_code == 200
    assert counter.count == counts[0]
    # one statement per section, one for the years of the filter, one for the kept pages' version
    # and next window (arena.web.page_cache); the rest is the login session
    assert len([s for s in counter.statements if "challenge" in s]) == 8, counter.statements


async def _more_data(db, arranged) -> None:
    """More challenges, fields, cadres and bids for the same organizer."""
    from arena.auth.models import User
    from arena.challenges.models import Challenge

    await db.rollback()
    organizer = await db.get_one(User, (await db.get_one(Challenge, arranged.awarded_id)).organizer_id)
    unit = await make_unit(db)
    for n in range(6):
        fld = await make_field(db, f"新领域{n}")
        challenge = await make_challenge(db, organizer, status=ChallengeStatus.PUBLISHED, field=fld,
                                         published_at=utc(2026, 7, n + 1))
        for k in range(n):
            cadre = await make_cadre(db, unit, name=f"干部{n}{k}", frontline=k % 2 == 0)
            await _bid(db, challenge, cadre, BidStatus.SUBMITTED, utc(2026, 7, 20))
    await db.commit()

