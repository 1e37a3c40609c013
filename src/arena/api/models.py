"""API clients: an HR system's token, issued and revoked by an admin, stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from arena.api.enums import Scope as Scope  # the enums are plain Python (pure rules use them)
from arena.db import Base


class ApiClient(Base):
    """The token is shown once when issued; only its SHA-256 is kept (it is 256 random bits, so a
    slow password hash would add nothing). `token_prefix` lets the admin tell tokens apart."""

    __tablename__ = "api_client"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(100))  # comma-separated Scope values
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)
