"""The one refusal path of the form handlers (arena.web.refusals) and the required actor.

A refusal rolls back what the action wrote and gives the page its messages; NotFound and
PermissionDenied are never refusals (the app answers 404 / 403); every route module goes
through it, and no route handler has to check that someone is logged in.
"""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from litestar.datastructures import State
from sqlalchemy import select

from arena.actor import Actor
from arena.auth.models import Role
from arena.challenges.models import ChallengeQuestion
from arena.errors import DomainError, FormErrors, LoginRequired, NotFound, PermissionDenied
from arena.files.store import UploadRejected
from arena.units.models import Unit
from arena.web.context import provide_actor, require_actor
from arena.web.refusals import attempt
from tests.challenges.public_factories import NOW, make_challenge, make_organizer
from tests.conftest import as_user
from tests.factories import make_cadre, make_unit, make_user

SRC = Path(__file__).resolve().parents[2] / "src" / "arena"


async def _unit(db, code: str) -> Unit | None:
    return await db.scalar(select(Unit).where(Unit.code == code))


# --- the path itself -----------------------------------------------------------------------------

async def test_a_refusal_rolls_back_what_the_action_wrote_and_puts_the_message_on_the_named_field(db):
    async with attempt(db, field="name") as refused:
        db.add(Unit(code="ROLLED-1", name="写了又撤销"))
        await db.flush()
        assert await _unit(db, "ROLLED-1") is not None  # written, inside the action's transaction
        raise DomainError("单位名称已被占用")
    assert refused and refused.errors == {"name": "单位名称已被占用"} and refused.message is None
    assert refused.summary == "单位名称已被占用" and isinstance(refused.error, DomainError)
    assert await _unit(db, "ROLLED-1") is None


async def test_a_refusal_keeps_the_fields_of_form_errors_and_an_errors_own_field_over_the_handlers(db):
    async with attempt(db, field="name") as many:
        raise FormErrors({"code": "请填写单位代码", "name": "请填写单位名称"})
    assert many.errors == {"code": "请填写单位代码", "name": "请填写单位名称"} and many.message is None
    assert many.summary == "请填写单位代码；请填写单位名称"
    async with attempt(db, field="answer") as own:
        raise DomainError("该问题已处理", "question")
    assert own.errors == {"question": "该问题已处理"}


async def test_a_refusal_that_names_no_field_is_the_pages_banner_and_an_upload_goes_on_its_own_field(db):
    async with attempt(db) as banner:
        raise DomainError("还不能发布：请填写截止时间")
    assert banner and banner.errors == {} and banner.message == "还不能发布：请填写截止时间"
    assert banner.summary == "还不能发布：请填写截止时间"
    async with attempt(db, field="reason", upload_field="evidence") as upload:
        raise UploadRejected("文件类型不支持")
    assert upload.errors == {"evidence": "文件类型不支持"}
    async with attempt(db, field="reason") as no_upload_field:
        raise UploadRejected("文件类型不支持")
    assert no_upload_field.errors == {"reason": "文件类型不支持"}


@pytest.mark.parametrize("error", [NotFound("该问题不存在"), PermissionDenied("只有组长可以填写"),
                                   ValueError("a bug, not a refusal")])
async def test_not_found_forbidden_and_unexpected_errors_are_not_refusals_they_go_on_to_the_app(db, error):
    with pytest.raises(type(error)):
        async with attempt(db, field="reason"):
            raise error


async def test_an_action_that_succeeds_is_not_refused_and_keeps_its_writes(db):
    async with attempt(db, field="name") as refused:
        db.add(Unit(code="KEPT-1", name="保存成功"))
        await db.flush()
    assert not refused and refused.error is None and refused.errors == {} and refused.message is None
    assert await _unit(db, "KEPT-1") is not None
    await db.rollback()


async def test_a_refusal_whose_own_writes_must_stand_is_not_rolled_back(db):
    class Counted(DomainError):
        keeps_writes = True  # like ReentryRefused: the failed attempt is counted

    async with attempt(db, field="password") as refused:
        db.add(Unit(code="COUNTED-1", name="失败也要记下"))
        await db.flush()
        raise Counted("密码错误")
    assert refused.errors == {"password": "密码错误"}
    await db.commit()
    assert await _unit(db, "COUNTED-1") is not None


# --- through the app ------------------------------------------------------------------------------

