"""No English word on a Chinese page (issue 22): what a zh-CN reader sees must be Chinese.

`english_words(page)` collects the words in Latin letters from what the page shows and says
to a screen reader (visible text, placeholders, labels, titles, button values) and returns the
ones that are not allowed. Not counted, because they are data or names rather than interface
words: anything with a digit (logins like cadre4, numbers like JB-2026-0001, hashes), file names
and extensions (plan.pdf, .docx), addresses (/verify, a@b.cn), identifiers (head_hash), Roman
numerals, text inside code-like elements (code, pre, .hash, .mono) or marked translate="no"
(unit codes such as JZ-QS), and text marked as another language (the language switch's
"English", lang="en").
"""

from __future__ import annotations

import re
from typing import Any

# Each entry is a name a Chinese interface writes in Latin letters too; keep this list short.
ALLOWED = frozenset({
    "Arena",  # the product's name, beside 揭榜挂帅
    "PDF", "Word", "Excel", "CSV", "PNG", "JPEG", "JSON", "ZIP",  # file formats, named as users know them
    "OpenAPI",  # the name of the API description standard
    "API", "HTTPS", "URL", "RSS", "Atom", "ID", "HR",  # technical terms without a common Chinese word (HR: HR 系统)
    "Python",  # the language of the draw's recomputation recipe
    "PEM",  # the public key's file format, like PDF
    "Krippendorff",  # Krippendorff α: the agreement coefficient is known by its author's name
    "SHA", "HMAC",  # hash names (SHA-256 has its digits split off)
    "KB", "MB", "GB",  # units
    "admin", "organizer", "inspector", "orgdept",  # the demo logins without digits: account data
})

# Runs in the page: text nodes and accessible attributes of visible elements, minus the exempt.
_COLLECT = """() => {
  const EXEMPT = 'code, pre, samp, kbd, [translate="no"], .hash, .mono, .recompute, .beacon-value, [lang]:not([lang^="zh"]), script, style, noscript, template';
  const texts = [];
  const visible = el => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(EXEMPT) || !node.textContent.trim()) continue;
    if (!visible(el) && !el.closest('.visually-hidden')) continue;
    texts.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll('[placeholder], [aria-label], [title], [alt], input[type=submit][value], input[type=button][value]')) {
    if (el.closest(EXEMPT)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) { if (el.hasAttribute(name)) texts.push(el.getAttribute(name)); }
    if (el.matches('input[type=submit], input[type=button]')) texts.push(el.value);
  }
  texts.push(document.title);
  return texts;
}"""

_TOKEN = re.compile(r"[A-Za-z0-9_.@/:+-]*[A-Za-z][A-Za-z0-9_.@/:+-]*")
_WORD = re.compile(r"[A-Za-z]+")


def words_in(text: str) -> list[str]:
    """The English words of `text`, with data-like tokens (codes, files, addresses) left out."""
    found = []
    for raw in _TOKEN.findall(text):
        token = raw.strip(".:-/+")
        if not token or re.search(r"[\d@/_]|\.[A-Za-z]", token) or raw.startswith("."):
            continue  # a code, login, number, address, identifier, file name or extension
        if re.fullmatch(r"[IVXLC]+|[A-Z]{2,}(-[A-Z]{2,})+", token):
            continue  # a Roman numeral (第 III 类) or a code's pattern (XXXX-XXXX-XXXX)
        for word in _WORD.findall(token):
            if word not in ALLOWED:
                found.append(word)
    return found


def english_words(page: Any) -> list[str]:
    """The English words on the page as it is now, each once, in order of appearance."""
    texts: list[str] = page.evaluate(_COLLECT)
    seen: dict[str, None] = {}
    for text in texts:
        for word in words_in(text):
            seen.setdefault(word, None)
    return list(seen)


def assert_no_english(page: Any, where: str) -> None:
    words = english_words(page)
    assert not words, f"English on the Chinese page {where}: {', '.join(words[:20])}"
