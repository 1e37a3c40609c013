"""Admin: the working-day calendar — the years known, one year's arrangement, Excel import."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from arena.auth.models import Role
from arena.db import begin_write
from arena.errors import FormErrors
from arena.files.store import content_disposition
from arena.i18n import gettext as _
from arena.units.importer import MAX_BYTES, ImportRejected
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.refusals import attempt
from arena.web.templating import render
from arena.workdays import service

ADMIN = {"roles": {Role.ADMIN}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _list_page(request: Request[Any, Any, Any], db: AsyncSession, errors: dict[str, str] | None = None,
                     refusal: str | None = None) -> Response[str]:
    return render(request, "workdays/list.html", {
        "years": await service.years(db), "errors": errors or {}, "refusal": refusal,
        "done": request.query_params.get("done")}, status_code=400 if (errors or refusal) else 200)


@get("/admin/calendar", opt=ADMIN)
async def calendar_page(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    return await _list_page(request, db_session)


@get("/admin/calendar/{year:int}", opt=ADMIN)
async def year_page(request: Request[Any, Any, Any], db_session: DbSession, year: FromPath[int]) -> Response[str]:
    if not 2000 <= year <= 2100:
        return redirect(request, "/admin/calendar")
    holidays, workdays = await service.year_lines(db_session, year)
    known = {row.year: row for row in await service.years(db_session)}
    return render(request, "workdays/year.html", {
        "year": year, "known": known.get(year), "values": {"holidays": holidays, "workdays": workdays,
                                                            "note": known[year].note if year in known else ""},
        "errors": {}})


@post("/admin/calendar/{year:int}", opt=ADMIN)
async def save_year(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                    year: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    values = {name: form.raw(name)[:20000] for name in ("holidays", "workdays", "note")}
    async with attempt(db_session, field="holidays") as refused:
        await service.save_year(db_session, clock, actor, year, values["holidays"], values["workdays"],
                                values["note"][:200])
    if refused:
        return render(request, "workdays/year.html", {"year": year, "known": None, "values": values,
                                                      "errors": refused.errors}, status_code=400)
    return redirect(request, f"/admin/calendar?done={year}")


@get("/admin/calendar/template.xlsx", opt=ADMIN)
async def template() -> Response[bytes]:
    return Response(service.template(), media_type=XLSX, headers={
        "content-disposition": content_disposition("工作日安排导入模板.xlsx", "workday-template.xlsx")})


@post("/admin/calendar/import", opt=ADMIN)
async def import_file(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                      actor: ActorDep) -> Response[str]:
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _list_page(request, db_session, {"file": _("请选择要导入的 Excel 文件")})
    async with attempt(db_session) as refused:
        data = await upload.read(MAX_BYTES + 1)
        await db_session.commit()  # read the file holding no write transaction (nothing written yet)
        try:
            read = await service.read_calendar_file(data)
        except ImportRejected as exc:
            raise FormErrors({"file": "；".join(p.message for p in exc.problems)}) from exc
        await begin_write(db_session)
        years = await service.import_workbook(db_session, clock, actor, read)
    if refused:
        return await _list_page(request, db_session, refused.errors,
                                refused.message and _("未导入，未写入任何数据：") + refused.message)
    return redirect(request, "/admin/calendar?done=" + ",".join(str(y) for y in years))


ROUTES = [calendar_page, template, year_page, save_year, import_file]
