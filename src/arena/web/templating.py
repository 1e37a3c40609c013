"""Jinja2 environment and page/fragment rendering.

One route renders either the whole page or, for an htmx request, just the named block of the
same template (STYLE: pages and HTMX) — never a second copy of the markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.utils.scope.state import ScopeState

from arena import RESOURCE_ROOT, i18n
from arena.actor import ROLE_LABELS
from arena.clock import OffsetClock, to_display
from arena.web.nav import nav_for

TEMPLATE_DIR = RESOURCE_ROOT / "templates"


def format_datetime(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    shown = to_display(moment)
    return shown.strftime(fmt) if shown else ""


def format_date(day: date | None) -> str:
    return day.isoformat() if day else ""


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def date_words(day: date | datetime | None) -> str:
    """A day as an official notice writes it: 2026年12月3日 (3 December 2026 in English); a
    moment is taken on its Beijing day."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = (to_display(day) or day).date()
    if i18n.current_locale.get() == "en":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def datetime_words(moment: datetime | None) -> str:
    """A moment in Beijing time as a notice writes it: 2026年12月3日 09:00 (3 December 2026, 09:00)."""
    shown = to_display(moment)
    if shown is None:
        return ""
    separator = ", " if i18n.current_locale.get() == "en" else " "
    return f"{date_words(shown.date())}{separator}{shown:%H:%M}"


def format_decimal(value: Decimal | int | None, places: int = 2) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):.{places}f}"


def format_number(value: Decimal | int | None) -> str:
    """A score or points as people write it: 30, 27.5 (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_file_size(size: int | None) -> str:
    """A file's size in the reader's language (Jinja's own filesizeformat says "Bytes")."""
    if size is None:
        return ""
    if size < 1024:
        return i18n.gettext("%(n)s 字节") % {"n": size}
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if size < scale * 1024 or unit == "GB":
            return f"{size / scale:.1f} {unit}"
    return str(size)


def role_label(code: str) -> str:
    return i18n.gettext(ROLE_LABELS.get(code, code))


def create_environment(*, auto_reload: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        auto_reload=auto_reload,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["dt"] = format_datetime
    env.filters["d"] = format_date
    env.filters["date_words"] = date_words
    env.filters["datetime_words"] = datetime_words
    env.filters["dec"] = format_decimal
    env.filters["num"] = format_number
    env.filters["filesizeformat"] = format_file_size
    env.filters["role_label"] = role_label
    env.globals["locale"] = lambda: i18n.current_locale.get()
    # The shared macros are also globals: an htmx fragment renders one block, which does not
    # run the template's top-level `{% from "_macros.html" import … %}`.
    macros = env.get_template("_macros.html").module
    env.globals.update({name: value for name, value in vars(macros).items() if not name.startswith("_")})
    return env


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The CSRF token, or "" where the CSRF middleware did not run (an unmatched path's 404)."""
    token = ScopeState.from_scope(request.scope).csrf_token
    return token if isinstance(token, str) else ""


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = request.state
    return {
        "request": request,
        "actor": state.get("actor"),
        "nav": nav_for(state.get("actor"), request.app.state.get("nav_paths")),
        "csrf_token": csrf_token(request),
        "path": request.url.path,
        "query": request.url.query,
        "unread_count": state.get("unread_count", 0),
        "rehearsal": rehearsal(request.app.state.get("clock")),
    }


def rehearsal(clock: object) -> dict[str, str] | None:
    """The banner of a rehearsal clock (ARENA_CLOCK_OFFSET): nobody mistakes it for real time."""
    if not isinstance(clock, OffsetClock):
        return None
    hours = int(clock.offset.total_seconds() // 3600)
    days, rest = divmod(abs(hours), 24)
    span = i18n.gettext("%(d)s 天 %(h)s 小时") % {"d": days, "h": rest}
    return {"now": format_datetime(clock.now()),
            "shift": (i18n.gettext("拨快 %(span)s") if hours >= 0 else i18n.gettext("拨慢 %(span)s")) % {"span": span}}


def render_html(request: Request[Any, Any, Any], template: str, context: Mapping[str, Any],
                block: str | None = None) -> str:
    env: Environment = request.app.state.jinja
    tpl = env.get_template(template)
    ctx = base_context(request) | dict(context)
    if block is not None:
        return "".join(tpl.blocks[block](tpl.new_context(ctx)))
    return tpl.render(ctx)


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response[str]:
    """Render `template`; for an htmx request that names no other target, only `fragment`."""
    use_block = fragment if fragment and request.headers.get("hx-request") == "true" else None
    body = render_html(request, template, context or {}, block=use_block)
    return Response(body, status_code=status_code, media_type="text/html",
                    headers=dict(headers or {}))
