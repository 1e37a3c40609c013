"""The admin's working-day calendar: built-in years, entering 2027 on the page and from Excel."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select

from arena.auth.models import Role
from arena.workdays.days import nth_working_day_after
from arena.workdays.models import WorkdayException, WorkdayYear
from arena.workdays.service import load_calendar
from tests.conftest import Browser, make_client
from tests.factories import make_user

ARRANGEMENT_2027 = """2027-01-01 元旦
2027-02-06~2027-02-13 春节
2027-10-01~2027-10-07 国庆节"""


async def admin(app, db) -> Browser:
    await make_user(db, "root", Role.ADMIN)
    await db.commit()
    browser = Browser(make_client(app))
    await browser.login("root")
    return browser


async def test_admin_sees_built_in_years_and_enters_2027(app, db):
    browser = await admin(app, db)
    listing = await browser.get("/admin/calendar")
    assert listing.status_code == 200 and "2026" in listing.text and "录入 2027 年安排" in listing.text
    built_in = await browser.get("/admin/calendar/2026")
    assert "2026-10-01~2026-10-07 国庆节" in built_in.text
    bad = await browser.post("/admin/calendar/2027", {"holidays": "2027-13-01\n2026-05-01", "workdays": "2027-02-08",
                                                      "note": ""})
    assert bad.status_code == 400 and "第 1 行" in bad.text and "2027 年内" in bad.text
    assert "本就是工作日" in bad.text and "2027-13-01" in bad.text  # the form comes back as typed
    assert await db.scalar(select(func.count()).select_from(WorkdayException)) == 0
    saved = await browser.post("/admin/calendar/2027", {"holidays": ARRANGEMENT_2027, "workdays": "2027-02-14 春节",
                                                        "note": "国办发明电〔2026〕X号"})
    assert saved.status_code == 303
    await db.rollback()
    calendar = await load_calendar(db, date(2027, 9, 1), date(2027, 10, 31))
    assert nth_working_day_after(date(2027, 9, 30), 1, calendar) == date(2027, 10, 8)
    assert "2027-10-01~2027-10-07 国庆节" in (await browser.get("/admin/calendar/2027")).text


async def test_excel_import_is_all_or_nothing(app, db):
    browser = await admin(app, db)
    template = await browser.get("/admin/calendar/template.xlsx")
    assert template.status_code == 200 and template.content.startswith(b"PK")

    def workbook(rows):
        book = Workbook()
        sheet = book.active
        sheet.append(["日期", "类型", "名称"])
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    bad = workbook([("2027-01-01", "放假", "元旦"), ("2027-02-08", "上班", "春节"), ("明天", "放假", "")])
    refused = await browser.client.post("/admin/calendar/import", files={"file": ("a.xlsx", bad)},
                                        data={"_csrf_token": await browser.csrf()})
    assert refused.status_code == 400 and "第 3 行" in refused.text and "第 4 行" in refused.text
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(WorkdayYear)) == 0
    good = workbook([("2027-01-01", "放假", "元旦"), (date(2027, 2, 14), "上班", "春节")])
    imported = await browser.client.post("/admin/calendar/import", files={"file": ("a.xlsx", good)},
                                         data={"_csrf_token": await browser.csrf()})
    assert imported.status_code == 303
    await db.rollback()
    assert (await db.scalar(select(WorkdayYear.source).where(WorkdayYear.year == 2027))) == "import"
    assert (await browser.get("/admin/calendar/2027")).status_code == 200


async def test_only_admins_reach_the_calendar(app, db):
    await make_user(db, "org", Role.ORGANIZER)
    await db.commit()
    browser = Browser(make_client(app))
    await browser.login("org")
    assert (await browser.get("/admin/calendar")).status_code == 403
