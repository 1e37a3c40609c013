"""HTML to PDF with WeasyPrint: what the PDF child processes run (arena.pdf.PDF_CHILDREN).

Rendering grows the process that does it (the CJK fonts subset for each document, layout
caches, a fragmented heap: 700–1 190 MB per serving process after 100 PDFs, issue 24), so it
runs in spawned children that are replaced after a number of renders, never in the server.
This module is what a child imports to render: WeasyPrint and the print stylesheets' paths, no
more (an area's models and queries would add about 55 MB to every child).
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from arena import RESOURCE_ROOT

PRINT_DIR = RESOURCE_ROOT / "static" / "css" / "print"
ANNOUNCEMENT_CSS = PRINT_DIR / "announcement.css"
ENGLISH_CSS = PRINT_DIR / "announcement.en.css"  # page numbers as "Page N of M"
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # seven INFO lines per document


@cache
def _no_network() -> type[Any]:
    """A URL fetcher that reads only files under static/css/print while rendering. WeasyPrint is
    imported here, on the first PDF of a child, so that importing this module costs nothing."""
    from weasyprint.urls import URLFetcher

    class NoNetwork(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(PRINT_DIR.as_uri() + "/"):
                raise ValueError(f"refused while printing: {url[:80]}")
            return super().fetch(url, headers)

    return NoNetwork


def html_to_pdf(html: str, english: bool = False) -> bytes:
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


def warm_up() -> None:
    """A first, tiny render as a child that replaces another starts: WeasyPrint's import and the
    fonts' loading are paid then, not by the next PDF someone waits for."""
    html_to_pdf("<p>榜单 Arena</p>")
