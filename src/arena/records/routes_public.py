"""Certificate verification (证书核验), open to anyone: a code typed from paper or read from the
QR code says whether the certificate is genuine and what it certifies."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from arena.i18n import gettext as _
from arena.records import certificates
from arena.records.routes import labels
from arena.web.deps import DbSession
from arena.web.helpers import client_address
from arena.web.limits import retry_after, spend, verify_limit
from arena.web.templating import render


async def _verify(request: Request[Any, Any, Any], db: Any, code: str) -> Response[str]:
    if code:
        # Codes carry 60 random bits, so guessing is hopeless anyway; the limit keeps a script
        # from trying, and from loading the database while it does.
        decision = await spend(request, verify_limit(request), client_address(request))
        if not decision.allowed:
            message = _("核验过于频繁，请 {seconds} 秒后再试。").format(seconds=decision.reset)
            return render(request, "records/verify.html", {
                "code": code, "found": None, "c": None, "labels": labels(), "display": "", "error": message},
                status_code=429, headers=retry_after(decision))
    found = await certificates.verify(db, code) if code else None
    status = 200 if found is not None or not code else 404
    return render(request, "records/verify.html", {
        "code": code, "found": found, "c": found.content if found else None, "labels": labels(),
        "display": certificates.display(found.certificate.code) if found else ""}, status_code=status)


@get("/verify")
async def verify_form(request: Request[Any, Any, Any], db_session: DbSession) -> Response[str]:
    return await _verify(request, db_session, (request.query_params.get("code") or "").strip()[:40])


@get("/verify/{code:str}")
async def verify_code(request: Request[Any, Any, Any], db_session: DbSession, code: FromPath[str]) -> Response[str]:
    return await _verify(request, db_session, code.strip()[:40])


ROUTES = [verify_form, verify_code]
