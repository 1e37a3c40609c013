"""Domain errors: raised by services, turned into pages by the web layer.

A message is for the person using the page: it says what went wrong and, where it can, what
would make the action allowed.
"""

from __future__ import annotations

from typing import ClassVar

from arena.i18n import gettext as _


class LoginRequired(Exception):
    """No one is logged in; the web layer redirects to the login page (arena.web.guards raises it)."""


class DomainError(Exception):
    """A rule refused the action; `message` is shown to the user, `field` places it on a form."""

    keeps_writes: ClassVar[bool] = False
    """True when the refusal itself was recorded (a counted failure) and must be committed with
    the request, not rolled back with the action (arena.web.refusals)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist or the actor may not know that it does (answered as 404)."""


class PermissionDenied(DomainError):
    """The actor may know the object exists but may not do this to it (answered as 403)."""


class FormErrors(DomainError):
    """Several field errors at once; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def required_text(value: str, field: str, required: str, max_length: int) -> str:
    """A reason or explanation a decision needs: stripped, present, not too long, no NUL;
    otherwise FormErrors on `field` (with `required` when empty)."""
    value = value.strip()
    if not value:
        raise FormErrors({field: required})
    if len(value) > max_length or "\x00" in value:
        raise FormErrors({field: _("最多 {n} 个字符").format(n=max_length)})
    return value
