"""Every string a person reads has an English translation; Chinese is the source language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from arena import PROJECT_ROOT
from arena.i18n import catalog

KEYWORDS = {"_": None, "gettext": None, "lazy": None, "ngettext": (1, 2)}


def extracted_messages() -> dict[str, str]:
    """msgid → first place it is used, from Python sources and templates."""
    found: dict[str, str] = {}
    sources = [
        (PROJECT_ROOT / "src" / "arena", [("**.py", "python")]),
        (PROJECT_ROOT / "templates", [("**.html", "jinja2.ext:babel_extract"), ("**.txt", "jinja2.ext:babel_extract")]),
    ]
    for directory, method_map in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(directory), method_map=method_map, keywords=KEYWORDS,
            options_map={"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}},
        ):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid and not msgid.isascii():
                    found.setdefault(msgid, f"{Path(directory.name) / filename}:{lineno}")
    return found


def test_every_chinese_message_has_an_english_translation():
    english = catalog("en")
    missing = {msgid: where for msgid, where in extracted_messages().items() if msgid not in english}
    report = "\n".join(f"{where}: {msgid}" for msgid, where in sorted(missing.items(), key=lambda i: i[1]))
    assert not missing, f"{len(missing)} messages lack an English translation:\n{report}"


def test_extraction_finds_the_login_page_strings():
    messages = extracted_messages()
    assert "用户名" in messages and "登录" in messages


def test_areas_that_share_a_message_translate_it_the_same_way():
    from babel.messages.pofile import read_po

    from arena.i18n import LOCALE_DIR

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((LOCALE_DIR / "en" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="en"):
                if not message.id or not message.string:
                    continue
                first = seen.setdefault(str(message.id), (str(message.string), path.name))
                if first[0] != message.string:
                    clashes.append(f"{message.id}: {first[1]} “{first[0]}” ≠ {path.name} “{message.string}”")
    assert not clashes, "\n".join(clashes)


def test_file_sizes_are_written_in_the_reader_language():
    from arena import i18n
    from arena.web.templating import format_file_size

    assert format_file_size(67) == "67 字节"
    assert format_file_size(2048) == "2.0 KB" and format_file_size(5 * 1024**2) == "5.0 MB"
    token = i18n.current_locale.set("en")
    try:
        assert format_file_size(67) == "67 bytes"
    finally:
        i18n.current_locale.reset(token)
