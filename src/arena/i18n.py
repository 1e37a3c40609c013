"""Simplified Chinese is the source language; English comes from .po catalogs.

Message ids are the Chinese text itself, so the default UI can never show a missing
translation. Each area keeps its own catalog (locale/en/LC_MESSAGES/<area>.po) so that work on
different areas never edits the same file; they are merged at load. The current locale lives
in a context variable set per request.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).parent / "locale"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid → translation for one locale, merged from every area's .po file."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.string and isinstance(message.id, str):
                    messages[message.id] = str(message.string)
    return messages


def gettext(message: str) -> str:
    locale = current_locale.get()
    if locale == DEFAULT_LOCALE:
        return message
    return catalog(locale).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    # Chinese has no plural forms; English catalogs give the plural as its own msgid.
    return gettext(singular if n == 1 else plural)


_ = gettext


def lazy(message: str) -> str:
    """Mark a module-level string for extraction; translate it with `gettext` when shown."""
    return message


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie wins; otherwise Chinese, unless the browser asks for English first."""
    if cookie in LOCALES:
        return cookie
    if accept_language and accept_language.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE
