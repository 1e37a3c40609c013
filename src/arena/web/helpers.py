"""Small helpers shared by route modules."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response

from arena.web.forms import Form


async def read_form(request: Request[Any, Any, Any]) -> Form:
    """The submitted form; repeated names (checkboxes) become lists."""
    multi = await request.form()
    data: dict[str, Any] = {}
    for key in multi:
        values = multi.getall(key)
        data[key] = values if len(values) > 1 else values[0]
    return Form(data)


def redirect(request: Request[Any, Any, Any], location: str, status_code: int = 303) -> Response[str]:
    """Redirect after a successful POST (HX-Redirect for htmx so the whole page changes)."""
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": location})
    return Response("", status_code=status_code, headers={"Location": location})


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def client_address(request: Request[Any, Any, Any]) -> str:
    client = request.client
    return client.host if client else "unknown"
