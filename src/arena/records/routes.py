"""Records pages: the organizer's list of their challenges' records and the rules, dossiers
(the cadre's own, and anyone's for readers, with search), dossier PDFs and certificate PDFs.
Thin: the rules are in records.service, records.dossier and records.certificates; the decision
flow's pages are in records.routes_orgdept.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.auth.models import Role
from arena.errors import NotFound
from arena.execution.grades import GRADE_LABELS
from arena.execution.transitions import PROJECT
from arena.files import store
from arena.pagination import clean_search
from arena.pdf import render_pdf
from arena.records import certificates, dossier, policy, service
from arena.records.labels import RECIPIENT_LABELS, RECORD_STATUS_LABELS, RECORD_TYPE_LABELS, TRIGGER_LABELS
from arena.records.models import Record
from arena.records.proposals import rules_in_force
from arena.units.models import Cadre, Unit
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render

ORGANIZER = {"roles": {Role.ORGANIZER}}
READERS = {"roles": set(policy.READERS)}
LOGIN = {"login": True}


def labels() -> dict[str, dict[str, str]]:
    """Every record label in the current language, for the templates."""
    tables = {"type": RECORD_TYPE_LABELS, "trigger": TRIGGER_LABELS, "recipient": RECIPIENT_LABELS,
              "status": RECORD_STATUS_LABELS, "grade": GRADE_LABELS}
    return {name: {k: i18n.gettext(v) for k, v in table.items()} for name, table in tables.items()} | {
        "project": {k: PROJECT.label(k) for k in PROJECT.labels}}


def today(clock: Any) -> Any:
    return clock.today()


# --- proposals ----------------------------------------------------------------------------------

@get("/organizer/records", opt={**ORGANIZER, **KEPT})
async def queue(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    status = request.query_params.get("status") or "all"
    q = clean_search(request.query_params.get("q"))
    page = await paginate(db_session, service.organizer_queue(actor, status, q),
                          page_number(request.query_params.get("page")), scalars=False)
    return render(request, "records/queue.html", {
        "page": page, "rows": service.rows(page.items), "status": status, "params": {"status": status, "q": q},
        "labels": labels()})


@get("/organizer/records/{record_id:int}", opt={**ORGANIZER, **KEPT})
async def record_page(request: Request[Any, Any, Any], record_id: FromPath[int]) -> Response[str]:
    """The record's page is one for every reader now (records.routes_orgdept)."""
    return redirect(request, f"/records/{record_id}", status_code=302)


# --- rules --------------------------------------------------------------------------------------

async def _rules_page(request: Request[Any, Any, Any], db: AsyncSession, errors: dict[str, str] | None = None,
                      values: dict[str, Any] | None = None) -> Response[str]:
    return render(request, "records/rules.html", {
        "rules": await rules_in_force(db), "labels": labels(), "errors": errors or {}, "values": values or {},
        "done": request.query_params.get("done")}, status_code=400 if errors else 200)


