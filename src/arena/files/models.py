"""Stored files: uploads kept outside the web root, named by their SHA-256."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from arena.db import Base


class StoredFile(Base):
    """One uploaded file. The bytes live in ARENA_FILES_DIR under their hash; never served directly.

    `filename` is the cleaned name shown to people allowed to see it; areas that must hide who
    uploaded a file (blind review) give their own download name instead.
    """

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
