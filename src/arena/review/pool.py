"""The expert pool (专家库) as an expert keeps their part of it: fields and declared conflicts;
and a bid's attachments as an expert may download them (in blind review, the rebuilt copy)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from arena.actor import Actor
from arena.audit import service as audit
from arena.bids.models import Bid, BidVersion
from arena.clock import Clock
from arena.db import dialect_insert
from arena.errors import FormErrors, NotFound
from arena.files import sanitize, store
from arena.files.models import StoredFile
from arena.files.store import Download
from arena.i18n import gettext as _
from arena.notify.models import SentReminder
from arena.notify.service import notify
from arena.review.models import ExpertConflict
from arena.review.service import expert_of
from arena.review.sheets import SheetContext
from arena.units import service as units_service
from arena.units.models import Cadre, Expert, Field, Unit

logger = logging.getLogger("arena.review")


async def profile(db: AsyncSession, actor: Actor) -> dict[str, Any]:
    found = await expert_of(db, actor)
    expert = await db.scalar(select(Expert).where(Expert.id == found.id).options(
        selectinload(Expert.fields), selectinload(Expert.unit)))
    assert expert is not None
    fields = (await db.scalars(select(Field).order_by(Field.name))).all()
    conflicts = (await db.execute(
        select(ExpertConflict, Cadre.name, Cadre.code, Unit.name)
        .outerjoin(Cadre, Cadre.id == ExpertConflict.cadre_id).outerjoin(Unit, Unit.id == ExpertConflict.unit_id)
        .where(ExpertConflict.expert_id == expert.id).order_by(ExpertConflict.declared_at.desc()))).all()
    units = (await db.scalars(select(Unit).order_by(Unit.code))).all()
    return {"expert": expert, "fields": fields, "mine": {f.id for f in expert.fields}, "conflicts": conflicts,
            "units": units}


async def set_fields(db: AsyncSession, clock: Clock, actor: Actor, field_ids: list[str]) -> None:
    """The expert's own fields (领域), which the draw matches on; the units area changes the row."""
    found = await expert_of(db, actor)
    await units_service.set_expert_fields(db, clock, actor, found.id, {int(f) for f in field_ids if f.isdigit()})


async def declare_conflict(db: AsyncSession, clock: Clock, actor: Actor, kind: str, target: str, reason: str) -> None:
    """Declare a conflict with a cadre (by staff number) or a unit (by code). Declarations are kept:
    a conflict is not taken back."""
    expert = await expert_of(db, actor)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("请填写回避理由")
    elif len(reason) > 1000:
        errors["reason"] = _("回避理由最多 1000 字")
    conflict = ExpertConflict(expert_id=expert.id, reason=reason.strip(), declared_at=clock.now())
    if kind == "cadre":
        cadre_id = await db.scalar(select(Cadre.id).where(Cadre.code == target))
        if cadre_id is None:
            errors["target"] = _("没有工号为“{code}”的干部").format(code=target[:32])
        conflict.cadre_id = cadre_id
    elif kind == "unit":
        unit_id = await db.scalar(select(Unit.id).where(Unit.code == target))
        if unit_id is None:
            errors["target"] = _("请选择单位")
        conflict.unit_id = unit_id
    else:
        errors["kind"] = _("请选择回避对象的类型")
    if errors:
        raise FormErrors(errors)
    db.add(conflict)
    await db.flush()
    await audit.record(db, clock, actor, "expert", "expert.conflict", "expert", expert.id,
                       {"kind": kind, "target": target, "reason": reason.strip()})


@dataclass(frozen=True)
class Withheld:
    """A blind copy that could not be made: the expert is told so, never given the original."""

    message: str


async def attachment_for_expert(db: AsyncSession, clock: Clock, files_dir: Path, ctx: SheetContext,
                                index: int) -> Download | Withheld:
    """The submitted version's `index`-th attachment, named by the bid's review code. When blind,
    the copy rebuilt without who-made-it (files/sanitize.py), made once and kept for every expert;
    a file that cannot be made safe is withheld and its organizer told which file it is."""
    bid = await db.get(Bid, ctx.sheet.bid_id)
    assert bid is not None
    version = await db.scalar(select(BidVersion).where(BidVersion.bid_id == bid.id,
                                                       BidVersion.version_no == bid.submitted_version))
    assert version is not None
    listed = json.loads(version.content)["attachments"]
    if not 1 <= index <= len(listed):
        raise NotFound(_("没有找到这个附件"))
    stored = await db.get(StoredFile, listed[index - 1]["file"])
    if stored is None:
        raise NotFound(_("没有找到这个附件"))
    if ctx.challenge.blind_review:
        kind = next((k for k in store.ALLOWED if k.media_type == stored.media_type), None)
        try:
            if kind is None:
                raise sanitize.Unsafe(f"unknown type {stored.media_type}")
            data = await sanitize.blind_copy(files_dir, stored.sha256, kind)
        except sanitize.Unsafe as exc:
            await _tell_organizer(db, clock, ctx, bid, index, stored, exc.reason)
            return Withheld(_("这个附件无法生成不含作者信息的匿名副本，为保护匿名评审不提供下载。"
                              "已通知发榜单位处理。"))
    else:
        data = store.load(files_dir, stored.sha256)
        kind = store.sniff(data)
        if kind is None:
            raise NotFound(_("没有找到这个附件"))
    name = f"{ctx.code}-附件{index}.{kind.extension}"
    return Download(data, kind.media_type,
                    store.content_disposition(name, f"{ctx.code}-attachment-{index}.{kind.extension}"))


async def _tell_organizer(db: AsyncSession, clock: Clock, ctx: SheetContext, bid: Bid, index: int,
                          stored: StoredFile, reason: str) -> None:
    """Once per file and organizer (the sent_reminder key decides, however many experts try)."""
    logger.warning("blind copy refused: stored file %s (%s): %s", stored.id, stored.sha256, reason)
    organizer = ctx.challenge.organizer_id
    now = clock.now()
    claimed = await db.execute(dialect_insert(db, SentReminder).values(
        rule="review.blind_file_refused", object_type="stored_file", object_id=f"{bid.id}:{stored.id}",
        recipient_id=organizer, sent_at=now, created_at=now, updated_at=now).on_conflict_do_nothing())
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return
    await notify(db, clock, [organizer], "review.blind_file_refused",
                 _("匿名评审附件无法提供：{title}").format(title=ctx.challenge.title),
                 _("揭榜申报 {number} 的附件{index}（{filename}）无法生成不含作者信息的匿名副本，专家下载时已被拒绝。"
                   "请联系揭榜人改交不含作者、批注和修订信息的文件（例如另存为 PDF）。").format(
                     number=bid.number, index=index, filename=stored.filename),
                 f"/organizer/challenges/{ctx.challenge.id}/review")
