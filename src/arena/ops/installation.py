"""One Redis prefix, one installation: a restore rehearsal (or a second Arena) on the same Redis
must never share production's sessions.

Sessions and rate limits live under ARENA_REDIS_PREFIX. Were a rehearsal started with
production's environment on a copy of its database, a login made on the rehearsal would be a
valid session in production too. So the first process to start claims the prefix for its
database (host, port and name — not the password, which may change) and every later start
checks the claim: a process whose database is another one refuses to start, naming the prefix.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import make_url

from arena.settings import ConfigurationError

logger = logging.getLogger("arena.lifecycle")


def database_identity(database_url: str) -> str:
    """What makes two installations different: where their database is, not how one logs in."""
    url = make_url(database_url)
    place = f"{url.get_backend_name()}://{url.host or ''}:{url.port or ''}/{url.database or ''}"
    return hashlib.sha256(place.encode()).hexdigest()[:32]


def claim_key(prefix: str) -> str:
    return f"{prefix}:installation"


async def claim_prefix(redis: Any, prefix: str, database_url: str) -> None:
    """Claim the prefix for this database, or refuse when another database holds it.

    Redis being unreachable does not stop the start (pages answer 503 until it is back); the
    claim is then made by the next process that starts while Redis answers."""
    identity = database_identity(database_url)
    try:
        await redis.set(claim_key(prefix), identity, nx=True)
        holder = await redis.get(claim_key(prefix))
    except Exception as exc:
        logger.warning("redis unreachable at start, prefix %r not checked: %s", prefix, exc)
        return
    holder = holder.decode() if isinstance(holder, bytes) else holder
    if holder != identity:
        raise ConfigurationError(
            f"Redis 前缀 {prefix!r} 已被另一个数据库的 Arena 使用：恢复演练或第二套安装须设置自己的 ARENA_REDIS_PREFIX"
            f" / redis prefix {prefix!r} belongs to another installation's database: set ARENA_REDIS_PREFIX")
