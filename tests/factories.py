"""Small factories for arranging data (STYLE: factories, not giant shared fixtures)."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth import passwords
from arena.auth.models import Role, User, UserRole
from arena.units.models import Cadre, Expert, Field, Rank, Unit

_seq = itertools.count(1)
_PASSWORD_HASH = passwords.hash_password("arena-demo")


async def make_user(db: AsyncSession, username: str | None = None, *roles: Role, name: str = "测试用户",
                    password_hash: str | None = _PASSWORD_HASH, active: bool = True) -> User:
    user = User(username=username or f"user{next(_seq)}", display_name=name, password_hash=password_hash,
                is_active=active, roles=[UserRole(role=r.value) for r in roles])
    db.add(user)
    await db.flush()
    return user


async def make_unit(db: AsyncSession, name: str | None = None, parent: Unit | None = None) -> Unit:
    n = next(_seq)
    unit = Unit(code=f"U{n}", name=name or f"测试单位{n}", parent_id=parent.id if parent else None)
    db.add(unit)
    await db.flush()
    return unit


async def make_field(db: AsyncSession, name: str | None = None, frontline: bool = False) -> Field:
    fld = Field(name=name or f"领域{next(_seq)}", frontline=frontline)
    db.add(fld)
    await db.flush()
    return fld


async def make_cadre(db: AsyncSession, unit: Unit, user: User | None = None, *, name: str = "张三",
                     rank: Rank = Rank.SECTION, birth_date: date = date(1990, 1, 1),
                     fields: list[Field] | None = None, frontline: bool = False) -> Cadre:
    cadre = Cadre(code=f"GB{next(_seq):05d}", user_id=user.id if user else None, name=name, unit_id=unit.id,
                  position="科长", rank=rank.value, birth_date=birth_date, frontline=frontline)
    cadre.fields = list(fields or [])
    db.add(cadre)
    await db.flush()
    return cadre


async def make_expert(db: AsyncSession, unit: Unit, user: User | None = None, *, name: str = "李四",
                      fields: list[Field] | None = None, cap: int = 6) -> Expert:
    expert = Expert(code=f"ZJ{next(_seq):05d}", user_id=user.id if user else None, name=name, unit_id=unit.id,
                    title="教授", annual_panel_cap=cap)
    expert.fields = list(fields or [])
    db.add(expert)
    await db.flush()
    return expert


def person(user_id: int | None, *roles: Role) -> Actor:
    """An actor for policy tables (no database row behind it)."""
    return Actor(user_id=user_id, username=f"user{user_id}", display_name="测试", roles=frozenset(roles))
