"""The announcement (榜单公告) as a PDF: A4, Noto CJK fonts embedded, text extractable.

The HTML comes from templates/documents/announcement.html (autoescaped like every page, so a
title with markup prints as text) and the look from static/css/print/announcement.css.
WeasyPrint takes 0.1–0.5 s a page, so it runs in a worker thread, at most two at a time per
process (arena.offload.PDFS, waited for in the loop: queued renders hold no thread), and may
fetch nothing but the print stylesheets: the document never reaches the network.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment

from arena import RESOURCE_ROOT, i18n, offload
from arena.challenges.queries import ChallengeView
from arena.challenges.questions import PublicAnswer
from arena.files.store import disposition as content_disposition  # noqa: F401 - routes import it from here

PRINT_DIR = RESOURCE_ROOT / "static" / "css" / "print"
ANNOUNCEMENT_CSS = PRINT_DIR / "announcement.css"
ENGLISH_CSS = PRINT_DIR / "announcement.en.css"  # page numbers as "Page N of M"
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # seven INFO lines per document


@cache
def _no_network() -> type[Any]:
    """A URL fetcher that reads only files under static/css/print while rendering. WeasyPrint is
    imported on the first PDF, not at start: it is a second of every process start otherwise
    (every app worker, `arena worker`, each CLI call) for something most requests never need."""
    from weasyprint.urls import URLFetcher

    class NoNetwork(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(PRINT_DIR.as_uri() + "/"):
                raise ValueError(f"refused while printing: {url[:80]}")
            return super().fetch(url, headers)

    return NoNetwork


def announcement_html(env: Environment, view: ChallengeView, now: datetime,
                      answers: Sequence[PublicAnswer] = ()) -> str:
    template = env.get_template("documents/announcement.html")
    return template.render(view=view, challenge=view.challenge, now=now, answers=answers)


def html_to_pdf(html: str, *, english: bool = False) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle

    fetcher = _no_network()(allowed_protocols=("file",))
    counters = CounterStyle()  # holds the stylesheet's @counter-style rules (一、二、…)
    sheets = [CSS(filename=str(ANNOUNCEMENT_CSS), url_fetcher=fetcher, counter_style=counters)]
    if english:
        sheets.append(CSS(filename=str(ENGLISH_CSS), url_fetcher=fetcher, counter_style=counters))
    pdf = HTML(string=html, base_url=PRINT_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf(
        stylesheets=sheets, counter_style=counters)
    assert pdf is not None
    return pdf


async def render_pdf(html: str, *, english: bool = False) -> bytes:
    """The PDF of `html`, rendered off the event loop when one of the few render slots is free."""
    return await offload.run(offload.PDFS, html_to_pdf, html, english=english)


CACHE_ENTRIES = 32
_cache: OrderedDict[str, bytes] = OrderedDict()
"""Recent PDFs by the hash of their HTML: a published announcement changes only by amendment,
so most downloads are repeats. Keyed on the exact HTML, a cached PDF can never be stale; it is
per process and only saves work (the processes stay stateless)."""
_rendering: dict[str, asyncio.Future[bytes]] = {}
"""Renders under way by key: a second reader waits for the first one's PDF."""


async def announcement_pdf(env: Environment, view: ChallengeView, now: datetime,
                           answers: Sequence[PublicAnswer] = ()) -> bytes:
    """Render the HTML here (it reads the request's locale), the PDF in a worker thread;
    `answers` are the published 答疑 (questions.published_answers), printed after the amendments."""
    html = announcement_html(env, view, now, answers)
    english = i18n.current_locale.get() == "en"
    key = hashlib.sha256(f"{english}|{html}".encode()).hexdigest()
    if (pdf := _cache.get(key)) is not None:
        _cache.move_to_end(key)
        return pdf
    if (pending := _rendering.get(key)) is not None:  # thirty readers of a new notice: one render
        return await asyncio.shield(pending)
    _rendering[key] = asyncio.ensure_future(render_pdf(html, english=english))
    try:
        pdf = await asyncio.shield(_rendering[key])
    finally:
        _rendering.pop(key, None)
    _cache[key] = pdf
    while len(_cache) > CACHE_ENTRIES:
        _cache.popitem(last=False)
    return pdf


def announcement_filename(view: ChallengeView) -> tuple[str, str]:
    """(ASCII fallback, Chinese) download names, e.g. announcement-JB-2026-001.pdf / 榜单公告-JB-2026-001.pdf."""
    challenge = view.challenge
    ref = re.sub(r"[^A-Za-z0-9._-]+", "-", challenge.number or "").strip("-.") or str(challenge.id)
    return f"announcement-{ref}.pdf", f"榜单公告-{ref}.pdf"
