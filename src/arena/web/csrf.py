"""A CSRF cookie signed with an earlier ARENA_SECRET_KEY is replaced at the next page.

Litestar's CSRF middleware checks the cookie's signature only when a form is posted; on a page
(GET) it hands the page whatever token the browser's cookie holds. After the secret key is
rotated (README, production, "Key rotation") a browser that kept its cookie would get pages
carrying a token signed with the old key, and every form would fail until the browser was
closed. So on a safe request a cookie that does not verify under the current secret is taken
out of the request before the middleware sees it: the middleware then issues a fresh token and
sets the cookie, and the page's forms work. A form opened before the rotation still fails once,
with 页面已过期 (its token was signed with the old key); reloading the page is enough.
"""

from __future__ import annotations

from hmac import compare_digest
from typing import cast

from litestar.config.csrf import CSRFConfig
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send


def signed_with(token: str, secret: str) -> bool:
    """Whether `token` (random part + HMAC, as Litestar makes it) was signed with `secret`."""
    if len(token) <= CSRF_SECRET_LENGTH:
        return False
    random_part, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return compare_digest(signature, generate_csrf_hash(token=random_part, secret=secret))


def without_stale_cookie(header: bytes, name: str, secret: str) -> bytes:
    """A Cookie header without the CSRF cookie when that cookie does not verify under `secret`."""
    kept = []
    for part in header.decode("latin-1").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and not signed_with(value.strip('"'), secret):
            continue
        kept.append(part.strip())
    return "; ".join(kept).encode("latin-1")


class RenewStaleCsrfCookie:
    """Wraps the whole app, outside everything that reads cookies (they are parsed once a request)."""

    def __init__(self, app: ASGIApp, config: CSRFConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] in self.config.safe_methods:
            scope = self._renewed(cast(HTTPScope, scope))
        await self.app(scope, receive, send)

    def _renewed(self, scope: HTTPScope) -> HTTPScope:
        name, secret = self.config.cookie_name, self.config.secret
        headers = [(key, without_stale_cookie(value, name, secret) if key == b"cookie" else value)
                   for key, value in scope["headers"]]
        if headers == list(scope["headers"]):
            return scope
        return cast(HTTPScope, {**scope, "headers": headers})
