"""Admin pages for units and people: who may open them, bad input, fixed query counts, import page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.units.models import Cadre, Expert, Rank, Unit
from tests.factories import make_cadre, make_expert, make_field, make_unit, make_user
from tests.units.test_importer import GOOD_CADRES, workbook

PAGES = ["/admin/units", "/admin/people", "/admin/people?kind=expert", "/admin/people/cadre/new",
         "/admin/people/expert/new", "/admin/people/import", "/admin/people/import-template.xlsx"]


@pytest.fixture
async def admin(browser, db):
    await make_user(db, "adm", Role.ADMIN)
    await db.commit()
    await browser.login("adm")
    return browser


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.INSPECTOR, Role.EXPERT, Role.CADRE, None],
                         ids=lambda r: r.value if r else "anonymous")
async def test_only_admins_open_units_and_people_pages(browser, db, role):
    if role is not None:
        await make_user(db, "someone", role)
        await db.commit()
        await browser.login("someone")
    for page in PAGES:
        response = await browser.get(page)
        expected = (303,) if role is None else (403,)
        assert response.status_code in expected, page


async def test_admin_opens_every_page(admin, db):
    unit = await make_unit(db, "江州市")
    await make_cadre(db, unit, name="张伟")
    await make_expert(db, unit, name="陈国华")
    await db.commit()
    for page in PAGES:
        response = await admin.get(page)
        assert response.status_code == 200, page
    cadres = await admin.get("/admin/people")
    assert "张伟" in cadres.text and "陈国华" not in cadres.text
    assert "陈国华" in (await admin.get("/admin/people?kind=expert")).text


async def test_unit_tree_is_indented_under_parents_and_refuses_cycles(admin, db):
    city = await make_unit(db, "江州市")
    county = await make_unit(db, "青山县", parent=city)
    town = await make_unit(db, "姜庄镇", parent=county)
    await db.commit()
    page = await admin.get("/admin/units")
    assert page.text.index("江州市") < page.text.index("青山县") < page.text.index("姜庄镇")
    assert 'depth-2">' in page.text
    moved = await admin.post(f"/admin/units/{city.id}", {"name": "江州市", "code": city.code,
                                                         "parent_id": str(town.id)})
    assert moved.status_code == 400 and "下级单位" in moved.text
    assert 'value="江州市"' in moved.text
    await db.refresh(city)
    assert city.parent_id is None


async def test_admin_adds_a_unit_and_it_is_audited(admin, db):
    parent = await make_unit(db, "江州市")
    await db.commit()
    response = await admin.post("/admin/units", {"name": "新区管委会", "code": "JZ-XQ", "parent_id": str(parent.id)})
    assert response.status_code == 303
    unit = await db.scalar(select(Unit).where(Unit.code == "JZ-XQ"))
    assert unit is not None and unit.parent_id == parent.id
    assert await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "unit.create")) == 1


UNIT_BAD = [
    ({"name": "", "code": "X1"}, "请填写单位名称"),
    ({"name": "甲" * 10000, "code": "X1"}, "最多 100 个字符"),
    ({"name": "<script>alert(1)</script>", "code": "X1"}, "尖括号"),
    ({"name": "单位😀", "code": "X 1'; DROP TABLE unit;--"}, "单位代码只能包含"),
    ({"name": "某单位", "code": "X1", "parent_id": "abc"}, "上级单位无效"),
    ({"name": "某单位", "code": "X1", "parent_id": "99999"}, "上级单位不存在"),
    ({"name": "江州市", "code": "X1"}, "已有名为"),
]


@pytest.mark.parametrize(("data", "message"), UNIT_BAD, ids=[m for _d, m in UNIT_BAD])
async def test_bad_unit_input_gets_a_message_and_changes_nothing(admin, db, data, message):
    await make_unit(db, "江州市")
    await db.commit()
    response = await admin.post("/admin/units", data)
    assert response.status_code == 400
    assert message in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert await db.scalar(select(func.count()).select_from(Unit)) == 1


async def test_admin_creates_and_edits_a_cadre(admin, db):
    unit = await make_unit(db, "青山县人民政府")
    fld = await make_field(db, "乡村发展")
    await make_user(db, "zhangsan", Role.CADRE)
    await db.commit()
    data = {"code": "GB0099", "name": "张三", "unit_id": str(unit.id), "position": "副县长",
            "rank": Rank.DEPUTY_DIVISION.value, "birth_date": "1985-03-12", "fields": str(fld.id), "frontline": "1",
            "username": "zhangsan"}
    created = await admin.post("/admin/people/cadre/new", data)
    assert created.status_code == 303, created.text
    cadre = await db.scalar(select(Cadre).where(Cadre.code == "GB0099"))
    assert cadre is not None and cadre.frontline and cadre.user_id is not None
    form = await admin.get(f"/admin/people/cadre/{cadre.id}")
    assert 'value="zhangsan"' in form.text and "副县长" in form.text
    updated = await admin.post(f"/admin/people/cadre/{cadre.id}", data | {"position": "县长", "rank": "division"})
    assert updated.status_code == 303
    await db.rollback()  # end the test session's read snapshot (SQLite) before reading again
    await db.refresh(cadre)
    assert cadre.position == "县长" and cadre.rank == "division"


CADRE_BAD = [
    ({"code": ""}, "code", "请填写编号"),
    ({"name": "张" * 10000}, "name", "最多 64 个字符"),
    ({"rank": "emperor"}, "rank", "职级的取值无效"),
    ({"birth_date": "31/12/1990"}, "birth_date", "不是有效日期"),
    ({"birth_date": "1820-01-01"}, "birth_date", "出生日期不合理"),
    ({"unit_id": "1 OR 1=1"}, "unit_id", "请选择单位"),
    ({"unit_id": "99999"}, "unit_id", "单位不存在"),
    ({"fields": "x"}, "fields", "领域无效"),
    ({"username": "nobody"}, "username", "没有名为"),
    ({"name": "<b>张三</b>"}, "name", "尖括号"),
]


@pytest.mark.parametrize(("change", "field", "message"), CADRE_BAD, ids=[f"{f}-{m}" for _c, f, m in CADRE_BAD])
async def test_bad_cadre_input_is_shown_beside_the_field_with_the_form_filled(admin, db, change, field, message):
    unit = await make_unit(db, "青山县人民政府")
    await db.commit()
    data = {"code": "GB0100", "name": "李四", "unit_id": str(unit.id), "position": "科长😀",
            "rank": Rank.SECTION.value, "birth_date": "1990-01-01"} | change
    response = await admin.post("/admin/people/cadre/new", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text and message in response.text
    assert "科长😀" in response.text  # the rest of the form comes back as typed
    assert await db.scalar(select(func.count()).select_from(Cadre)) == 0


async def test_expert_needs_a_field_and_a_sane_cap(admin, db):
    unit = await make_unit(db, "江州大学")
    fld = await make_field(db, "科技创新")
    await db.commit()
    base = {"code": "ZJ0100", "name": "陈教授", "unit_id": str(unit.id), "title": "教授", "annual_panel_cap": "6"}
    assert "请至少选择一个领域" in (await admin.post("/admin/people/expert/new", base)).text
    too_many = await admin.post("/admin/people/expert/new", base | {"fields": str(fld.id), "annual_panel_cap": "500"})
    assert too_many.status_code == 400 and "不能大于 50" in too_many.text
    ok = await admin.post("/admin/people/expert/new", base | {"fields": str(fld.id)})
    assert ok.status_code == 303
    assert await db.scalar(select(func.count()).select_from(Expert)) == 1


async def test_people_list_filters_and_answers_htmx_with_the_results_only(admin, db):
    unit = await make_unit(db, "江州市科学技术局")
    other = await make_unit(db, "江州市信访局")
    fld = await make_field(db, "科技创新")
    await make_cadre(db, unit, name="王芳", rank=Rank.SECTION, fields=[fld])
    await make_cadre(db, other, name="李强", rank=Rank.DEPUTY_SECTION)
    await db.commit()
    assert "李强" not in (await admin.get("/admin/people?q=王")).text
    assert "王芳" not in (await admin.get(f"/admin/people?unit={other.id}")).text
    assert "李强" not in (await admin.get(f"/admin/people?field={fld.id}")).text
    assert "王芳" not in (await admin.get("/admin/people?rank=deputy_section")).text
    fragment = await admin.get("/admin/people?q=王", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="results"') and "<html" not in fragment.text
    assert (await admin.get("/admin/people?unit=abc&field=%27&rank=x&page=-3")).status_code == 200


async def _people(db, n: int) -> None:
    unit = await make_unit(db)
    fld = await make_field(db)
    for _ in range(n):
        await make_cadre(db, unit, fields=[fld])
        await make_expert(db, unit, fields=[fld])
    await db.commit()


@pytest.mark.parametrize("kind", ["cadre", "expert"])
async def test_people_list_uses_the_same_number_of_queries_for_any_amount_of_people(admin, db, app, query_counter,
                                                                                    kind):
    await _people(db, 3)
    with query_counter() as few:
        assert (await admin.get(f"/admin/people?kind={kind}")).status_code == 200
    await _people(db, 30)
    with query_counter() as many:
        assert (await admin.get(f"/admin/people?kind={kind}")).status_code == 200
    assert few.count == many.count


async def test_unit_tree_uses_the_same_number_of_queries_for_any_size(admin, db, query_counter):
    await _people(db, 2)
    with query_counter() as few:
        await admin.get("/admin/units")
    for _ in range(20):
        await _people(db, 1)
    with query_counter() as many:
        await admin.get("/admin/units")
    assert few.count == many.count


async def test_import_page_reports_every_problem_and_writes_nothing(admin, db):
    await make_unit(db, "青山县人民政府")
    await make_field(db, "乡村发展")
    await make_field(db, "科技创新")
    await db.commit()
    bad_row = ["GB1009", "孙八", "青山县人民政府", "科长", "处长", "1990-01-01", "", "否", ""]
    data = workbook([GOOD_CADRES[1], bad_row])
    files = {"file": ("people.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    response = await admin.client.post("/admin/people/import", files=files,
                                       data={"_csrf_token": await admin.csrf()})
    assert response.status_code == 400
    assert "未写入任何数据" in response.text and "<td>职级</td>" in response.text and "处长" in response.text
    assert await db.scalar(select(func.count()).select_from(Cadre)) == 0

    good = workbook([GOOD_CADRES[1]])
    files = {"file": ("people.xlsx", good, "application/octet-stream")}
    done = await admin.client.post("/admin/people/import", files=files, data={"_csrf_token": await admin.csrf()})
    assert done.status_code == 200 and "干部新增 1 人" in done.text
    await db.rollback()
    assert await db.scalar(select(func.count()).select_from(Cadre)) == 1


async def test_import_page_refuses_a_fake_xlsx_and_a_missing_file(admin, db):
    files = {"file": ("people.xlsx", b"<html>not excel</html>", "application/vnd.ms-excel")}
    fake = await admin.client.post("/admin/people/import", files=files, data={"_csrf_token": await admin.csrf()})
    assert fake.status_code == 400 and "不是 Excel" in fake.text
    missing = await admin.post("/admin/people/import", {})
    assert missing.status_code == 400 and "请选择要导入的 Excel 文件" in missing.text


async def test_import_without_csrf_token_is_refused(admin, db):
    files = {"file": ("people.xlsx", workbook([GOOD_CADRES[1]]), "application/octet-stream")}
    response = await admin.client.post("/admin/people/import", files=files)
    assert response.status_code == 403


async def test_template_download_is_a_workbook_with_both_sheets(admin, db):
    await make_unit(db, "青山县人民政府")
    await db.commit()
    response = await admin.get("/admin/people/import-template.xlsx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["干部", "专家"]