@get("/organizer/records/rules", opt=ORGANIZER)
async def rules_page(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    return await _rules_page(request, db_session)


def _ids(values: list[str]) -> set[int]:
    return {int(v) for v in values if v.isdigit() and len(v) < 15}


@post("/organizer/records/rules", opt=ORGANIZER)
async def update_rules(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                       actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    await service.update_rules(db_session, clock, actor, _ids(form.values("active")),
                               _ids(form.values("unless_exempted")))
    return redirect(request, "/organizer/records/rules?done=saved")


@post("/organizer/records/rules/new", opt=ORGANIZER)
async def add_rule(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                   actor: ActorDep) -> Response[str]:
    form = await read_form(request)
    async with attempt(db_session, field="new_record_type") as refused:
        await service.add_rule(db_session, clock, actor, form.raw("trigger"), form.raw("recipient"),
                               form.raw("new_record_type"), form.boolean("new_unless_exempted"))
    if refused:
        return await _rules_page(request, db_session, refused.errors, form.data)
    return redirect(request, "/organizer/records/rules?done=added")


# --- dossiers -----------------------------------------------------------------------------------

def _dossier_context(found: dossier.Dossier, own: bool) -> dict[str, Any]:
    return {"dossier": found, "cadre": found.cadre, "own": own, "labels": labels(),
            "pdf": "/dossier.pdf" if own else f"/dossiers/{found.cadre.id}/dossier.pdf"}


@get("/dossier", opt={**LOGIN, **KEPT})
async def my_dossier(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[str]:
    cadre = await dossier.cadre_of(db_session, actor)
    return render(request, "records/dossier.html", _dossier_context(await dossier.load(db_session, cadre.id), True))


@get("/dossiers", opt={**READERS, **KEPT})
async def dossiers(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    filters = dossier.Filters.parse(request.query_params)
    page = await paginate(db_session, dossier.search(filters), page_number(request.query_params.get("page")),
                          scalars=False)
    units = (await db_session.execute(select(Unit.id, Unit.name).order_by(Unit.name))).tuples().all()
    years = range(today(request.app.state.clock).year, 2019, -1)
    return render(request, "records/dossiers.html", {
        "page": page, "filters": filters, "params": filters.as_params(), "units": units, "years": years,
        "labels": labels()})


@get("/dossiers/{cadre_id:int}", opt={**READERS, **KEPT})
async def dossier_page(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                       cadre_id: FromPath[int]) -> Response[str]:
    found = await dossier.load(db_session, cadre_id)
    own = found.cadre.user_id == actor.user_id
    return render(request, "records/dossier.html", _dossier_context(found, own))


async def _dossier_pdf(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, cadre_id: int) -> Response[bytes]:
    found = await dossier.load(db, cadre_id)
    html = request.app.state.jinja.get_template("documents/dossier.html").render(
        dossier=found, cadre=found.cadre, labels=labels(), printed_at=clock.now())
    pdf = await render_pdf(html, english=i18n.current_locale.get() == "en")
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": store.content_disposition(
        f"实绩档案-{found.cadre.name}.pdf", f"dossier-{found.cadre.code}.pdf", inline=True)})


@get("/dossier.pdf", opt=LOGIN)
async def my_dossier_pdf(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                         actor: ActorDep) -> Response[bytes]:
    cadre = await dossier.cadre_of(db_session, actor)
    return await _dossier_pdf(request, db_session, clock, cadre.id)


@get("/dossiers/{cadre_id:int}/dossier.pdf", opt=READERS)
async def dossier_pdf(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                      cadre_id: FromPath[int]) -> Response[bytes]:
    return await _dossier_pdf(request, db_session, clock, cadre_id)


# --- certificates -------------------------------------------------------------------------------

@get("/certificates/{code:str}", opt=LOGIN)
async def certificate_pdf(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                          code: FromPath[str]) -> Response[bytes]:
    """The certificate PDF, for the cadre it names and for dossier readers; anyone else is told
    it does not exist (the public checks a code at /verify)."""
    found = await certificates.verify(db_session, code.removesuffix(".pdf"))
    if found is None:
        raise NotFound(_not_found())
    record = await db_session.get(Record, found.certificate.record_id)
    cadre = await db_session.get(Cadre, record.cadre_id) if record else None
    if cadre is None or not policy.may_read_certificate(actor, cadre.user_id):
        raise NotFound(_not_found())
    settings = request.app.state.settings
    url = f"{settings.public_url}/verify/{found.certificate.code}"
    html = request.app.state.jinja.get_template("documents/certificate.html").render(
        v=found, c=found.content, labels=labels(), code=certificates.display(found.certificate.code),
        verify_url=url, qr=certificates.qr_svg(url))
    pdf = await render_pdf(html, english=i18n.current_locale.get() == "en")
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": store.content_disposition(
        f"荣誉证书-{found.certificate.code}.pdf", f"certificate-{found.certificate.code}.pdf", inline=True)})


def _not_found() -> str:
    return i18n.gettext("该证书不存在")


ROUTES = [queue, record_page, rules_page, update_rules, add_rule, my_dossier, dossiers,
          dossier_page, my_dossier_pdf, dossier_pdf, certificate_pdf]
