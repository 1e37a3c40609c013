"""Search-as-you-type pickers for people: cadres by name or staff number (工号), experts by name,
expert code or field (领域). Used wherever a form asks for a code typed by hand (team
invitations, assessors); the form still takes the typed code, so nothing needs JavaScript.

Who may look up whom (DESIGN §3: a role sees only what it must):
- cadres: cadres (to invite a colleague), organizers, administrators and inspectors, and only
  a cadre's name, unit and staff number; never birth date, rank or records. Not experts: an
  expert has no form that names a cadre by number, and in blind review should not browse them;
- experts: organizers and administrators only. Bidders never (blind review: the pool must not
  tell a bidder who may score them), nor experts or inspectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.auth.models import Role
from arena.pagination import clean_search, like_pattern
from arena.units.models import Cadre, Expert, Field, Unit, expert_field

LIMIT = 10
"""At most this many matches are shown; the picker says when there are more."""
MAX_QUERY = 32
CADRE_PICKERS = (Role.CADRE, Role.ORGANIZER, Role.ADMIN, Role.INSPECTOR)
EXPERT_PICKERS = (Role.ORGANIZER, Role.ADMIN)


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    unit: str
    detail: str = ""  # an expert's title and fields; empty for cadres


@dataclass(frozen=True)
class Matches:
    items: list[Match]
    more: bool  # there were more than LIMIT matches


def may_pick(actor: Actor | None, kind: str) -> bool:
    if actor is None or actor.user_id is None:
        return False
    return actor.has(*(CADRE_PICKERS if kind == "cadres" else EXPERT_PICKERS if kind == "experts" else ()))


def query_text(raw: str | None) -> str:
    return clean_search(raw)[:MAX_QUERY]


def _ranked(stmt: Select[*tuple[Any, ...]], model: type[Cadre] | type[Expert], text: str) -> Select[*tuple[Any, ...]]:
    """Exact code first, then names starting with the text, then the rest by name; LIMIT + 1 rows
    so the picker knows whether there are more."""
    code = text.upper()
    order = case((model.code == code, 0), (model.name.like(like_pattern(text)[1:], escape="\\"), 1), else_=2)
    return stmt.order_by(order, model.name, model.id).limit(LIMIT + 1)


async def cadres(db: AsyncSession, raw: str) -> Matches:
    """Cadres whose name contains the text or whose staff number starts with it (one statement)."""
    text = query_text(raw)
    if not text:
        return Matches([], False)
    stmt = (select(Cadre, Unit.name).join(Unit, Unit.id == Cadre.unit_id)
            .where(or_(Cadre.name.like(like_pattern(text), escape="\\"),
                       Cadre.code.like(like_pattern(text.upper())[1:], escape="\\"))))
    rows = (await db.execute(_ranked(stmt, Cadre, text))).tuples().all()
    return Matches([Match(c.code, c.name, unit) for c, unit in rows[:LIMIT]], len(rows) > LIMIT)


async def experts(db: AsyncSession, raw: str, *, with_account: bool = False) -> Matches:
    """Experts whose name contains the text, whose code starts with it or who work in a field
    whose name contains it (one statement, and one for the fields of the ten shown)."""
    text = query_text(raw)
    if not text:
        return Matches([], False)
    in_field = exists().where(expert_field.c.expert_id == Expert.id, Field.id == expert_field.c.field_id,
                              Field.name.like(like_pattern(text), escape="\\"))
    stmt = (select(Expert, Unit.name).join(Unit, Unit.id == Expert.unit_id)
            .where(or_(Expert.name.like(like_pattern(text), escape="\\"),
                       Expert.code.like(like_pattern(text.upper())[1:], escape="\\"), in_field)))
    if with_account:
        stmt = stmt.where(Expert.user_id.is_not(None))
    rows = (await db.execute(_ranked(stmt, Expert, text))).tuples().all()[:LIMIT + 1]
    shown = rows[:LIMIT]
    fields: dict[int, list[str]] = {e.id: [] for e, _unit in shown}
    if fields:
        for expert_id, name in (await db.execute(
                select(expert_field.c.expert_id, Field.name).join(Field, Field.id == expert_field.c.field_id)
                .where(expert_field.c.expert_id.in_(list(fields))).order_by(Field.name))).tuples():
            fields[expert_id].append(name)
    return Matches([Match(e.code, e.name, unit, " · ".join([e.title, *fields[e.id]]).strip(" ·"))
                    for e, unit in shown], len(rows) > LIMIT)
