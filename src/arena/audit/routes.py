"""The inspector's audit log: browse events and verify the whole chain. And, for anyone, the
signed checkpoints of the chain (arena.audit.checkpoints): the list, the latest as JSON, the
whole history as JSON or CSV, and the public key that signs them. They are public on purpose:
a checkpoint is worth something only because people outside Arena keep copies."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from sqlalchemy import select

from arena.actor import Role
from arena.audit import checkpoints, log, service
from arena.audit.anchor import ALGORITHM, HASH_PATTERN, CheckpointKey
from arena.audit.labels import action_choices
from arena.audit.models import AuditCheckpoint
from arena.errors import NotFound
from arena.files.store import disposition
from arena.i18n import gettext as _
from arena.web.deps import ActorDep, DbSession
from arena.web.helpers import client_address
from arena.web.limits import retry_after, spend, verify_limit
from arena.web.pagination import Page, page_number, paginate
from arena.web.templating import render

AUDIT_ROLES = {"roles": {Role.INSPECTOR, Role.ADMIN}}


@get("/audit", opt=AUDIT_ROLES)
async def audit_log(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep,
                    page: FromQuery[str | None] = None) -> Response[str]:
    """Filtered by date (Beijing), actor, role, object and action name (arena.audit.log); every
    row redacted for the reader (display only: the chain hashes what is stored)."""
    roles = frozenset(actor.roles)
    filters = log.parse(request.query_params)
    stored = await paginate(db_session, log.query(filters, roles), page_number(page), per_page=log.PER_PAGE,
                            scalars=False)
    events = Page(log.rows(stored.items, roles), stored.number, stored.per_page, stored.total)
    params = filters.params()
    return render(request, "audit/log.html", {
        "events": events, "params": params, "filters": filters, "report": None,
        "action_choices": action_choices(), "object_choices": log.object_choices(),
        "role_choices": log.role_choices(), "export_query": urlencode(params)},
        fragment="events", status_code=400 if filters.errors else 200)


async def _export(request: Request[Any, Any, Any], db: Any, actor: Any, kind: str) -> Response[bytes]:
    filters = log.parse(request.query_params)
    data, media_type = await log.export(db, filters, frozenset(actor.roles), kind)
    return Response(data, media_type=media_type, headers={
        "content-disposition": disposition(f"audit-log.{kind}", f"{_('审计日志')}.{kind}", inline=False)})


@get("/audit/export.xlsx", opt=AUDIT_ROLES)
async def audit_export_xlsx(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[bytes]:
    """The filtered log with every chain field, redacted as the page is (arena.audit.log)."""
    return await _export(request, db_session, actor, "xlsx")


@get("/audit/export.csv", opt=AUDIT_ROLES)
async def audit_export_csv(request: Request[Any, Any, Any], db_session: DbSession, actor: ActorDep) -> Response[bytes]:
    return await _export(request, db_session, actor, "csv")


@post("/audit/verify", opt=AUDIT_ROLES)
async def verify(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    report = await service.verify_chain(db_session)
    anchor = await checkpoints.latest_still_held(db_session, report.count) if report.ok else None
    return render(request, "audit/verify.html", {"report": report, "anchor": anchor}, fragment="report")


def _key(request: Request[Any, Any, Any]) -> CheckpointKey:
    return checkpoints.signing_key(request.app.state.settings)


@get("/audit/checkpoints")
async def checkpoint_list(request: Request[Any, Any, Any], db_session: DbSession,
                          page: FromQuery[str | None] = None, seq: FromQuery[str | None] = None,
                          head_hash: FromQuery[str | None] = None) -> Response[str]:
    """Public: the latest checkpoint with its signed bytes, the public key, and the history; with
    `seq` and `head_hash`, also whether today's chain still holds that kept checkpoint."""
    check, status, headers = await _check_kept(request, db_session, (seq or "").strip()[:20],
                                               (head_hash or "").strip().lower()[:80])
    rows = await paginate(db_session, select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()),
                          page_number(page), per_page=30)
    key = _key(request)
    return render(request, "audit/checkpoints.html", {
        "rows": rows, "items": [checkpoints.view(row) for row in rows.items],
        "latest": await checkpoints.latest_view(db_session), "key": key,
        "public_key": base64.b64encode(key.public_key).decode("ascii"), "check": check,
        "values": {"seq": seq or "", "head_hash": head_hash or ""}, "params": {}},
        fragment="history", status_code=status, headers=headers)


