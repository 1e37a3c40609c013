"""The announcement (榜单公告) as a PDF: A4, Noto CJK fonts embedded, text extractable.

The HTML comes from templates/documents/announcement.html (autoescaped like every page, so a
title with markup prints as text) and the look from static/css/print/announcement.css.
WeasyPrint takes 0.1–0.5 s a page and grows the process that runs it, so every PDF is rendered
in a child process (arena.pdf), one at a time per serving
process with a second waiting (arena.offload.PDFS, waited for in the loop: queued renders hold
nothing), and may fetch nothing but the print stylesheets: the document never reaches the
network."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from arena import i18n
from arena.challenges.queries import ChallengeView
from arena.challenges.questions import PublicAnswer
from arena.pdf import render_pdf

if TYPE_CHECKING:  # the caller passes the app's template environment
    from jinja2 import Environment


def announcement_html(env: Environment, view: ChallengeView, now: datetime,
                      answers: Sequence[PublicAnswer] = ()) -> str:
    template = env.get_template("documents/announcement.html")
    return template.render(view=view, challenge=view.challenge, now=now, answers=answers)


CACHE_ENTRIES = 32
_cache: OrderedDict[str, bytes] = OrderedDict()
"""Recent PDFs by the hash of their HTML: a published announcement changes only by amendment,
so most downloads are repeats. Keyed on the exact HTML, a cached PDF can never be stale; it is
per process and only saves work (the processes stay stateless)."""
_rendering: dict[str, asyncio.Future[bytes]] = {}
"""Renders under way by key: a second reader waits for the first one's PDF."""


async def announcement_pdf(env: Environment, view: ChallengeView, now: datetime,
                           answers: Sequence[PublicAnswer] = ()) -> bytes:
    """Render the HTML here (it reads the request's locale), the PDF in a child process;
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
