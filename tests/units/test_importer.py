"""Importing cadres and experts from Excel: all rows or none, and the same file twice changes nothing."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from arena.actor import SYSTEM
from arena.audit.models import AuditEvent
from arena.units.importer import CADRE_SHEET, EXPERT_SHEET, ImportRejected, build_template, import_people_file
from arena.units.models import Cadre, Expert
from tests.factories import make_field, make_unit, make_user

CADRE_HEADER = ["工号*", "姓名*", "单位*", "职务*", "职级*", "出生日期*", "领域", "基层一线", "账号"]
EXPERT_HEADER = ["专家编号*", "姓名*", "单位*", "职称*", "领域*", "年度评审上限", "账号"]


def workbook(cadres: list[list[object]], experts: list[list[object]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = CADRE_SHEET
    sheet.append(CADRE_HEADER)
    for row in cadres:
        sheet.append(row)
    expert_sheet = book.create_sheet(EXPERT_SHEET)
    expert_sheet.append(EXPERT_HEADER)
    for row in experts or []:
        expert_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
async def world(db):
    unit = await make_unit(db, "青山县人民政府")
    await make_field(db, "乡村发展")
    await make_field(db, "科技创新")
    await make_user(db, "cadre-account")
    await db.commit()
    return unit


GOOD_CADRES = [
    ["GB1001", "张三", "青山县人民政府", "副县长", "副处级", "1985-03-12", "乡村发展、科技创新", "是", "cadre-account"],
    ["GB1002", "李四", "青山县人民政府", "科长", "正科级", "1990/7/5", "", "否", ""],
]
GOOD_EXPERTS = [["ZJ2001", "王五", "青山县人民政府", "研究员", "科技创新", 4, ""]]


async def count(db, model) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_valid_file_imports_every_row_and_again_changes_nothing(db, clock, world):
    data = workbook(GOOD_CADRES, GOOD_EXPERTS)
    outcome = await import_people_file(db, clock, SYSTEM, data)
    await db.commit()
    assert outcome.created == {"cadre": 2, "expert": 1}
    assert "干部新增 2 人" in outcome.describe()
    events = await count(db, AuditEvent)

    again = await import_people_file(db, clock, SYSTEM, data)
    await db.commit()
    assert again.created == {"cadre": 0, "expert": 0} and again.updated == {"cadre": 0, "expert": 0}
    assert again.unchanged == {"cadre": 2, "expert": 1}
    assert await count(db, AuditEvent) == events  # nothing changed, nothing recorded
    assert await count(db, Cadre) == 2 and await count(db, Expert) == 1


async def test_changed_row_updates_the_person_it_names(db, clock, world):
    await import_people_file(db, clock, SYSTEM, workbook(GOOD_CADRES))
    await db.commit()
    changed = [list(GOOD_CADRES[1])]
    changed[0][3] = "副局长"
    outcome = await import_people_file(db, clock, SYSTEM, workbook(changed))
    await db.commit()
    assert outcome.updated["cadre"] == 1
    cadre = await db.scalar(select(Cadre).where(Cadre.code == "GB1002"))
    assert cadre.position == "副局长"


BAD_ROWS = [
    (["", "张三", "青山县人民政府", "科长", "正科级", "1990-01-01", "", "否", ""], "工号", "不能为空"),
    (["GB1", "张三", "不存在的单位", "科长", "正科级", "1990-01-01", "", "否", ""], "单位", "不存在的单位"),
    (["GB1", "张三", "青山县人民政府", "科长", "处长", "1990-01-01", "", "否", ""], "职级", "无法识别“处长”"),
    (["GB1", "张三", "青山县人民政府", "科长", "正科级", "1990-13-45", "", "否", ""], "出生日期", "不是有效日期"),
    (["GB1", "张三", "青山县人民政府", "科长", "正科级", "1800-01-01", "", "否", ""], "出生日期", "不合理"),
    (["GB1", "张三", "青山县人民政府", "科长", "正科级", "1990-01-01", "火星开发", "否", ""], "领域", "火星开发"),
    (["GB1", "张三", "青山县人民政府", "科长", "正科级", "1990-01-01", "", "也许", ""], "基层一线", "是"),
    (["GB1", "张" * 70, "青山县人民政府", "科长", "正科级", "1990-01-01", "", "否", ""], "姓名", "最多 64"),
    (["GB1", "<script>x</script>", "青山县人民政府", "科长", "正科级", "1990-01-01", "", "否", ""], "姓名", "HTML"),
    (["GB1", "张三", "青山县人民政府", "科长", "正科级", "1990-01-01", "", "否", "nobody"], "账号", "nobody"),
]


@pytest.mark.parametrize(("row", "column", "words"), BAD_ROWS, ids=[r[1] + "-" + r[2][:6] for r in BAD_ROWS])
async def test_one_bad_row_writes_nothing_and_names_row_and_column(db, clock, world, row, column, words):
    with pytest.raises(ImportRejected) as rejected:
        await import_people_file(db, clock, SYSTEM, workbook([GOOD_CADRES[0], row], GOOD_EXPERTS))
    await db.rollback()
    problems = rejected.value.problems
    assert [(p.sheet, p.row, p.column) for p in problems] == [(CADRE_SHEET, 3, column)]
    assert words in problems[0].message
    assert problems[0].describe().startswith(f"干部 第 3 行「{column}」：")
    assert await count(db, Cadre) == 0 and await count(db, Expert) == 0


async def test_duplicate_numbers_and_bad_cap_are_reported_together(db, clock, world):
    experts = [GOOD_EXPERTS[0], ["ZJ2001", "赵六", "青山县人民政府", "教授", "乡村发展", "很多", ""]]
    with pytest.raises(ImportRejected) as rejected:
        await import_people_file(db, clock, SYSTEM, workbook([GOOD_CADRES[0], GOOD_CADRES[0]], experts))
    found = {(p.sheet, p.row, p.column) for p in rejected.value.problems}
    assert (CADRE_SHEET, 3, "工号") in found
    assert (EXPERT_SHEET, 3, "年度评审上限") in found


@pytest.mark.parametrize("data", [b"", b"hello, not a workbook", b"PK\x03\x04broken zip", b"%PDF-1.4 ..."],
                         ids=["empty", "text", "broken-zip", "pdf"])
async def test_a_file_that_is_not_xlsx_is_refused_with_one_reason(db, clock, world, data):
    with pytest.raises(ImportRejected) as rejected:
        await import_people_file(db, clock, SYSTEM, data)
    assert len(rejected.value.problems) == 1
    assert "Excel" in rejected.value.problems[0].message or "损坏" in rejected.value.problems[0].message


async def test_missing_column_is_reported_on_the_header_row(db, clock, world):
    book = Workbook()
    book.active.title = CADRE_SHEET
    book.active.append(["工号", "姓名"])
    book.active.append(["GB1", "张三"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportRejected) as rejected:
        await import_people_file(db, clock, SYSTEM, buffer.getvalue())
    assert {p.column for p in rejected.value.problems} >= {"单位", "职务", "职级", "出生日期"}
    assert all(p.row == 1 for p in rejected.value.problems)


async def test_the_downloadable_template_imports_cleanly(db, clock, world):
    data = build_template("青山县人民政府", ["乡村发展", "科技创新"])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [CADRE_SHEET, EXPERT_SHEET, "说明"]
    outcome = await import_people_file(db, clock, SYSTEM, data)
    assert outcome.created == {"cadre": 1, "expert": 1}


def _arena(tmp_path: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = os.environ | {"ARENA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
                        "ARENA_FILES_DIR": str(tmp_path / "files"), "ARENA_ENV": "development"}
    arena = Path(sys.executable).with_name("arena")
    return subprocess.run([str(arena), *args], env=env, cwd=tmp_path, capture_output=True, timeout=120,
                          input=stdin, check=False)


def test_arena_import_people_command(tmp_path, demo_template):
    shutil.copy(demo_template, tmp_path / "cli.db")  # the demo, migrated (tests/conftest.py)
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([["GB7001", "钱七", "青山县人民政府", "科长", "正科级", "1990-01-01", "乡村发展", "是", ""]]))
    first = _arena(tmp_path, "import", "people", str(good))
    assert first.returncode == 0, first.stderr.decode()
    assert "干部新增 1 人" in first.stdout.decode()
    second = _arena(tmp_path, "import", "people", str(good))
    assert second.returncode == 0 and "干部新增 0 人" in second.stdout.decode()
    assert "未变 1 人" in second.stdout.decode()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["GB7002", "孙八", "青山县人民政府", "科长", "处长", "1990-01-01", "", "否", ""]]))
    refused = _arena(tmp_path, "import", "people", str(bad))
    assert refused.returncode != 0
    assert "干部 第 2 行「职级」" in refused.stderr.decode() and "Traceback" not in refused.stderr.decode()

    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    junk = _arena(tmp_path, "import", "people", str(text))
    assert junk.returncode != 0 and "Traceback" not in junk.stderr.decode()
    assert "Excel" in junk.stderr.decode()
