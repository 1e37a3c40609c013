"""任前公示 / 表彰公示 pages: the public list and notice (page and PDF), objections, the
department's answers, withdrawal, taking effect and revocation (on the record page), and the
honour roll (光荣榜). Thin: the rules are in records.notices.

Anonymity: the public pages, the PDF and the honour roll get `NoticeRow`s, which hold no
objector; the record page's objection list names objectors only for policy.may_read_objectors
(records.notices.panel).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.actor import Actor
from arena.auth.models import Role
from arena.execution.grades import GRADE_LABELS
from arena.files.store import content_disposition
from arena.pdf import render_pdf
from arena.records import notices, service
from arena.records.labels import OBJECTION_STATUS_LABELS, RECORD_STATUS_LABELS, RECORD_TYPE_LABELS
from arena.records.models import RecordObjection
from arena.web import public_cache
from arena.web.deps import ActorDep, ClockDep, DbSession, MaybeActor
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.pagination import page_number, paginate
from arena.web.refusals import attempt
from arena.web.templating import render, render_html

LOGIN = {"login": True}
ORG_DEPT = {"roles": {Role.ORG_DEPT}}
KINDS = ("promotion", "award")


def labels() -> dict[str, dict[str, str]]:
    tables = {"type": RECORD_TYPE_LABELS, "status": RECORD_STATUS_LABELS, "grade": GRADE_LABELS,
              "objection": OBJECTION_STATUS_LABELS}
    return {name: {k: i18n.gettext(v) for k, v in table.items()} for name, table in tables.items()}


# --- public --------------------------------------------------------------------------------------

@get("/publicity/records", opt=KEPT)
async def notice_list(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                      viewer: MaybeActor) -> Response[str]:
    """Every 任前公示 and 表彰公示: running first, then those that ended."""
    kind = request.query_params.get("kind") or ""
    kind = kind if kind in KINDS else ""

    async def context() -> dict[str, Any]:
        page = await paginate(db_session, notices.public_notices(kind),
                              page_number(request.query_params.get("page")), scalars=False)
        return {"page": page, "rows": notices.notice_rows(page.items), "kind": kind, "params": {"kind": kind},
                "labels": labels(), "now": clock.now()}

    if not public_cache.is_anonymous_plain_get(request, viewer):
        return render(request, "records/notices.html", await context())

    async def build() -> tuple[public_cache.Body, list[datetime | None]]:
        shown = await context()
        # a running 公示 reads 公示期满 from the moment it ends
        return (public_cache.Body(render_html(request, "records/_notices_body.html", shown)),
                [row.record.publicity_ends_at for row in shown["rows"]])

    # the same for every visitor: kept per process until a write or a 公示's end changes it
    kept = await public_cache.body(request, db_session, clock.now(), ("record-notices",), build)
    return render(request, "records/notices.html", {"body_html": Markup(kept.html)})  # noqa: S704 - our own render


async def _notice_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, viewer: Actor | None,
                       record_id: int, errors: dict[str, str] | None = None,
                       values: dict[str, str] | None = None) -> Response[str]:
    row = await notices.public_notice(db, record_id)
    mine: list[RecordObjection] = []
    if viewer is not None:
        mine = [o for o, record, _cadre in await notices.my_objections(db, viewer) if record.id == row.record.id]
    return render(request, "records/notice.html", {
        "row": row, "record": row.record, "labels": labels(), "now": clock.now(), "running": row.running(clock.now()),
        "viewer": viewer, "mine": mine, "errors": errors or {}, "values": values or {},
        "done": request.query_params.get("done")}, status_code=400 if errors else 200)


@get("/publicity/records/{record_id:int}", opt=KEPT)
async def notice_page(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, viewer: MaybeActor,
                      record_id: FromPath[int]) -> Response[str]:
    return await _notice_page(request, db_session, clock, viewer, record_id)


@get("/publicity/records/{record_id:int}/notice.pdf")
async def notice_pdf(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                     record_id: FromPath[int]) -> Response[bytes]:
    """The notice (任前公示 / 表彰公示) as an official document: 红头, 文号, the period in words and
    the department's contacts. Never an objector."""
    row = await notices.public_notice(db_session, record_id)
    html = request.app.state.jinja.get_template("documents/record_notice.html").render(
        row=row, record=row.record, labels=labels(), printed_at=clock.now())
    pdf = await render_pdf(html, english=i18n.current_locale.get() == "en")
    number = str(row.record.id)
    return Response(pdf, media_type="application/pdf", headers={"content-disposition": content_disposition(
        f"公示-{row.cadre.name}-{number}.pdf", f"record-notice-{number}.pdf", inline=True)})


