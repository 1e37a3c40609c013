"""Bulk import of cadres and experts from an Excel workbook (.xlsx).

All or nothing: every row of both sheets is checked first; one bad row means nothing is
written and the caller gets every problem (sheet, row, column, message). Rows are matched to
people by their number (工号 / 专家编号), so importing the same file twice changes nothing.

The file is read and its rows checked in a child process (arena.units.import_rows, one workbook
at a time per serving process, arena.offload.run_in_process): a crafted file can neither stall
other requests (not even through the GIL) nor exhaust the server's memory. Reading comes before
any writing, so the caller need hold no write transaction while it runs; the rows are checked
against a Reference loaded before, and import_people makes sure it still holds.

A row may ask for a new login (新建账号): plan_logins checks it by auth's rules, gives it a random
initial password and hashes it — before the write transaction, one hash at a time off the event
loop — and import_people creates the account with the person. The passwords come back once in
ImportOutcome.issued for the admin to hand over; only their hashes are stored, and neither the
audit log nor any message holds them. A login that exists already and belongs to the row's
person is kept, so importing the same file twice still changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from arena import offload
from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.summary import register_values
from arena.auth import passwords
from arena.auth import service as accounts
from arena.auth.models import Role, User
from arena.clock import Clock
from arena.errors import FormErrors
from arena.excel import new_workbook, workbook_bytes
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.units.import_rows import (
    CADRE_COLUMNS,
    CADRE_SHEET,
    EXPERT_COLUMNS,
    EXPERT_SHEET,
    SHOWN_PROBLEMS,
    CadreRow,
    CheckedPeople,
    Column,
    ExpertRow,
    ImportProblem,
    ImportRejected,
    Reference,
    read_and_pack,
)
from arena.units.import_rows import MAX_BYTES as MAX_BYTES  # what callers know the import by
from arena.units.import_rows import MAX_ROWS as MAX_ROWS
from arena.units.import_rows import open_workbook as open_workbook
from arena.units.models import RANK_LABELS, Cadre, Expert, Field, Rank, Unit


@dataclass(frozen=True)
class IssuedLogin:
    """A login the import created, with its initial password: shown once, kept nowhere."""

    kind: str  # "cadre" or "expert"
    code: str
    name: str
    username: str
    password: str = field(repr=False)


@dataclass
class ImportOutcome:
    created: dict[str, int] = field(default_factory=lambda: {"cadre": 0, "expert": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"cadre": 0, "expert": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"cadre": 0, "expert": 0})
    issued: list[IssuedLogin] = field(default_factory=list, repr=False)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def describe(self) -> str:
        summary = _("导入完成：干部新增 {c1} 人、更新 {u1} 人、未变 {n1} 人；"
                    "专家新增 {c2} 人、更新 {u2} 人、未变 {n2} 人")
        text = summary.format(
            c1=self.created["cadre"], u1=self.updated["cadre"], n1=self.unchanged["cadre"],
            c2=self.created["expert"], u2=self.updated["expert"], n2=self.unchanged["expert"])
        if self.issued:
            text += _("；新建登录账号 {n} 个").format(n=len(self.issued))
        return text


@dataclass(frozen=True)
class PlannedLogin:
    kind: str
    sheet: str
    row: int
    code: str
    name: str
    username: str
    password: str = field(repr=False)
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class LoginPlan:
    """What plan_logins decided: logins to create (hashed already), and logins the file names
    that exist and already belong to the row's person ((kind, code) → user id)."""

    new: list[PlannedLogin]
    kept: dict[tuple[str, str], int]


ROLE_OF_KIND = {"cadre": Role.CADRE, "expert": Role.EXPERT}
register_values("via", {"import": lazy("批量导入")})  # the audit log names how a person was saved


