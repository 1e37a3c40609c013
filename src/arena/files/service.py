"""Accepting an upload: type by content, size limit, stored by hash, recorded as a StoredFile."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.files import store
from arena.files.models import StoredFile
from arena.i18n import gettext as _


def check_upload(filename: str, data: bytes) -> store.Kind:
    """The upload's real type, or UploadRejected with a message for the person uploading."""
    if not data:
        raise store.UploadRejected(_("文件是空的"))
    if len(data) > store.MAX_BYTES:
        raise store.UploadRejected(_("文件超过 {n} MB").format(n=store.MAX_BYTES // (1024 * 1024)))
    kind = store.sniff(data)
    if kind is None:
        allowed = "、".join(k.label for k in store.ALLOWED)
        raise store.UploadRejected(_("只能上传以下类型的文件：{types}（按文件内容识别）").format(types=allowed))
    return kind


async def accept_upload(db: AsyncSession, actor: Actor, files_dir: Path, filename: str, data: bytes) -> StoredFile:
    kind = check_upload(filename, data)
    digest = store.save(files_dir, data)
    stored = StoredFile(sha256=digest, size=len(data), media_type=kind.media_type,
                        filename=store.clean_name(filename, kind), uploaded_by_id=actor.user_id)
    db.add(stored)
    await db.flush()
    return stored
