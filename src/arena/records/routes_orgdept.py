"""The decision flow's pages: the 组织部门's queue, one record page for everyone who may read
the record (with the forms the reader may use), the organizer's recommendation and the
inspector's list. Thin: the rules are in records.decisions and records.service.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.actor import Actor
from arena.auth.models import Role, User
from arena.pagination import clean_search
from arena.records import decisions, dossier, hearing, notices, policy, rules, service
from arena.records.enums import OPEN_STATUSES, PUBLICIZED_TYPES, OpinionRole, Origin
from arena.records.labels import OPINION_ROLE_LABELS, ORIGIN_LABELS, RECORD_TYPE_LABELS, STANCE_LABELS
from arena.records.models import RecordOpinion, RecordStatement, RecordStatementEvidence
from arena.records.routes import labels
from arena.units import orgdept
from arena.units.models import Cadre, OrgDepartment
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render

ORG_DEPT = {"roles": {Role.ORG_DEPT}}
ORGANIZER = {"roles": {Role.ORGANIZER}}
INSPECTOR = {"roles": {Role.INSPECTOR}}
LOGIN = {"login": True}


def decision_labels() -> dict[str, dict[str, str]]:
    tables = {"origin": ORIGIN_LABELS, "opinion_role": OPINION_ROLE_LABELS, "stance": STANCE_LABELS}
    return labels() | {name: {k: i18n.gettext(v) for k, v in table.items()} for name, table in tables.items()}


# --- lists --------------------------------------------------------------------------------------

QUEUE_TABS = ("", "proposed", "hearing", "publicity", "effective", "rejected", "all")


@get("/orgdept/records", opt={**ORG_DEPT, **KEPT})
async def department_queue(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    status = request.query_params.get("status") or ""
    status = status if status in QUEUE_TABS else ""
    q = clean_search(request.query_params.get("q"))
    member_of = await orgdept.member_of(db_session, actor)
    page = await paginate(db_session, service.department_queue(member_of, status, q),
                          page_number(request.query_params.get("page")), scalars=False)
    names = (await db_session.scalars(select(OrgDepartment.name).where(
        OrgDepartment.id.in_(sorted(member_of) or [0])).order_by(OrgDepartment.name))).all()
    return render(request, "records/department_queue.html", {
        "page": page, "rows": service.rows(page.items), "status": status, "params": {"status": status, "q": q},
        "labels": decision_labels(), "departments": names})


@get("/inspector/records", opt={**INSPECTOR, **KEPT})
async def inspector_queue(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    status = request.query_params.get("status") or ""
    q = clean_search(request.query_params.get("q"))
    page = await paginate(db_session, service.inspector_queue(status, q),
                          page_number(request.query_params.get("page")), scalars=False)
    return render(request, "records/inspector_queue.html", {
        "page": page, "rows": service.rows(page.items), "status": status, "params": {"status": status, "q": q},
        "labels": decision_labels()})


# --- one record ---------------------------------------------------------------------------------
# The record's actions only need a login: the services answer "not found" to whoever may not
# act on the record (an organizer, another department), as they answer for a missing record.

async def _record_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, record_id: int,
                       errors: dict[str, str] | None = None, refusal: str | None = None,
                       values: dict[str, Any] | None = None) -> Response[str]:
    row, member_of = await service.readable_record(db, actor, record_id)
    record = row.record
    decides = policy.may_decide(actor, record.org_department_id, member_of)
    opinions: list[tuple[RecordOpinion, str]] = []
    if policy.may_read_opinions(actor, row.challenge.organizer_id, record.org_department_id, member_of):
        opinions = [(o, name) for o, name in (await db.execute(
            select(RecordOpinion, User.display_name).join(User, User.id == RecordOpinion.author_id)
            .where(RecordOpinion.record_id == record.id).order_by(RecordOpinion.id))).tuples()]
    statement = await db.scalar(select(RecordStatement).where(RecordStatement.record_id == record.id))
    evidence = []
    if statement is not None:
        evidence = list((await db.scalars(select(RecordStatementEvidence).where(
            RecordStatementEvidence.statement_id == statement.id).order_by(RecordStatementEvidence.id))).all())
    department = await db.get(OrgDepartment, record.org_department_id) if record.org_department_id else None
    decider = await db.scalar(select(User.display_name).where(User.id == record.decided_by_id)) \
        if record.decided_by_id else None
    retypes = [(t, i18n.gettext(label)) for t, label in RECORD_TYPE_LABELS.items()
               if t != record.record_type and rules.allowed(record.trigger, t)
               and (record.origin != Origin.RECOMMENDED.value or t in PUBLICIZED_TYPES)]
    role = policy.opinion_role(actor, row.challenge.organizer_id)
    back = ("/orgdept/records", i18n.gettext("结果运用审批")) if decides else \
        ("/organizer/records", i18n.gettext("结果运用")) if role == OpinionRole.ORGANIZER else \
        ("/inspector/records", i18n.gettext("结果运用意见"))
    return render(request, "records/record.html", {
        "row": row, "record": record, "facts": row.facts, "labels": decision_labels(), "today": clock.today(),
        "dossier": await dossier.load(db, row.cadre.id), "opinions": opinions, "statement": statement,
        "evidence": evidence, "department": department, "decider": decider,
        "path": policy.path_of(record.record_type), "decides": decides, "open": record.status in OPEN_STATUSES,
        "opinion_role": role, "back": back,
        "hearing_open": hearing.hearing_open(record, clock.now()), "types": retypes,
        "notice": await notices.panel(db, clock, actor, record, member_of),
        "stances": list(decision_labels()["stance"].items()),
        "errors": errors or {}, "refusal": refusal, "values": values or {}, "done": request.query_params.get("done")},
        status_code=400 if (errors or refusal) else 200)


@get("/records/{record_id:int}", opt={**LOGIN, **KEPT})
async def record_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      record_id: FromPath[int]) -> Response[str]:
    return await _record_page(request, db_session, clock, actor, record_id)


async def _act(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, record_id: int,
               done: str, action: Any) -> Response[str]:
    form = await read_form(request)
    async with attempt(db) as refused:
        await action(form)
    if refused:
        return await _record_page(request, db, clock, actor, record_id, refused.errors, refused.message, form.data)
    return redirect(request, f"/records/{record_id}?done={done}")


@post("/records/{record_id:int}/approve", opt=LOGIN)
async def approve(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                  record_id: FromPath[int]) -> Response[str]:
    return await _act(request, db_session, clock, actor, record_id, "approved", lambda form: decisions.approve(
        db_session, clock, actor, record_id, form.raw("document_number"), form.raw("document_date"),
        form.raw("note")))


@post("/records/{record_id:int}/hearing", opt=LOGIN)
async def start_hearing(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                        record_id: FromPath[int]) -> Response[str]:
    return await _act(request, db_session, clock, actor, record_id, "hearing", lambda form: decisions.start_hearing(
        db_session, clock, actor, record_id))


@post("/records/{record_id:int}/decide", opt=LOGIN)
async def decide(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 record_id: FromPath[int]) -> Response[str]:
    return await _act(request, db_session, clock, actor, record_id, "decided", lambda form: decisions.decide(
        db_session, clock, actor, record_id, form.raw("document_number"), form.raw("document_date"),
        form.raw("decision_reason")))


@post("/records/{record_id:int}/reject", opt=LOGIN)
async def reject(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 record_id: FromPath[int]) -> Response[str]:
    return await _act(request, db_session, clock, actor, record_id, "rejected", lambda form: decisions.reject(
        db_session, clock, actor, record_id, form.raw("reason")))


@post("/records/{record_id:int}/type", opt=LOGIN)
async def retype(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 record_id: FromPath[int]) -> Response[str]:
    return await _act(request, db_session, clock, actor, record_id, "retyped", lambda form: decisions.retype(
        db_session, clock, actor, record_id, form.raw("record_type"), form.raw("type_reason")))


@post("/records/{record_id:int}/opinion", opt=LOGIN)
async def give_opinion(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                       record_id: FromPath[int]) -> Response[str]:
    return await _act(request, db_session, clock, actor, record_id, "opinion", lambda form: decisions.give_opinion(
        db_session, clock, actor, record_id, form.raw("stance"), form.raw("opinion")))


# --- the organizer's recommendation -------------------------------------------------------------

async def _recommend_page(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, project_id: int,
                          errors: dict[str, str] | None = None, refusal: str | None = None,
                          values: dict[str, Any] | None = None) -> Response[str]:
    project, challenge, people = await decisions.recommendable(db, actor, project_id)
    names = dict((await db.execute(select(Cadre.id, Cadre.name).where(Cadre.id.in_(list(people))))).tuples().all())
    lead = i18n.gettext("揭榜负责人")
    cadres = [(cid, f"{names.get(cid, '')}（{lead if cid == project.lead_id else duty or i18n.gettext('团队成员')}）")
              for cid, duty in people.items()]
    types = [(t, i18n.gettext(label)) for t, label in RECORD_TYPE_LABELS.items() if t in PUBLICIZED_TYPES]
    return render(request, "records/recommend.html", {
        "project": project, "challenge": challenge, "cadres": cadres, "types": types, "labels": labels(),
        "errors": errors or {}, "refusal": refusal, "values": values or {}},
        status_code=400 if (errors or refusal) else 200)


def _project_id(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 15 else 0


@get("/organizer/records/recommend", opt=ORGANIZER)
async def recommend_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    return await _recommend_page(request, db_session, actor, _project_id(request.query_params.get("project")))


@post("/organizer/records/recommend", opt=ORGANIZER)
async def recommend(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                    actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    project_id = _project_id(form.raw("project"))
    async with attempt(db_session) as refused:
        record = await decisions.recommend(db_session, clock, actor, project_id, form.raw("cadre"),
                                           form.raw("record_type"), form.raw("opinion"))
        record_id = record.id
    if refused:
        return await _recommend_page(request, db_session, actor, project_id, refused.errors, refused.message,
                                     form.data)
    return redirect(request, f"/records/{record_id}?done=recommended")


ROUTES = [department_queue, inspector_queue, record_page, approve, start_hearing, decide, reject, retype,
          give_opinion, recommend_page, recommend]