async def plan_logins(session: AsyncSession, people: CheckedPeople) -> LoginPlan:
    """Check every 新建账号 by auth's rules and hash a random initial password for each new one
    (one at a time, in a thread). Reads only: call it before the import's write transaction.
    ImportRejected names every row whose login cannot be created."""
    wanted: list[tuple[str, str, CadreRow | ExpertRow]] = [
        *(("cadre", CADRE_SHEET, row) for row in people.cadres if row.new_username),
        *(("expert", EXPERT_SHEET, row) for row in people.experts if row.new_username)]
    if not wanted:
        return LoginPlan([], {})
    names = {row.new_username.lower() for _kind, _sheet, row in wanted}
    users = {str(name).lower(): uid for uid, name in (await session.execute(
        select(User.id, User.username).where(func.lower(User.username).in_(names)))).tuples().all()}
    linked: dict[tuple[str, str], int | None] = {}
    for kind, model in (("cadre", Cadre), ("expert", Expert)):
        codes = [row.code for k, _sheet, row in wanted if k == kind]
        if codes:
            for code, user_id in (await session.execute(
                    select(model.code, model.user_id).where(model.code.in_(codes)))).tuples().all():
                linked[(kind, code)] = user_id
    problems: list[ImportProblem] = []
    todo: list[tuple[str, str, CadreRow | ExpertRow]] = []
    kept: dict[tuple[str, str], int] = {}
    for kind, sheet, row in wanted:
        current, existing = linked.get((kind, row.code)), users.get(row.new_username.lower())
        if existing is not None and existing == current:
            kept[(kind, row.code)] = existing  # created by an earlier import of this file
        elif existing is not None:
            problems.append(ImportProblem(sheet, row.number, "新建账号", _(
                "账号“{name}”已存在；如要关联已有账号，请填写“账号”列").format(name=row.new_username)))
        elif current is not None:
            problems.append(ImportProblem(sheet, row.number, "新建账号", _("该人员已关联登录账号，不能再新建")))
        elif message := accounts.validate_account(row.new_username, row.name, [ROLE_OF_KIND[kind]]).get("username"):
            problems.append(ImportProblem(sheet, row.number, "新建账号", message))
        else:
            todo.append((kind, sheet, row))
    if problems:
        problems.sort(key=lambda p: (p.sheet != CADRE_SHEET, p.row))
        raise ImportRejected(problems[:SHOWN_PROBLEMS], len(problems))
    planned = []
    for kind, sheet, row in todo:
        password = passwords.initial_password()
        planned.append(PlannedLogin(kind, sheet, row.number, row.code, row.name, row.new_username, password,
                                    await passwords.hash_in_thread(password)))
    return LoginPlan(planned, kept)


async def _create_logins(session: AsyncSession, clock: Clock, actor: Actor, plan: LoginPlan,
                         outcome: ImportOutcome) -> dict[tuple[str, str], int]:
    """The planned accounts, each audited (user.create); (kind, code) → user id of every login
    the rows get. ImportRejected when one was taken meanwhile (the caller rolls back)."""
    user_ids = dict(plan.kept)
    for login in plan.new:
        account = accounts.NewAccount(login.username, login.name, frozenset({ROLE_OF_KIND[login.kind]}),
                                      login.password)
        try:
            user = await accounts.create_user(session, clock, actor, account, password_hash=login.password_hash)
        except FormErrors as exc:
            raise ImportRejected([ImportProblem(login.sheet, login.row, "新建账号", next(iter(exc.errors.values())))]
                                 ) from None
        user_ids[(login.kind, login.code)] = user.id
        outcome.issued.append(IssuedLogin(login.kind, login.code, login.name, login.username, login.password))
    return user_ids


async def load_reference(session: AsyncSession) -> Reference:
    """What an import file's rows may name, for check_people_file."""
    units: dict[str, int] = {}
    for unit_id, code, name in (await session.execute(select(Unit.id, Unit.code, Unit.name))).all():
        units[code] = unit_id
        units[name] = unit_id
    fields = {name: fid for fid, name in (await session.execute(select(Field.id, Field.name))).all()}
    users = {name.lower(): uid for uid, name in (await session.execute(select(User.id, User.username))).all()}
    return Reference(units, fields, users)


# --- writing ----------------------------------------------------------------------------------

def _cadre_values(row: CadreRow) -> dict[str, Any]:
    return {"name": row.name, "unit_id": row.unit_id, "position": row.position, "rank": row.rank.value,
            "birth_date": row.birth_date, "frontline": row.frontline, "user_id": row.user_id}


