"""Typed names for the app-level dependencies, so route signatures say what they receive."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.clock import Clock

DbSession: TypeAlias = NamedDependency[AsyncSession]
"""`db_session: DbSession` — the request's transaction, committed once when the handler returns."""
ClockDep: TypeAlias = NamedDependency[Clock]
ActorDep: TypeAlias = NamedDependency[Actor]
"""The logged-in actor, for routes behind the login guard."""
MaybeActor: TypeAlias = NamedDependency[Actor | None]
