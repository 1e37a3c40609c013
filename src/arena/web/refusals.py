"""The one refusal path of every form handler: try the action; when a rule refuses it, undo
what it wrote and give the page its messages, so the form comes back filled in.

    form = await read_form(request)
    async with attempt(db_session, field="reason") as refused:
        await service.cancel(db_session, clock, actor, challenge, form.raw("reason"))
    if refused:
        return await _page(request, ..., errors=refused.errors, refusal=refused.message, values=form.data)
    return redirect(request, ...)

Why one path (issue 23): each handler had its own copy of "catch, roll back, re-render", and
the copies disagreed — most caught the parent DomainError, so an object that does not exist
or may not be acted on came back as a 400 form error. Here NotFound and PermissionDenied are
never refusals: they go on to the app, which answers 404 / 403 (arena.web.errors), the same
as on any other page. Unexpected exceptions go on too (the 500 page; the request's session
rolls back). Everything else a service raises for the person to read — FormErrors, any other
DomainError, a rejected upload — is a refusal:

- the session is rolled back: nothing the action wrote stays (its audit event included),
  unless the error says its own writes must stand (`DomainError.keeps_writes`: a wrong
  re-entered password is counted);
- `errors` maps a field to its message: a FormErrors' own map; otherwise the message on the
  error's `field`, or on the field the handler names (`upload_field` for a rejected upload);
- `message` is the refusal that belongs to no field, for the page's banner (`refusal` in
  the templates); None when the message is on a field;
- `summary` is every message in one line (an autosave's status);
- `error` is the exception, for the few pages that answer a kind differently (a stale
  draft is a 409).

The rollback expires every object loaded before it: load again what the page shows.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession

from arena.errors import DomainError, FormErrors, NotFound, PermissionDenied
from arena.files.store import UploadRejected


class Refusal:
    """The outcome of `attempt`: falsy while nothing was refused."""

    def __init__(self, db: AsyncSession, field: str | None, upload_field: str | None) -> None:
        self._db = db
        self._field = field
        self._upload_field = upload_field
        self.error: DomainError | UploadRejected | None = None
        self.errors: dict[str, str] = {}
        self.message: str | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def summary(self) -> str:
        """Every message in one line, for a small fragment (an autosave's status) or one field."""
        return "；".join(self.errors.values()) or self.message or ""

    async def __aenter__(self) -> Refusal:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> bool:
        if isinstance(exc, (NotFound, PermissionDenied)) or not isinstance(exc, (DomainError, UploadRejected)):
            return False  # 404 / 403 / 500: the app answers, not the form
        if not (isinstance(exc, DomainError) and exc.keeps_writes):
            await self._db.rollback()
        self.error = exc
        if isinstance(exc, FormErrors):
            self.errors = dict(exc.errors)
            return True
        field = (exc.field if isinstance(exc, DomainError) else self._upload_field) or self._field
        if field:
            self.errors = {field: exc.message}
        else:
            self.message = exc.message
        return True


def attempt(db: AsyncSession, *, field: str | None = None, upload_field: str | None = None) -> Refusal:
    """`async with attempt(db_session) as refused:` around a form's action; see the module
    docstring. `field` places a refusal that names no field of its own (else it is the banner
    `message`); `upload_field` places a rejected upload (else as `field`)."""
    return Refusal(db, field, upload_field)