def _expert_values(row: ExpertRow) -> dict[str, Any]:
    return {"name": row.name, "unit_id": row.unit_id, "title": row.title, "annual_panel_cap": row.cap,
            "user_id": row.user_id}


def _changes(person: Cadre | Expert, values: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    changed = {key: {"before": str(getattr(person, key)), "after": str(value)}
               for key, value in values.items() if getattr(person, key) != value}
    before = sorted(f.name for f in person.fields)
    after = sorted(fields)
    if before != after:
        changed["fields"] = {"before": "、".join(before), "after": "、".join(after)}
    return changed


async def _existing(session: AsyncSession, model: type[Cadre] | type[Expert], codes: list[str]) -> dict[str, Any]:
    if not codes:
        return {}
    found = await session.scalars(select(model).where(model.code.in_(codes)).options(selectinload(model.fields)))
    return {str(person.code): person for person in found.all()}  # type: ignore[attr-defined]


async def _upsert(session: AsyncSession, clock: Clock, actor: Actor, kind: str, model: type[Cadre] | type[Expert],
                  rows: list[CadreRow] | list[ExpertRow], outcome: ImportOutcome,
                  logins: dict[tuple[str, str], int]) -> None:
    existing = await _existing(session, model, [row.code for row in rows])
    by_name = {f.name: f for f in (await session.scalars(select(Field))).all()}
    for row in rows:
        values = _cadre_values(row) if isinstance(row, CadreRow) else _expert_values(row)
        if (kind, row.code) in logins:
            values["user_id"] = logins[(kind, row.code)]
        person = existing.get(row.code)
        if person is None:
            person = model(code=row.code, **values)
            person.fields = [by_name[name] for name in row.fields]
            session.add(person)
            await session.flush()
            outcome.created[kind] += 1
            await audit.record(session, clock, actor, "admin", f"{kind}.create", kind, person.id,
                               {"code": row.code, "via": "import"})
            continue
        changed = _changes(person, values, row.fields)
        if not changed:
            outcome.unchanged[kind] += 1
            continue
        for key, value in values.items():
            setattr(person, key, value)
        person.fields = [by_name[name] for name in row.fields]
        outcome.updated[kind] += 1
        await audit.record(session, clock, actor, "admin", f"{kind}.update", kind, person.id,
                           {"code": row.code, "via": "import", "changes": changed})


async def check_people_file(data: bytes, ref: Reference, clock: Clock) -> CheckedPeople:
    """read_and_check in the child process; a file that kills it (past its memory ceiling) is
    refused like any other. Touches no database: call it outside the import's write transaction."""
    today = clock.today()
    try:
        packed = await offload.run_in_process(offload.WORKBOOKS, read_and_pack, data, ref, today)
    except offload.ChildFailed as exc:
        raise ImportRejected([ImportProblem("", 0, "", _("表格过大或格式异常，无法读取"))]) from exc
    return CheckedPeople(await offload.unpack(packed.cadres), await offload.unpack(packed.experts), ref)


def _still_named(people: CheckedPeople, now: Reference) -> bool:
    """Every unit, field and account the rows name still exists as when they were checked."""
    rows: list[CadreRow | ExpertRow] = [*people.cadres, *people.experts]
    return ({row.unit_id for row in rows} <= set(now.units.values())
            and {row.user_id for row in rows if row.user_id is not None} <= set(now.users.values())
            and all(now.fields.get(name) == people.reference.fields[name] for row in rows for name in row.fields))


async def _check_accounts_free(session: AsyncSession, cadres: list[CadreRow], experts: list[ExpertRow]) -> None:
    """An account already linked to another person's record may not be given to a second one."""
    problems: list[ImportProblem] = []
    for sheet, model, rows in ((CADRE_SHEET, Cadre, cadres), (EXPERT_SHEET, Expert, experts)):
        wanted: dict[int | None, CadreRow | ExpertRow] = {row.user_id: row for row in rows if row.user_id is not None}
        if not wanted:
            continue
        taken = (await session.execute(
            select(model.user_id, model.code).where(model.user_id.in_(list(wanted))))).all()
        for user_id, code in taken:
            row = wanted[user_id]
            if code != row.code:
                problems.append(ImportProblem(sheet, row.number, "账号", _("该账号已关联编号为 {code} 的人员").format(
                    code=code)))
    if problems:
        raise ImportRejected(problems)


async def import_people_file(session: AsyncSession, clock: Clock, actor: Actor, data: bytes) -> ImportOutcome:
    """Import every row, or none: raises ImportRejected with every problem found."""
    people = await check_people_file(data, await load_reference(session), clock)
    return await import_people(session, clock, actor, people, await plan_logins(session, people))


async def import_people(session: AsyncSession, clock: Clock, actor: Actor, people: CheckedPeople,
                        logins: LoginPlan | None = None) -> ImportOutcome:
    """Write the rows checked by check_people_file, all or none: ImportRejected when an account is
    taken or what the rows name changed meanwhile. `logins`: from plan_logins (made here, in the
    transaction, when not given)."""
    if not _still_named(people, await load_reference(session)):
        raise ImportRejected([ImportProblem("", 0, "", _("读取文件期间单位、领域或账号有变动，请重新导入"))])
    cadres, experts = people.cadres, people.experts
    await _check_accounts_free(session, cadres, experts)
    outcome = ImportOutcome()
    user_ids = await _create_logins(session, clock, actor, logins or await plan_logins(session, people), outcome)
    await _upsert(session, clock, actor, "cadre", Cadre, cadres, outcome, user_ids)
    await _upsert(session, clock, actor, "expert", Expert, experts, outcome, user_ids)
    if outcome.changed or outcome.issued:
        await audit.record(session, clock, actor, "admin", "people.import", "unit", "*",
                           {"created": outcome.created, "updated": outcome.updated, "logins": len(outcome.issued)})
    return outcome


# --- the template -----------------------------------------------------------------------------

def _header(sheet: Any, columns: list[Column]) -> None:
    sheet.append([column.header + ("*" if column.required else "") for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="A61B1E")
    for index, column in enumerate(columns):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(12, column.max_length // 4 + 8)


def build_template(example_unit: str, example_fields: list[str]) -> bytes:
    """The import template: the two sheets with their headers, one example row each, and notes."""
    book = new_workbook()
    cadres = book.active
    cadres.title = CADRE_SHEET
    _header(cadres, CADRE_COLUMNS)
    cadres.append(["GB9001", "示例干部", example_unit, "科长", RANK_LABELS[Rank.SECTION], "1990-01-31",
                   "、".join(example_fields[:2]), "否", "", ""])
    ranks = DataValidation(type="list", formula1='"' + ",".join(RANK_LABELS.values()) + '"', allow_blank=True)
    cadres.add_data_validation(ranks)
    ranks.add("E2:E5000")
    experts = book.create_sheet(EXPERT_SHEET)
    _header(experts, EXPERT_COLUMNS)
    experts.append(["ZJ9001", "示例专家", example_unit, "研究员", "、".join(example_fields[:1]), 6, "", ""])
    notes = book.create_sheet("说明")
    for line in _template_notes():
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook_bytes(book)


def _template_notes() -> Iterator[str]:
    yield "干部与专家批量导入说明"
    yield "1. 带 * 的列必须填写；第一行为表头，请勿修改。示例行可删除或改成真实数据。"
    yield "2. 按“工号”（干部）或“专家编号”（专家）识别人员：编号已存在则更新，不存在则新增。"
    yield "   同一文件重复导入不会产生变化。"
    yield "3. “单位”填写单位全称或单位代码；“领域”可填多个，用顿号（、）分隔。"
    yield "4. “职级”可选：" + "、".join(RANK_LABELS.values()) + "。"
    yield "5. “出生日期”格式为 1990-01-31；“基层一线”填“是”或“否”；“账号”为已创建的登录账号，可不填。"
    yield "6. “新建账号”填写用户名（字母、数字、点、下划线或连字符）则同时创建登录账号，与“账号”只填一个；"
    yield "   初始密码由系统随机生成，导入完成后在页面上仅显示一次，请及时告知本人。"
    yield "7. 任何一行有问题时，整个文件都不会导入，系统会逐行列出问题。"
