"""Reading one uploaded file (with its title) from a multipart form, for any area's routes."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from arena.actor import Actor
from arena.files import store
from arena.files.models import StoredFile
from arena.files.service import accept_upload
from arena.files.store import MAX_BYTES, UploadRejected
from arena.i18n import gettext as _
from arena.web.limits import spend, upload_limit

TITLE_MAX = 200


async def _spend_upload_budget(request: Request[Any, Any, Any], actor: Actor, files: int) -> None:
    """Uploads per account per minute (ARENA_UPLOAD_RATE_LIMIT): checked before reading a byte."""
    decision = await spend(request, upload_limit(request), f"user:{actor.user_id}", files)
    if not decision.allowed:
        raise UploadRejected(_("上传过于频繁，请 {seconds} 秒后再试。").format(seconds=decision.reset))


async def receive_upload(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor) -> tuple[str, StoredFile]:
    """(title, stored file) from the form's `title` and `file`, or UploadRejected with the reason."""
    form = await request.form()
    upload, title = form.get("file"), str(form.get("title") or "").strip()
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise UploadRejected(_("请选择要上传的文件"))
    if len(title) > TITLE_MAX or "<" in title:
        raise UploadRejected(_("附件名称最多 200 个字符，且不能包含 HTML 标记"))
    await _spend_upload_budget(request, actor, 1)
    data = await upload.read(MAX_BYTES + 1)  # one byte more than allowed: enough to refuse it
    stored = await accept_upload(db, actor, request.app.state.settings.files_dir, upload.filename, data)
    return title, stored


async def receive_files(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, name: str = "evidence",
                        limit: int = 5) -> list[tuple[str, StoredFile]]:
    """Every file posted under `name` (evidence with a report, an objection, a request), each
    checked by content and stored; titled by its cleaned file name. UploadRejected names the file."""
    form = await request.form()
    uploads = [u for u in form.getall(name, []) if isinstance(u, UploadFile) and u.filename]
    if len(uploads) > limit:
        raise UploadRejected(_("最多上传 {n} 个文件").format(n=limit))
    if uploads:
        await _spend_upload_budget(request, actor, len(uploads))
    stored = []
    for upload in uploads:
        data = await upload.read(MAX_BYTES + 1)
        try:
            found = await accept_upload(db, actor, request.app.state.settings.files_dir, upload.filename, data)
        except UploadRejected as exc:
            raise UploadRejected(f"{upload.filename[:80]}：{exc.message}") from exc
        stored.append((found.filename, found))
    return stored


def download(request: Request[Any, Any, Any], stored: StoredFile, fallback_stem: str) -> Response[bytes]:
    """A stored file for someone the caller has checked may read it: under its cleaned name (with
    an ASCII fallback), never cached by shared caches."""
    data = store.load(request.app.state.settings.files_dir, stored.sha256)
    extension = stored.filename.rsplit(".", 1)[-1]
    return Response(data, media_type=stored.media_type, headers={
        "content-disposition": store.content_disposition(stored.filename, f"{fallback_stem}.{extension}"),
        "cache-control": "private, no-store"})