@post("/publicity/records/{record_id:int}/objections", opt=LOGIN)
async def file_objection(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         record_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    async with attempt(db_session, field="reason") as refused:
        await notices.file_objection(db_session, clock, actor, record_id, form.raw("reason"))
    if refused:
        return await _notice_page(request, db_session, clock, actor, record_id, refused.errors,
                                  {"reason": form.raw("reason")})
    return redirect(request, f"/publicity/records/{record_id}?done=objected#objection")


@get("/honours", opt=KEPT)
async def honours(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                  viewer: MaybeActor) -> Response[str]:
    """光荣榜: awards that passed their 表彰公示 and stand."""
    async def context() -> dict[str, Any]:
        page = await paginate(db_session, notices.honours(), page_number(request.query_params.get("page")),
                              scalars=False)
        return {"page": page, "rows": notices.notice_rows(page.items), "params": {}, "labels": labels()}

    if not public_cache.is_anonymous_plain_get(request, viewer):
        return render(request, "records/honours.html", await context())

    async def build() -> tuple[public_cache.Body, list[datetime | None]]:
        return public_cache.Body(render_html(request, "records/_honours_body.html", await context())), []

    # the same for every visitor: kept per process until a write changes it
    kept = await public_cache.body(request, db_session, clock.now(), ("honours",), build)
    return render(request, "records/honours.html", {"body_html": Markup(kept.html)})  # noqa: S704 - our own render


# --- the deciding department, on the record page -------------------------------------------------

async def _refused_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor,
                        record_id: int, errors: dict[str, str], refusal: str | None,
                        values: dict[str, str]) -> Response[str]:
    """The record's 公示 section again, with the refusal and the form as filled in."""
    row, member_of = await service.department_record(db, actor, record_id)
    return render(request, "records/notice_refused.html", {
        "row": row, "record": row.record, "labels": labels(),
        "notice": await notices.panel(db, clock, actor, row.record, member_of),
        "errors": errors, "refusal": refusal, "values": values}, status_code=400)


@post("/records/{record_id:int}/objections/{objection_id:int}/answer", opt=ORG_DEPT)
async def answer(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 record_id: FromPath[int], objection_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    async with attempt(db_session) as refused:
        await notices.answer_objection(db_session, clock, actor, record_id, objection_id, form.raw("outcome"),
                                       form.raw("reply"))
    if refused:
        return await _refused_page(request, db_session, clock, actor, record_id, refused.errors, refused.message,
                                   {**form.data, "objection": str(objection_id)})
    return redirect(request, f"/records/{record_id}?done=answered#objections")


@post("/records/{record_id:int}/withdraw", opt=ORG_DEPT)
async def withdraw(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                   record_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    async with attempt(db_session, field="withdraw_reason") as refused:
        await notices.withdraw(db_session, clock, actor, record_id, form.raw("withdraw_reason"))
    if refused:
        return await _refused_page(request, db_session, clock, actor, record_id, refused.errors, refused.message,
                                   form.data)
    return redirect(request, f"/records/{record_id}?done=withdrawn#objections")


@post("/records/{record_id:int}/take-effect", opt=ORG_DEPT)
async def take_effect(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                      record_id: FromPath[int]) -> Response[str]:
    async with attempt(db_session) as refused:
        await notices.take_effect(db_session, clock, actor, record_id)
    if refused:
        return await _refused_page(request, db_session, clock, actor, record_id, refused.errors, refused.message,
                                   {})
    return redirect(request, f"/records/{record_id}?done=effective#objections")


@post("/records/{record_id:int}/revoke", opt=ORG_DEPT)
async def revoke(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                 record_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    async with attempt(db_session, field="revoke_reason") as refused:
        await notices.revoke(db_session, clock, actor, record_id, form.raw("revoke_reason"))
    if refused:
        return await _refused_page(request, db_session, clock, actor, record_id, refused.errors, refused.message,
                                   form.data)
    return redirect(request, f"/records/{record_id}?done=revoked#objections")


ROUTES = [notice_list, notice_page, notice_pdf, file_objection, honours, answer, withdraw, take_effect, revoke]
