"""A crawler for confidentiality tests: follow every same-site link a role can reach and keep
what each answer says, in whatever form (page, htmx fragment, PDF, Excel, JSON, a stored file).

It reads only (GET), never follows logout or language links, and visits at most `per_shape`
URLs of each shape (the path with its numbers folded, e.g. /challenges/{n}), seeds first, so a
crawl of the whole demo stays within seconds while still reaching every kind of page.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import Browser

LINK = re.compile(r"""(href|hx-get|src)\s*=\s*["']([^"'#]+)["']""")
SKIPPED = ("/static/", "/logout", "/lang/", "/schema/swagger", "/schema/redoc", "/schema/rapidoc",
           "/schema/elements", "/schema/oauth2")


@dataclass
class Answer:
    url: str
    status: int
    text: str


@dataclass
class Crawl:
    who: str
    answers: dict[str, Answer] = field(default_factory=dict)

    def where(self, value: str) -> list[str]:
        """The URLs whose answer contains `value`."""
        return [url for url, answer in self.answers.items() if value in answer.text]


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(pair.split("=", 1)[0] for pair in parts.query.split("&") if pair)
    return re.sub(r"\d+", "{n}", parts.path) + ("?" + "&".join(keys) if keys else "")


def readable(content: bytes, media_type: str, disposition: str) -> str:
    """Everything a person could read in an answer, as text: the body in every encoding a
    secret could hide in, a PDF's text and metadata, a workbook's cells and properties."""
    parts = [disposition]
    if "pdf" in media_type:
        reader = PdfReader(io.BytesIO(content))
        parts += [page.extract_text() or "" for page in reader.pages]
        parts.append(str(reader.metadata or ""))
    elif "spreadsheet" in media_type or content[:2] == b"PK":
        parts.append(_zip_text(content))
        if "spreadsheet" in media_type:
            book = load_workbook(io.BytesIO(content))
            parts += [str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
                      for cell in row if cell.value is not None]
            parts.append(str(book.properties.creator))
    else:
        text = content.decode("utf-8", errors="replace")
        parts += [text, html.unescape(text)]
        if not media_type.startswith(("text/", "application/json")):
            parts.append(content.decode("utf-16-be", errors="replace"))
    return "\n".join(parts)


def _zip_text(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", errors="replace")
                             for name in archive.namelist())
    except zipfile.BadZipFile:
        return ""


def links(base: str, text: str) -> Iterable[tuple[str, bool]]:
    """Same-site targets of a page, each with whether the page asks for it as an htmx fragment."""
    for attribute, raw in LINK.findall(text):
        target = urljoin(base, html.unescape(raw))
        parts = urlsplit(target)
        if parts.netloc not in ("", "testserver.local") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else ""), attribute == "hx-get"


async def crawl(browser: Browser, who: str, seeds: Iterable[str], *, per_shape: int = 4,
                limit: int = 400) -> Crawl:
    """Visit what `browser` can reach from `seeds` (and /), breadth first."""
    result = Crawl(who)
    queue = deque([("/", False), *((seed, False) for seed in seeds)])
    seen: set[tuple[str, bool]] = set()
    shapes: dict[str, int] = {}
    while queue and len(result.answers) < limit:
        url, htmx = queue.popleft()
        if (url, htmx) in seen:
            continue
        seen.add((url, htmx))
        kind = shape(url) + (" [htmx]" if htmx else "")
        if shapes.get(kind, 0) >= per_shape:
            continue
        shapes[kind] = shapes.get(kind, 0) + 1
        response = await browser.get(url, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, f"{who}: {url} answered {response.status_code}"
        media_type = response.headers.get("content-type", "")
        text = readable(response.content, media_type, response.headers.get("content-disposition", ""))
        result.answers[url + (" [htmx]" if htmx else "")] = Answer(url, response.status_code, text)
        if "text/html" in media_type:
            queue.extend(links(url, response.text))
    return result
