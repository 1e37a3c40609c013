"""The inspector's audit log: browse events and verify the whole chain."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from sqlalchemy import select

from arena.audit import service
from arena.audit.models import AuditEvent
from arena.auth.models import Role
from arena.web.deps import DbSession
from arena.web.pagination import page_number, paginate
from arena.web.templating import render

AUDIT_ROLES = {"roles": {Role.INSPECTOR, Role.ADMIN}}


@get("/audit", opt=AUDIT_ROLES)
async def audit_log(request: Request[Any, Any, Any], db_session: DbSession, action: FromQuery[str | None] = None,
                    object_type: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Response[str]:
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action[:64])
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type[:32])
    events = await paginate(db_session, stmt, page_number(page), per_page=50)
    params = {"action": action, "object_type": object_type}
    return render(request, "audit/log.html", {"events": events, "params": params, "report": None},
                  fragment="events")


@post("/audit/verify", opt=AUDIT_ROLES)
async def verify(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    report = await service.verify_chain(db_session)
    return render(request, "audit/verify.html", {"report": report}, fragment="report")


ROUTES = [audit_log, verify]
