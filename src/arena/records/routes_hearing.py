"""The cadre's record pages (我的结果运用): their records, one record with its hearing
(陈述申辩: file or revise the statement with evidence, or waive it), the outcome and its reasons;
and the statement's evidence files for the cadre and whoever may read the record. Thin: the rules
are in records.hearing. No opinion and no objector is ever loaded here.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from arena import i18n
from arena.actor import Actor
from arena.execution.grades import GRADE_LABELS
from arena.records import hearing
from arena.records.labels import RECIPIENT_LABELS, RECORD_STATUS_LABELS, RECORD_TYPE_LABELS, TRIGGER_LABELS
from arena.web.deps import ActorDep, ClockDep, DbSession
from arena.web.helpers import read_form, redirect
from arena.web.page_cache import KEPT
from arena.web.refusals import attempt
from arena.web.templating import render
from arena.web.uploads import download, receive_files

LOGIN = {"login": True}


def labels() -> dict[str, dict[str, str]]:
    tables = {"type": RECORD_TYPE_LABELS, "trigger": TRIGGER_LABELS, "recipient": RECIPIENT_LABELS,
              "status": RECORD_STATUS_LABELS, "grade": GRADE_LABELS}
    return {name: {k: i18n.gettext(v) for k, v in table.items()} for name, table in tables.items()}


@get("/my/records", opt={**LOGIN, **KEPT})
async def my_records(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep,
                     actor: ActorDep) -> Response[str]:
    return render(request, "records/my_records.html", {
        "rows": await hearing.my_records(db_session, actor), "labels": labels(), "now": clock.now(),
        "hearing_open": hearing.hearing_open})


async def _record_page(request: Request[Any, Any, Any], db: AsyncSession, clock: Any, actor: Actor, record_id: int,
                       errors: dict[str, str] | None = None, refusal: str | None = None,
                       values: dict[str, str] | None = None) -> Response[str]:
    found = await hearing.my_record(db, actor, record_id, clock.today())
    now = clock.now()
    return render(request, "records/my_record.html", {
        "found": found, "record": found.record, "facts": found.facts, "labels": labels(),
        "steps": hearing.steps(found.record), "open": hearing.hearing_open(found.record, now),
        "closed_message": hearing.hearing_closed_message(found.record, now), "now": now,
        "max_evidence": hearing.MAX_EVIDENCE, "uploads_at_once": hearing.UPLOADS_AT_ONCE,
        "errors": errors or {}, "refusal": refusal, "values": values or {},
        "done": request.query_params.get("done")}, status_code=400 if (errors or refusal) else 200)


@get("/my/records/{record_id:int}", opt={**LOGIN, **KEPT})
async def my_record(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                    record_id: FromPath[int]) -> Response[str]:
    return await _record_page(request, db_session, clock, actor, record_id)


@post("/my/records/{record_id:int}/statement", opt=LOGIN)
async def file_statement(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                         record_id: FromPath[int]) -> Response[str]:
    form = await read_form(request)
    text = form.raw("statement")
    await hearing.my_record(db_session, actor, record_id)  # 404 before reading any upload
    async with attempt(db_session, field="statement", upload_field="evidence") as refused:
        files = await receive_files(request, db_session, actor, "evidence", hearing.UPLOADS_AT_ONCE)
        await hearing.file_statement(db_session, clock, actor, record_id, text, files)
    if refused:
        return await _record_page(request, db_session, clock, actor, record_id, refused.errors, refused.message,
                                  {"statement": text})
    return redirect(request, f"/my/records/{record_id}?done=statement")


@post("/my/records/{record_id:int}/waive", opt=LOGIN)
async def waive(request: Request[Any, Any, Any], db_session: DbSession, clock: ClockDep, actor: ActorDep,
                record_id: FromPath[int]) -> Response[str]:
    async with attempt(db_session) as refused:
        await hearing.waive(db_session, clock, actor, record_id)
    if refused:
        return await _record_page(request, db_session, clock, actor, record_id, refused.errors, refused.message)
    return redirect(request, f"/my/records/{record_id}?done=waived")


@get("/records/{record_id:int}/statement/files/{evidence_id:int}", opt=LOGIN)
async def statement_file(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                         record_id: FromPath[int], evidence_id: FromPath[int]) -> Response[bytes]:
    """A statement's evidence: the cadre who filed it, the deciding department, the challenge's
    organizer and inspectors (records.hearing.readable_evidence); anyone else gets 404."""
    found = await hearing.readable_evidence(db_session, actor, record_id, evidence_id)
    return download(request, found.file, f"statement-{record_id}-{found.id}")


ROUTES = [my_records, my_record, file_statement, waive, statement_file]
