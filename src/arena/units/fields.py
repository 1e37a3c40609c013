"""The admin's list of fields (领域): add and rename, never delete.

Challenges, cadres and experts refer to a field by its id, so a rename changes the name they
all show and keeps every link. Names are unique (the table says so too); a duplicate is refused
with a message, not an error page. Each change writes its audit event in the caller's
transaction; the catalogue cache sees the change through its listeners (catalogue_cache).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.audit import service as audit
from arena.audit.labels import register_actions
from arena.challenges.models import Challenge, challenge_eligible_field
from arena.clock import Clock
from arena.errors import FormErrors, NotFound
from arena.i18n import gettext as _
from arena.i18n import lazy
from arena.units.models import Field, cadre_field, expert_field

register_actions({
    "field.create": lazy("新增领域"),
    "field.rename": lazy("重命名领域"),
})

MAX_NAME = 32  # Field.name


@dataclass(frozen=True)
class FieldRow:
    field: Field
    cadres: int
    experts: int
    challenges: int  # as the challenge's field or among its eligible fields


async def field_rows(db: AsyncSession) -> list[FieldRow]:
    """Every field by id (the order pickers show), with what refers to it: four queries."""
    fields = (await db.scalars(select(Field).order_by(Field.id))).all()

    async def counts(column: object) -> dict[int, int]:
        rows = await db.execute(select(column, func.count()).group_by(column))  # type: ignore[call-overload]
        return {int(key): int(n) for key, n in rows.tuples().all() if key is not None}

    cadres = await counts(cadre_field.c.field_id)
    experts = await counts(expert_field.c.field_id)
    linked = select(Challenge.field_id.label("field_id"), Challenge.id.label("challenge_id")).where(
        Challenge.field_id.is_not(None)).union(
        select(challenge_eligible_field.c.field_id, challenge_eligible_field.c.challenge_id)).subquery()
    challenges = {int(key): int(n) for key, n in (await db.execute(
        select(linked.c.field_id, func.count()).group_by(linked.c.field_id))).tuples().all()}
    return [FieldRow(f, cadres.get(f.id, 0), experts.get(f.id, 0), challenges.get(f.id, 0)) for f in fields]


async def get_field(db: AsyncSession, field_id: int) -> Field:
    field = await db.get(Field, field_id)
    if field is None:
        raise NotFound(_("领域不存在"))
    return field


def clean_name(raw: str) -> str:
    """The name as stored: inner runs of white space made one space, ends trimmed."""
    return " ".join(raw.split())


async def _check_name(db: AsyncSession, name: str, own_id: int | None) -> None:
    if not name:
        raise FormErrors({"name": _("请填写领域名称")})
    if len(name) > MAX_NAME:
        raise FormErrors({"name": _("领域名称最多 {n} 个字符").format(n=MAX_NAME)})
    if any(ch in name for ch in "<>、，,；;/"):
        raise FormErrors({"name": _("领域名称不能包含尖括号或顿号、逗号、分号、斜杠（导入时用它们分隔多个领域）")})
    same = await db.scalar(select(Field.id).where(func.lower(Field.name) == name.lower(), Field.id != (own_id or 0)))
    if same is not None:
        raise FormErrors({"name": _("已有名为“{name}”的领域").format(name=name)})


async def create_field(db: AsyncSession, clock: Clock, actor: Actor, raw_name: str) -> Field:
    name = clean_name(raw_name)
    await _check_name(db, name, None)
    field = Field(name=name)
    db.add(field)
    await db.flush()
    await audit.record(db, clock, actor, "admin", "field.create", "field", field.id, {"name": name})
    return field


async def rename_field(db: AsyncSession, clock: Clock, actor: Actor, field: Field, raw_name: str) -> bool:
    """Rename in place (links stay); False when the name is unchanged (nothing recorded)."""
    name = clean_name(raw_name)
    if name == field.name:
        return False
    await _check_name(db, name, field.id)
    before = field.name
    field.name = name
    await audit.record(db, clock, actor, "admin", "field.rename", "field", field.id, {"before": before, "after": name})
    return True
