"""Accepting an upload: type by content, size limit, stored by hash, recorded as a StoredFile.

The checks unpack zip-based files and the store hashes up to 20 MB: both run in a worker thread,
a few at a time (arena.offload.ARCHIVES), never on the event loop."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from arena import offload
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
    store.check_archive(data)  # a zip bomb: refused before anything opens it again
    kind = store.sniff(data)
    if kind is None:
        allowed = "、".join(k.label for k in store.ALLOWED)
        raise store.UploadRejected(_("只能上传以下类型的文件：{types}（按文件内容识别）").format(types=allowed))
    return kind


def _check_and_save(files_dir: Path, filename: str, data: bytes) -> tuple[store.Kind, str]:
    kind = check_upload(filename, data)
    return kind, store.save(files_dir, data)


async def accept_upload(db: AsyncSession, actor: Actor, files_dir: Path, filename: str, data: bytes) -> StoredFile:
    kind, digest = await offload.run(offload.ARCHIVES, _check_and_save, files_dir, filename, data)
    stored = StoredFile(sha256=digest, size=len(data), media_type=kind.media_type,
                        filename=store.clean_name(filename, kind), uploaded_by_id=actor.user_id)
    db.add(stored)
    await db.flush()
    return stored
