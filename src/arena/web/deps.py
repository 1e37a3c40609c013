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
"""`actor: ActorDep` — the logged-in actor, never None (nobody logged in goes to the login page)."""
MaybeActor: TypeAlias = NamedDependency[Actor | None]
"""`viewer: MaybeActor` — the logged-in actor or None, on pages anyone may see."""
