"""Small helpers shared by route modules."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request, Response

from arena.files.store import Download
from arena.web.forms import Form


async def read_form(request: Request[Any, Any, Any]) -> Form:
    """The submitted form; repeated names (checkboxes) become lists."""
    multi = await request.form()
    data: dict[str, Any] = {}
    for key in multi:
        values = multi.getall(key)
        data[key] = values if len(values) > 1 else values[0]
    return Form(data)


HEADER_SAFE = "!#$%&'()*+,/:;=?@[]~"
"""Characters a location keeps as they are; any other (a Chinese search term, a quote, CR/LF)
is percent-encoded, so a header is always plain ASCII (issue 26: a 500 from /login?next=/中文)."""


def send(download: Download) -> Response[bytes]:
    """The answer that hands over a file a service made (a PDF, a workbook, a blind copy)."""
    return Response(download.data, media_type=download.media_type,
                    headers={"content-disposition": download.disposition})


def header_safe(location: str) -> str:
    """`location` made of safe ASCII characters only, meaning the same to the browser."""
    return quote(location, safe=HEADER_SAFE)


def redirect(request: Request[Any, Any, Any], location: str, status_code: int = 303) -> Response[str]:
    """Redirect after a successful POST (HX-Redirect for htmx so the whole page changes)."""
    location = header_safe(location)
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": location})
    return Response("", status_code=status_code, headers={"Location": location})


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path of safe characters, or `default`: never an open redirect, never a header
    that cannot be sent. Control characters, spaces and backslashes refuse the target; other
    characters (a Chinese path or query) come back percent-encoded."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in target):
        return default
    safe = header_safe(target)
    parts = urlsplit(safe)
    if parts.scheme or parts.netloc:
        return default
    return safe


def client_address(request: Request[Any, Any, Any]) -> str:
    client = request.client
    return client.host if client else "unknown"
