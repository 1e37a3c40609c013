"""Server-side login sessions, shared by every app process.

The cookie holds a random token; the server keeps only its SHA-256 with the user id and the
expiry — in the database by default, or in Redis when ARENA_REDIS_URL is set. A new token is
issued at every login (the session id rotates) and logout revokes it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import SESSION_COOKIE as SESSION_COOKIE  # defined in the core: arena.web.context reads it
from arena.actor import Actor
from arena.auth.models import Role, User, UserRole, WebSession

SESSION_LIFETIME = timedelta(hours=12)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore(Protocol):
    async def create(self, db: AsyncSession, user_id: int, now: datetime, remote_addr: str | None) -> str: ...

    async def user_id(self, db: AsyncSession, token: str, now: datetime) -> int | None: ...

    async def actor(self, db: AsyncSession, token: str, now: datetime) -> Actor | None:
        """The active account behind a live session, with its roles (runs on every request)."""
        ...

    async def revoke(self, db: AsyncSession, token: str, now: datetime) -> None: ...

    async def revoke_all(self, db: AsyncSession, user_id: int, now: datetime) -> None: ...


class DatabaseSessionStore:
    """Sessions as rows of `web_session`, written in the request's own transaction."""

    async def create(self, db: AsyncSession, user_id: int, now: datetime, remote_addr: str | None) -> str:
        token = new_token()
        db.add(WebSession(token_hash=token_hash(token), user_id=user_id, expires_at=now + SESSION_LIFETIME,
                          remote_addr=(remote_addr or "")[:64] or None))
        await db.flush()
        return token

    async def user_id(self, db: AsyncSession, token: str, now: datetime) -> int | None:
        row = (
            await db.execute(
                select(WebSession.user_id).where(
                    WebSession.token_hash == token_hash(token),
                    WebSession.revoked_at.is_(None),
                    WebSession.expires_at > now,
                )
            )
        ).first()
        return row.user_id if row else None

    async def actor(self, db: AsyncSession, token: str, now: datetime) -> Actor | None:
        # One query: session, account and roles joined, no ORM objects built.
        rows = (
            await db.execute(
                select(User.id, User.username, User.display_name, UserRole.role)
                .join(WebSession, WebSession.user_id == User.id)
                .outerjoin(UserRole, UserRole.user_id == User.id)
                .where(WebSession.token_hash == token_hash(token), WebSession.revoked_at.is_(None),
                       WebSession.expires_at > now, User.is_active.is_(True))
            )
        ).all()
        return actor_from_rows(rows)

    async def revoke(self, db: AsyncSession, token: str, now: datetime) -> None:
        await db.execute(
            update(WebSession).where(WebSession.token_hash == token_hash(token), WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all(self, db: AsyncSession, user_id: int, now: datetime) -> None:
        await db.execute(
            update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


class RedisSessionStore:
    """Sessions as Redis keys with a TTL; a per-user set lets a password reset revoke them all.

    Each session also names the installation (database) that made it, and is refused by any
    other: a restore rehearsal holds production's accounts under the same ids, so a session it
    made must never be a login in production — not even if both ended up on one Redis prefix
    (the prefix claim, arena.ops.installation, is only checked at start and may be lost with
    Redis's data)."""

    def __init__(self, redis_url: str, prefix: str = "arena", installation: str = "") -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(redis_url)
        self.prefix = prefix
        self.installation = installation

    def _key(self, token: str) -> str:
        return f"{self.prefix}:session:{token_hash(token)}"

    def _user_key(self, user_id: int) -> str:
        return f"{self.prefix}:user-sessions:{user_id}"

    async def create(self, db: AsyncSession, user_id: int, now: datetime, remote_addr: str | None) -> str:
        token = new_token()
        seconds = int(SESSION_LIFETIME.total_seconds())
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(token), f"{user_id}@{self.installation}", ex=seconds)
            pipe.sadd(self._user_key(user_id), token_hash(token))
            pipe.expire(self._user_key(user_id), seconds)
            await pipe.execute()
        return token

    async def user_id(self, db: AsyncSession, token: str, now: datetime) -> int | None:
        value = await self.redis.get(self._key(token))
        if not value:
            return None
        user_id, _, installation = (value.decode() if isinstance(value, bytes) else str(value)).partition("@")
        return int(user_id) if installation == self.installation else None

    async def actor(self, db: AsyncSession, token: str, now: datetime) -> Actor | None:
        user_id = await self.user_id(db, token, now)
        if user_id is None:
            return None
        rows = (
            await db.execute(
                select(User.id, User.username, User.display_name, UserRole.role)
                .outerjoin(UserRole, UserRole.user_id == User.id)
                .where(User.id == user_id, User.is_active.is_(True))
            )
        ).all()
        return actor_from_rows(rows)

    async def revoke(self, db: AsyncSession, token: str, now: datetime) -> None:
        await self.redis.delete(self._key(token))

    async def revoke_all(self, db: AsyncSession, user_id: int, now: datetime) -> None:
        hashes = await self.redis.smembers(self._user_key(user_id))
        keys = [f"{self.prefix}:session:{h.decode() if isinstance(h, bytes) else h}" for h in hashes]
        if keys:
            await self.redis.delete(*keys)
        await self.redis.delete(self._user_key(user_id))


def actor_from_rows(rows: Sequence[Any]) -> Actor | None:
    """Rows of (id, username, display_name, role) for one account → its Actor."""
    if not rows:
        return None
    roles = frozenset(Role(row.role) for row in rows if row.role in Role.__members__.values())
    first = rows[0]
    return Actor(user_id=first.id, username=first.username, display_name=first.display_name, roles=roles)


def create_session_store(redis_url: str | None, prefix: str = "arena", installation: str = "") -> SessionStore:
    """`installation` names the database (arena.ops.installation.database_identity): a Redis
    session made by another installation is refused."""
    return RedisSessionStore(redis_url, prefix, installation) if redis_url else DatabaseSessionStore()
