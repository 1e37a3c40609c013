"""The admin's week (issue 22): a person and their login in one form, logins from the import,
and the list of fields (add, rename, duplicates refused)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.auth.models import Role, User
from arena.challenges.models import Challenge
from arena.units.models import Cadre, Expert, Field, Rank
from tests.challenges.public_factories import make_challenge, make_organizer
from tests.conftest import Browser, make_client
from tests.factories import make_cadre, make_expert, make_field, make_unit, make_user


@pytest.fixture
async def admin(browser, db):
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    await browser.login("adm")
    return browser


async def actions(db) -> list[str]:
    return list((await db.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))).all())


async def logs_in(app, username: str, password: str) -> bool:
    async with make_client(app) as client:
        response = await Browser(client).login(username, password)
        return response.status_code == 303 and "/login" not in response.headers.get("location", "")


async def test_one_form_creates_a_cadre_and_an_expert_with_their_logins(admin, db, app):
    unit = await make_unit(db, "姜庄镇人民政府")
    fld = await make_field(db, "乡村发展")
    await make_user(db, "taken", Role.CADRE)
    await db.commit()
    unit_id, field_id = str(unit.id), str(fld.id)
    cadre = {"code": "GB0300", "name": "王小村", "unit_id": unit_id, "position": "驻村第一书记😀",
             "rank": Rank.SECTION.value, "birth_date": "1991-05-01", "fields": field_id, "frontline": "1",
             "create_login": "1", "new_username": "wangxc", "new_password": "chosen-by-admin"}

    # A login already taken: the form comes back filled in, nothing is created.
    taken = await admin.post("/admin/people/cadre/new", cadre | {"new_username": "TAKEN"})
    assert taken.status_code == 400 and "用户名 TAKEN 已被使用" in taken.text and 'id="new_username-error"' in taken.text
    assert "驻村第一书记😀" in taken.text and 'value="TAKEN"' in taken.text and "chosen-by-admin" not in taken.text
    short = await admin.post("/admin/people/cadre/new", cadre | {"new_password": "short", "code": ""})
    assert short.status_code == 400 and "密码至少 8 个字符" in short.text and "请填写编号" in short.text
    both = await admin.post("/admin/people/cadre/new", cadre | {"username": "taken"})
    assert both.status_code == 400 and "只能选一种" in both.text
    assert await db.scalar(select(func.count()).select_from(Cadre)) == 0
    assert await db.scalar(select(func.count()).select_from(User)) == 2

    # The admin's own password: one submission, both audited, the cadre can log in.
    created = await admin.post("/admin/people/cadre/new", cadre)
    assert created.status_code == 303 and "login=1" in created.headers["location"]
    await db.rollback()
    person = await db.scalar(select(Cadre).where(Cadre.code == "GB0300"))
    login = await db.scalar(select(User).where(User.username == "wangxc"))
    assert person.user_id == login.id and login.display_name == "王小村" and login.role_set == {Role.CADRE}
    assert (await actions(db))[-2:] == ["user.create", "cadre.create"]
    assert await logs_in(app, "wangxc", "chosen-by-admin")

    # A generated password for an expert: shown once, never cached, not in the audit log.
    expert = {"code": "ZJ0300", "name": "陈专家", "unit_id": unit_id, "title": "研究员", "annual_panel_cap": "6",
              "fields": field_id, "create_login": "1", "new_username": "chen.zj", "new_password": ""}
    issued = await admin.post("/admin/people/expert/new", expert)
    assert issued.status_code == 200 and "只显示这一次" in issued.text
    assert issued.headers["cache-control"] == "no-store"
    password = re.search(r'id="f-initial-password" type="text" class="mono" value="([^"]+)"', issued.text).group(1)
    assert len(password) >= 12
    await db.rollback()
    assert await logs_in(app, "chen.zj", password)
    summaries = " ".join((await db.scalars(select(AuditEvent.summary))).all())
    assert password not in summaries and "chosen-by-admin" not in summaries
    linked = await db.scalar(select(Expert).where(Expert.code == "ZJ0300"))
    assert linked.user_id == (await db.scalar(select(User.id).where(User.username == "chen.zj")))

    # Linking an existing account still works; a person with a login is not offered a second.
    other = await make_user(db, "existing", Role.EXPERT)
    await db.commit()
    other_id = other.id
    linked_form = expert | {"code": "ZJ0301", "create_login": "", "new_username": "", "username": "existing"}
    assert (await admin.post("/admin/people/expert/new", linked_form)).status_code == 303
    await db.rollback()
    assert (await db.scalar(select(Expert).where(Expert.code == "ZJ0301"))).user_id == other_id
    assert 'name="create_login"' not in (await admin.get(f"/admin/people/expert/{linked.id}")).text


async def test_fields_are_listed_added_and_renamed_keeping_their_links(admin, db, query_counter):
    unit = await make_unit(db, "江州市科学技术局")
    fld = await make_field(db, "科技创新")
    await make_field(db, "信访维稳")
    await make_expert(db, unit, name="陈国华", fields=[fld])
    await make_cadre(db, unit, name="张伟", fields=[fld])
    organizer = await make_organizer(db, "org")
    challenge = await make_challenge(db, organizer, field=fld, eligible_fields=[fld])
    await db.commit()

    with query_counter() as few:
        listed = await admin.get("/admin/fields")
    assert listed.status_code == 200 and "科技创新" in listed.text and "信访维稳" in listed.text

    assert (await admin.post("/admin/fields", {"name": "  数字 政府 "})).status_code == 303
    duplicate = await admin.post("/admin/fields", {"name": "科技创新"})
    assert duplicate.status_code == 400 and "已有名为“科技创新”的领域" in duplicate.text
    assert 'value="科技创新"' in duplicate.text
    assert "不能包含" in (await admin.post("/admin/fields", {"name": "甲、乙"})).text
    assert "请填写领域名称" in (await admin.post("/admin/fields", {"name": "  "})).text

    clash = await admin.post(f"/admin/fields/{fld.id}", {"name": "信访维稳"})
    assert clash.status_code == 400 and "已有名为“信访维稳”的领域" in clash.text
    assert (await admin.post(f"/admin/fields/{fld.id}", {"name": "科技创新与成果转化"})).status_code == 303
    assert (await admin.post(f"/admin/fields/{fld.id}", {"name": "科技创新与成果转化"})).status_code == 303

    with query_counter() as more:
        await admin.get("/admin/fields")
    assert more.count == few.count  # the list loads in a fixed number of queries

    await db.rollback()
    db.expunge_all()
    names = set((await db.scalars(select(Field.name))).all())
    assert names == {"科技创新与成果转化", "信访维稳", "数字 政府"}
    assert (await db.get(Challenge, challenge.id)).field_id == fld.id
    assert "科技创新与成果转化" in (await admin.get("/admin/people?kind=expert")).text
    assert "科技创新与成果转化" in (await admin.get(f"/challenges/{challenge.id}")).text
    events = await db.execute(select(AuditEvent.action, AuditEvent.summary).where(AuditEvent.object_type == "field")
                              .order_by(AuditEvent.seq))
    assert [a for a, _s in events.all()] == ["field.create", "field.rename"]  # the unchanged save records nothing


def login_workbook(cadres: list[list[object]], experts: list[list[object]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "干部"
    sheet.append(["工号*", "姓名*", "单位*", "职务*", "职级*", "出生日期*", "领域", "基层一线", "账号", "新建账号"])
    for row in cadres:
        sheet.append(row)
    experts_sheet = book.create_sheet("专家")
    experts_sheet.append(["专家编号*", "姓名*", "单位*", "职称*", "领域*", "年度评审上限", "账号", "新建账号"])
    for row in experts:
        experts_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(admin, data: bytes):
    files = {"file": ("people.xlsx", data, "application/octet-stream")}
    return await admin.client.post("/admin/people/import", files=files, data={"_csrf_token": await admin.csrf()})


async def test_import_creates_logins_shows_their_passwords_once_and_again_changes_nothing(admin, db, app):
    await make_unit(db, "青山县人民政府")
    await make_field(db, "乡村发展")
    await make_user(db, "old-login", Role.CADRE)
    await db.commit()
    cadres = [["GB5001", "赵一", "青山县人民政府", "科长", "正科级", "1988-02-03", "乡村发展", "是", "", "zhaoyi"],
              ["GB5002", "钱二", "青山县人民政府", "科员", "科员", "1995-06-07", "", "否", "", ""]]
    experts = [["ZJ5001", "孙专家", "青山县人民政府", "研究员", "乡村发展", 6, "", "sun.zj"]]

    # Problems first: a login that exists, a bad name, one given twice, both columns filled.
    bad = [["GB5003", "李三", "青山县人民政府", "科长", "正科级", "1988-02-03", "", "否", "", "OLD-LOGIN"],
           ["GB5004", "周四", "青山县人民政府", "科长", "正科级", "1988-02-03", "", "否", "", "周四"],
           ["GB5005", "吴五", "青山县人民政府", "科长", "正科级", "1988-02-03", "", "否", "old-login", "wu5"]]
    twice = ["ZJ5002", "郑专家", "青山县人民政府", "研究员", "乡村发展", 6, "", "ZhaoYi"]
    refused = await upload(admin, login_workbook(cadres + bad, [*experts, twice]))
    assert refused.status_code == 400 and "未写入任何数据" in refused.text
    for message in ("只能填写一个", "与干部第 2 行的新建账号重复"):
        assert message in refused.text, message
    assert await db.scalar(select(func.count()).select_from(User)) == 2
    refused = await upload(admin, login_workbook(cadres + bad[:2], experts))
    assert refused.status_code == 400
    assert "账号“OLD-LOGIN”已存在" in refused.text and "用户名须为 2–64 个字母" in refused.text
    assert await db.scalar(select(func.count()).select_from(Cadre)) == 0

    done = await upload(admin, login_workbook(cadres, experts))
    assert done.status_code == 200 and "新建登录账号 2 个" in done.text and "只显示这一次" in done.text
    assert done.headers["cache-control"] == "no-store"
    cells = r'<td class="mono nowrap">([a-z.]+)</td><td class="mono nowrap initial-password">([^<]+)</td>'
    shown = dict(re.findall(cells, done.text))
    assert set(shown) == {"zhaoyi", "sun.zj"}
    await db.rollback()
    assert await logs_in(app, "zhaoyi", shown["zhaoyi"]) and await logs_in(app, "sun.zj", shown["sun.zj"])
    zhao = await db.scalar(select(Cadre).where(Cadre.code == "GB5001"))
    assert zhao.user_id == await db.scalar(select(User.id).where(User.username == "zhaoyi"))
    summaries = " ".join((await db.scalars(select(AuditEvent.summary))).all())
    assert all(password not in summaries for password in shown.values())
    assert (await actions(db)).count("user.create") == 2

    # The same file again: the logins are kept, nothing is created, no password is shown.
    again = await upload(admin, login_workbook(cadres, experts))
    assert again.status_code == 200 and "干部新增 0 人、更新 0 人、未变 2 人" in again.text
    assert "issued-title" not in again.text
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(User)) == 4
