"""关键词 on the organizer's challenge list (issue 22): title or number, kept in the pagination
links and the export, only the organizer's own challenges; an empty result says so."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.challenges.public_factories import make_challenge, make_organizer
from tests.conftest import as_user


async def test_the_organizer_finds_own_challenges_by_title_or_number(app, db):
    org = await make_organizer(db, "org")
    other = await make_organizer(db, "org2")
    for n in range(22):
        await make_challenge(db, org, title=f"数字乡村治理平台第{n}期")
    river = await make_challenge(db, org, title="河湖长制智慧巡河", number="JB-2026-RIVER")
    await make_challenge(db, other, title="别人的数字乡村项目")
    await db.commit()
    browser = await as_user(app, "org")

    found = (await browser.get("/organizer/challenges?q=智慧巡河")).text
    assert "河湖长制智慧巡河" in found and "数字乡村治理平台" not in found
    by_number = (await browser.get("/organizer/challenges?q=2026-RIVER")).text
    assert f'/organizer/challenges/{river.id}"' in by_number and "数字乡村治理平台" not in by_number

    many = (await browser.get("/organizer/challenges?q=数字乡村")).text
    assert "别人的数字乡村项目" not in many and "共 22 条" in many
    assert "?q=%E6%95%B0%E5%AD%97%E4%B9%A1%E6%9D%91&amp;page=2" in many  # the pager keeps q
    assert 'value="数字乡村"' in many

    empty = (await browser.get("/organizer/challenges?q=不存在的榜单&status=published")).text
    assert "没有名称或编号含“不存在的榜单”的榜单" in empty
    assert (await browser.get("/organizer/challenges?q=%25%00_")).status_code == 200

    export = await browser.get("/organizer/challenges/export.xlsx?q=智慧巡河")
    titles = [row[1] for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)]
    assert titles == ["河湖长制智慧巡河"]