async def _questions_world(db):
    organizer = await make_organizer(db, "org")
    open_one = await make_challenge(db, organizer, title="答疑开放的榜单")
    closed = await make_challenge(db, organizer, title="已截止的榜单", opens_at=NOW - timedelta(days=20),
                                  closes_at=NOW - timedelta(days=1))
    asker = await make_user(db, "asker", Role.CADRE, name="提问干部")
    await make_cadre(db, await make_unit(db), asker, name="提问干部")
    ids = open_one.id, closed.id
    await db.commit()
    return ids


async def test_a_refused_form_comes_back_400_with_the_message_on_its_field_filled_in_and_nothing_saved(app, db):
    _open_id, closed_id = await _questions_world(db)
    asker = await as_user(app, "asker")
    page = await asker.post(f"/challenges/{closed_id}/questions", {"question": "截止后还能提问吗-7731"})
    assert page.status_code == 400
    assert "揭榜已截止" in page.text and "截止后还能提问吗-7731" in page.text  # message and the form, filled in
    await db.rollback()
    assert await db.scalar(select(ChallengeQuestion.id)) is None


async def test_a_form_action_on_an_object_that_does_not_exist_answers_404_not_a_form_error(app, db):
    open_id, _closed_id = await _questions_world(db)
    organizer = await as_user(app, "org")
    page = await organizer.post(f"/organizer/challenges/{open_id}/questions/987654", {"answer": "答复"})
    assert page.status_code == 404 and "该问题不存在" in page.text
    assert "请修改以下问题" not in page.text


async def test_a_form_action_the_actor_may_not_take_answers_403_not_a_form_error(app, db):
    await make_user(db, "loose-expert", Role.EXPERT)  # an expert account with no expert in the pool
    await db.commit()
    expert = await as_user(app, "loose-expert")
    for url, data in (("/review/profile/fields", {"field": "1"}),
                      ("/review/profile/conflicts", {"kind": "cadre", "target": "GB00001", "reason": "亲属"})):
        page = await expert.post(url, data)
        assert page.status_code == 403, url
        assert "没有关联专家库中的专家" in page.text


# --- the required actor ---------------------------------------------------------------------------

def _request(actor: Actor | None) -> SimpleNamespace:
    return SimpleNamespace(state=State({"actor": actor} if actor else {}))


def test_the_actor_dependency_is_never_none_nobody_logged_in_goes_to_the_login_page():
    someone = Actor(user_id=7, username="cadre1", display_name="干部一", roles=frozenset({Role.CADRE}))
    assert require_actor(_request(someone)) is someone  # type: ignore[arg-type]
    with pytest.raises(LoginRequired):
        require_actor(_request(None))  # type: ignore[arg-type]
    assert provide_actor(_request(None)) is None  # type: ignore[arg-type]  # `viewer`, on public pages


async def test_a_login_route_asked_by_nobody_redirects_to_the_login_page(browser):
    page = await browser.get("/bids")
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")


# --- every route module goes through the one path -------------------------------------------------

ALLOWED_CATCHES = {
    ("review/routes_expert.py", "my_review", "PermissionDenied"):
        "a GET page: an expert account not linked to the pool is told so kindly on its own list",
    ("review/routes_organizer.py", "_parse_commitment", "FormErrors"):
        "not a refusal: collects every field's parse errors into one FormErrors for the refusal path",
}
ALLOWED_ROLLBACKS = {
    ("units/routes.py", "import_upload"):
        "ImportRejected lists every problem of the workbook (a page of its own, not one form's fields)",
}
REFUSALS = {"DomainError", "FormErrors", "UploadRejected", "NotFound", "PermissionDenied"}


def _route_modules() -> list[Path]:
    modules = sorted(SRC.rglob("*routes*.py"))
    assert len(modules) > 20
    return modules


def _names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(e) for e in node.elts))
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return {node.id} if isinstance(node, ast.Name) else set()


def _functions(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_no_route_module_catches_refusals_or_rolls_back_itself_and_none_asserts_an_actor():
    found = []
    for path in _route_modules():
        name = str(path.relative_to(SRC))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in _functions(tree):
            for node in ast.walk(function):
                if isinstance(node, ast.ExceptHandler):
                    for caught in _names(node.type) & REFUSALS:
                        if (name, function.name, caught) not in ALLOWED_CATCHES:
                            found.append(f"{name}:{node.lineno} {function.name} catches {caught}")
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "rollback" and (name, function.name) not in ALLOWED_ROLLBACKS):
                    found.append(f"{name}:{node.lineno} {function.name} rolls back itself")
                if isinstance(node, ast.Assert) and "actor is not None" in ast.unparse(node.test):
                    found.append(f"{name}:{node.lineno} {function.name} asserts an actor")
    assert not found, "use arena.web.refusals.attempt and `actor: ActorDep`:\n" + "\n".join(found)