@dataclass(frozen=True)
class KeptCheck:
    """The answer to "does today's chain still hold my checkpoint?": a report, or why not asked."""

    seq: int = 0
    report: checkpoints.AnchorReport | None = None
    error: str | None = None


async def _check_kept(request: Request[Any, Any, Any], db: Any, seq: str,
                      head_hash: str) -> tuple[KeptCheck | None, int, dict[str, str]]:
    """(what the check found, status, headers). Each check walks the whole chain, so it is
    limited per address like certificate look-ups (ARENA_VERIFY_RATE_LIMIT)."""
    if not seq and not head_hash:
        return None, 200, {}
    if not seq.isdigit() or not HASH_PATTERN.match(head_hash):
        return KeptCheck(error=_("请填写锚点的事件序号（整数）和 64 位十六进制链头哈希")), 400, {}
    decision = await spend(request, verify_limit(request), client_address(request))
    if not decision.allowed:
        message = _("核验过于频繁，请 {seconds} 秒后再试。").format(seconds=decision.reset)
        return KeptCheck(error=message), 429, retry_after(decision)
    report = await checkpoints.verify_against(db, int(seq), head_hash)
    return KeptCheck(seq=int(seq), report=report), 200, {}


def _json(data: Any, filename: str | None = None) -> Response[bytes]:
    headers = {"content-disposition": f'attachment; filename="{filename}"'} if filename else {}
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(body, media_type="application/json; charset=utf-8", headers=headers)


@get("/audit/checkpoints/latest.json")
async def latest_checkpoint(db_session: DbSession) -> Response[bytes]:
    row = await checkpoints.latest(db_session)
    if row is None:
        raise NotFound(_("还没有审计链锚点"))
    return _json(checkpoints.published(row))


@get("/audit/checkpoints.json")
async def checkpoint_history_json(db_session: DbSession) -> Response[bytes]:
    """The whole history, oldest first, for inspectors (and anyone) to keep."""
    rows = await checkpoints.history(db_session)
    return _json([checkpoints.published(row) for row in rows], "audit-checkpoints.json")


@get("/audit/checkpoints.csv")
async def checkpoint_history_csv(db_session: DbSession) -> Response[bytes]:
    text = checkpoints.history_csv(await checkpoints.history(db_session))
    return Response(("\ufeff" + text).encode("utf-8"), media_type="text/csv; charset=utf-8",  # BOM: Excel reads UTF-8
                    headers={"content-disposition": 'attachment; filename="audit-checkpoints.csv"'})


@get("/audit/public-key")
async def public_key(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The key that signs checkpoints: raw (base64), PEM, and its SHA-256 fingerprint."""
    key = _key(request)
    return _json({"algorithm": ALGORITHM, "key_id": key.key_id, "fingerprint_sha256": key.fingerprint,
                  "public_key": base64.b64encode(key.public_key).decode("ascii"), "pem": key.public_pem()})


@get("/audit/public-key.pem")
async def public_key_pem(request: Request[Any, Any, Any]) -> Response[str]:
    return Response(_key(request).public_pem(), media_type="application/x-pem-file",
                    headers={"content-disposition": 'inline; filename="arena-audit-key.pem"'})


ROUTES = [audit_log, audit_export_xlsx, audit_export_csv, verify, checkpoint_list, latest_checkpoint,
          checkpoint_history_json, checkpoint_history_csv, public_key, public_key_pem]
