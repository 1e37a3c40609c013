"""Excel in and out, made safe in one place.

Out: every export builds its workbook with `new_workbook()` and turns it into bytes with
`workbook_bytes()`, which writes every text cell as text. A title or a name typed as
"=HYPERLINK(…)" or "+cmd|…" shows as typed in Excel and LibreOffice and never evaluates (issue
26): the cell is a string cell with the quote-prefix style (what Excel itself sets when one types
a leading apostrophe), so even editing it does not turn it into a formula.

In: `check_workbook_limits()` looks inside an uploaded .xlsx before any parser does (a few
regular-expression passes over the unpacked parts, each read with a hard cap, so a part that
lies about its size is caught too) and refuses a workbook that would cost more to read than an
import of MAX_ROWS rows can need. The limits are stated in README.md.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook

from arena.i18n import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet program may read as the start of a formula or a DDE command (OWASP)."""


def new_workbook() -> Workbook:
    """An empty workbook with one sheet, made by Arena; save it with workbook_bytes()."""
    book = Workbook()
    book.properties.creator = "Arena"
    return book


def neutralise(book: Workbook) -> None:
    """Make every cell that holds text, or that openpyxl took for a formula, plain text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (cell.data_type == "f" or cell.value.startswith(FORMULA_PREFIXES)):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx file of `book`, every user-supplied text written as text."""
    neutralise(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- limits before an uploaded workbook is parsed --------------------------------------------------

@dataclass(frozen=True)
class WorkbookLimits:
    part_bytes: int = 20 * 1024 * 1024
    """Any one unpacked part (a worksheet, the shared strings)."""
    total_bytes: int = 50 * 1024 * 1024
    """All unpacked parts together."""
    parts: int = 200
    shared_strings: int = 100_000
    rows: int = 12_000
    """<row> elements in all worksheets: two sheets of MAX_ROWS rows with their headers, and room."""
    cells: int = 250_000


LIMITS = WorkbookLimits()
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


class WorkbookTooLarge(Exception):
    """The workbook was not parsed; `message` says which limit it passed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _mb(size: int) -> int:
    return size // (1024 * 1024)


def _count(pattern: re.Pattern[bytes], part: bytes, seen: int, limit: int) -> int:
    """`seen` plus the matches in `part`, counting no further than one past `limit`."""
    return seen + sum(1 for _match in itertools.islice(pattern.finditer(part), limit - seen + 1))


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """The member's bytes, or WorkbookTooLarge as soon as more than `cap` come out."""
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            size += len(chunk)
            if size > cap:
                raise WorkbookTooLarge(_("表格过大：其中一个部分解压后超过 {n} MB").format(n=_mb(cap)))
            chunks.append(chunk)
    return b"".join(chunks)


def check_workbook_limits(data: bytes, limits: WorkbookLimits = LIMITS) -> None:
    """WorkbookTooLarge when the .xlsx in `data` passes a limit; damaged archives pass through
    (the parser reports them as damaged). CPU-bound: call it from a worker thread."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.parts:
            raise WorkbookTooLarge(_("表格过大：包含超过 {n} 个部分").format(n=limits.parts))
        if sum(info.file_size for info in members) > limits.total_bytes:
            raise WorkbookTooLarge(_("表格过大：解压后超过 {n} MB").format(n=_mb(limits.total_bytes)))
        total = strings = rows = cells = 0
        for info in members:
            if info.file_size > limits.part_bytes:
                raise WorkbookTooLarge(_("表格过大：其中一个部分解压后超过 {n} MB").format(n=_mb(limits.part_bytes)))
            if not info.filename.endswith((".xml", ".rels")):
                continue  # pictures, printer settings: openpyxl does not parse them for an import
            try:
                part = _read_capped(archive, info, limits.part_bytes)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
                return  # damaged: reported by the parser
            total += len(part)
            if total > limits.total_bytes:
                raise WorkbookTooLarge(_("表格过大：解压后超过 {n} MB").format(n=_mb(limits.total_bytes)))
            strings = _count(_SHARED_STRING, part, strings, limits.shared_strings)
            rows = _count(_ROW, part, rows, limits.rows)
            cells = _count(_CELL, part, cells, limits.cells)
            if strings > limits.shared_strings:
                raise WorkbookTooLarge(_("表格过大：共享字符串超过 {n} 条").format(n=limits.shared_strings))
            if rows > limits.rows:
                raise WorkbookTooLarge(_("表格过大：行数超过 {n} 行").format(n=limits.rows))
            if cells > limits.cells:
                raise WorkbookTooLarge(_("表格过大：单元格超过 {n} 个").format(n=limits.cells))
