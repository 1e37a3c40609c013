"""API clients (接口客户端): issuing and revoking tokens, and recognising them on a request.

A token is `arena_` + 256 random bits, shown to the admin once. Only its SHA-256 is stored: a
request is recognised by looking the hash up (so no secret is ever compared character by
character), and the database alone can never be used to call the API. Issuing and revoking
write their audit event in the caller's transaction; the token itself is never logged.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arena.actor import Actor
from arena.api.errors import ApiError, unauthorized
from arena.api.models import ApiClient, Scope
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.clock import Clock, to_display
from arena.db import get_or_none, transaction
from arena.errors import DomainError, FormErrors, NotFound
from arena.i18n import gettext as _
from arena.i18n import lazy

TOKEN_PREFIX = "arena_"  # noqa: S105 - not a secret: marks Arena tokens (for secret scanners, too)
PREFIX_SHOWN = 8  # characters after TOKEN_PREFIX kept for telling tokens apart
NAME_MAX = 100
MAX_TOKEN_CHARS = 200  # a real token is 49 characters; anything far longer is not worth hashing
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often per client

SCOPE_LABELS: dict[str, str] = {
    Scope.CHALLENGES: lazy("已发布榜单"),
    Scope.RESULTS: lazy("已公示评审结果"),
    Scope.RECORDS: lazy("已批准的结果运用记录"),
}

register_actions({
    "api_client.issue": lazy("发放接口令牌"),
    "api_client.revoke": lazy("吊销接口令牌"),
})


def scope_options() -> list[tuple[str, str]]:
    return [(scope.value, _(SCOPE_LABELS[scope])) for scope in Scope]


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def shown_prefix(token: str) -> str:
    return token.removeprefix(TOKEN_PREFIX)[:PREFIX_SHOWN]


# --- issuing and revoking ------------------------------------------------------------------------

@dataclass(frozen=True)
class Issued:
    """The new client and its token: the only moment the token exists outside the client's hands."""

    client: ApiClient
    token: str


def _clean_name(raw: str) -> str:
    return " ".join("".join(ch for ch in raw if unicodedata.category(ch)[0] != "C").split())


async def _check_new_client(db: AsyncSession, name: str, scopes: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写客户端名称")
    elif len(name) > NAME_MAX:
        errors["name"] = _("客户端名称最多 {n} 个字符").format(n=NAME_MAX)
    elif await db.scalar(select(ApiClient.id).where(func.lower(ApiClient.name) == name.lower())):
        errors["name"] = _("已有同名的客户端，请换一个名称")
    known = {scope.value for scope in Scope}
    if not scopes:
        errors["scopes"] = _("请至少选择一项权限范围")
    elif not set(scopes) <= known:
        errors["scopes"] = _("权限范围无效")
    return errors


async def issue(db: AsyncSession, clock: Clock, actor: Actor, raw_name: str, scopes: Iterable[str]) -> Issued:
    """A new client with a fresh token; FormErrors (nothing added) for a missing or taken name or
    no valid scope."""
    name, requested = _clean_name(raw_name), sorted(set(scopes))
    errors = await _check_new_client(db, name, requested)
    if errors:
        raise FormErrors(errors)
    chosen = [scope.value for scope in Scope if scope.value in requested]  # in the order the UI lists them
    token = new_token()
    client = ApiClient(name=name, token_prefix=shown_prefix(token), token_sha256=token_sha256(token),
                       scopes=",".join(chosen), created_by_id=actor.user_id)
    db.add(client)
    await db.flush()
    await audit.record(db, clock, actor, "admin", "api_client.issue", "api_client", client.id,
                       {"name": name, "scopes": chosen, "token_prefix": client.token_prefix})
    return Issued(client, token)


class AlreadyRevoked(DomainError):
    """A second revoke (a double submit, or two admins at once): nothing changes."""


async def get_client(db: AsyncSession, client_id: int, *, lock: bool = False) -> ApiClient:
    client = await get_or_none(db, ApiClient, client_id, for_update=lock)
    if client is None:
        raise NotFound(_("接口客户端不存在"))
    return client


async def revoke(db: AsyncSession, clock: Clock, actor: Actor, client_id: int) -> ApiClient:
    """Revoke at once: the next request with the token is refused. Revoking twice is refused."""
    client = await get_client(db, client_id, lock=True)  # two admins at once: one revokes, one is told
    if client.revoked_at is not None:
        shown = to_display(client.revoked_at)
        when = shown.strftime("%Y-%m-%d %H:%M") if shown else ""
        raise AlreadyRevoked(_("该客户端已于 {time} 吊销").format(time=when))
    client.revoked_at = clock.now()
    client.revoked_by_id = actor.user_id
    await db.flush()
    await audit.record(db, clock, actor, "admin", "api_client.revoke", "api_client", client.id,
                       {"name": client.name, "token_prefix": client.token_prefix})
    return client


async def list_clients(db: AsyncSession) -> list[ApiClient]:
    """Every client, newest first (a handful per deployment: no pagination needed)."""
    return list((await db.scalars(select(ApiClient).order_by(ApiClient.id.desc()))).all())


# --- recognising a request -----------------------------------------------------------------------

def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _sep, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return token


async def authenticate(db: AsyncSession, authorization: str | None) -> ApiClient:
    """The live client behind the header; ApiError 401 for a missing, unknown or revoked token."""
    token = bearer_token(authorization)
    if token is None:
        raise unauthorized(_("缺少访问令牌：请在 Authorization 请求头中提供 Bearer 令牌"))
    client = await db.scalar(select(ApiClient).where(ApiClient.token_sha256 == token_sha256(token)))
    if client is None or client.revoked_at is not None:
        # One answer for both: a caller cannot learn that a token once existed.
        raise unauthorized(_("访问令牌无效或已吊销"))
    return client


def require_scope(client: ApiClient, scope: Scope) -> None:
    if scope.value not in client.scope_set:
        raise ApiError(403, "forbidden", _("此令牌无权访问该接口（需要权限范围：{scope}）").format(scope=scope.value))


async def touch(session_maker: async_sessionmaker[AsyncSession], client: ApiClient, now: datetime) -> None:
    """Record use at most once a minute. Its own short transaction, so that a read-only request
    never becomes a writer (and a failed request still counts as use); the WHERE makes
    concurrent requests write once."""
    if client.last_used_at is not None and now - client.last_used_at < TOUCH_EVERY:
        return
    async with transaction(session_maker) as session:
        await session.execute(
            update(ApiClient)
            .where(ApiClient.id == client.id,
                   or_(ApiClient.last_used_at.is_(None), ApiClient.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now)
        )
