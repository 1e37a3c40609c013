"""The submission receipt (揭榜回执) as a PDF: who submitted what, when, and its SHA-256.

Printed with the announcement's stylesheet and the same no-network renderer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arena import i18n
from arena.bids.models import Bid, BidVersion
from arena.challenges.models import Challenge
from arena.files.store import content_disposition
from arena.pdf import render_pdf

if TYPE_CHECKING:  # the caller passes the app's template environment
    from jinja2 import Environment


async def receipt_pdf(env: Environment, bid: Bid, challenge: Challenge, version: BidVersion) -> bytes:
    html = env.get_template("documents/bid_receipt.html").render(bid=bid, challenge=challenge, version=version)
    return await render_pdf(html, english=i18n.current_locale.get() == "en")


def disposition(name: str, fallback: str) -> str:
    return content_disposition(name, fallback, inline=True)
