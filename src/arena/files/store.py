"""Uploaded files: checked by their content, kept outside the web root under their SHA-256.

`sniff` decides the type from the bytes, never from the name or the browser's claim. Office
files are zip archives: they must hold the parts their format needs and must not unpack to
far more than they weigh (a zip bomb): at upload `check_archive` unpacks every part with a
hard cap (so a part that lies about its size is caught) and bounds the whole and the ratio.
Names are cleaned for display and download.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from arena.i18n import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
"""What `sniff` still calls an Office file (declared sizes): files stored before the upload limits."""
UPLOAD_UNPACKED = 100 * 1024 * 1024
"""An uploaded DOCX/XLSX may unpack to this much in all (counted, not declared)."""
UPLOAD_RATIO = 100
"""…and to at most this many times its own size, once it unpacks to more than RATIO_FREE."""
RATIO_FREE = 1024 * 1024
UPLOAD_PARTS = 1000


@dataclass(frozen=True)
class Kind:
    media_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", "pdf", "PDF")
PNG = Kind("image/png", "png", "PNG")
JPEG = Kind("image/jpeg", "jpg", "JPEG")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word (.docx)")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel (.xlsx)")
ALLOWED = (PDF, DOCX, XLSX, PNG, JPEG)


class UploadRejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _unpacked(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """The member's real unpacked size, counting no further than one chunk past `budget`."""
    size = 0
    with archive.open(info) as member:
        while size <= budget and (chunk := member.read(1024 * 1024)):
            size += len(chunk)
    return size


def check_archive(data: bytes) -> None:
    """UploadRejected when a zip-based upload (DOCX, XLSX) has too many parts, unpacks to more
    than UPLOAD_UNPACKED or more than UPLOAD_RATIO times its size. Other bytes and damaged
    archives pass (`sniff` refuses those). CPU-bound (it unpacks): call it in a worker thread."""
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > UPLOAD_PARTS:
                raise UploadRejected(_("文件内含超过 {n} 个部分，未保存").format(n=UPLOAD_PARTS))
            total = 0
            for info in members:
                total += _unpacked(archive, info, UPLOAD_UNPACKED - total)
                if total > UPLOAD_UNPACKED:
                    raise UploadRejected(_("文件解压后超过 {n} MB，未保存").format(n=UPLOAD_UNPACKED // (1024 * 1024)))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        return
    if total > RATIO_FREE and total > UPLOAD_RATIO * len(data):
        message = _("文件压缩比异常（解压后是文件本身的 {ratio} 倍，最多 {n} 倍），疑似压缩炸弹，未保存")
        raise UploadRejected(message.format(ratio=total // len(data), n=UPLOAD_RATIO))


def _office_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                return None
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def sniff(data: bytes) -> Kind | None:
    """The file's type from its first bytes (and, for zip-based formats, its parts)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    return None


def clean_name(filename: str, kind: Kind, fallback: str = "file") -> str:
    """A display name with no path, no control characters, and the extension of its real type."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or fallback
    stem = re.sub(r'[<>:"|?*]+', "_", stem)[:80]
    return f"{stem}.{kind.extension}"


def ascii_name(name: str, fallback: str) -> str:
    """The name's ASCII letters and digits with its extension, or `fallback` when no letter or
    digit is left of the stem (a name all in Chinese: "实绩档案-周杰.pdf" must not become "pdf")."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension)
    if not re.search(r"[A-Za-z0-9]", cleaned):
        return fallback
    return f"{cleaned}.{extension}" if extension else cleaned


@dataclass(frozen=True)
class Download:
    """A file to send: its bytes, type and Content-Disposition (web.helpers.send answers with it)."""

    data: bytes
    media_type: str
    disposition: str


def content_disposition(name: str, fallback: str, *, inline: bool = False) -> str:
    """RFC 6266 with an RFC 5987 `filename*` for Chinese names and a plain ASCII fallback."""
    return disposition(ascii_name(name, fallback), name, inline=inline)


def disposition(ascii_fallback: str, name: str, *, inline: bool = True) -> str:
    """The same header with the ASCII fallback given as is (PDFs and exports that name both)."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def path_for(root: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256")
    return root / sha256[:2] / sha256[2:4] / sha256


def save(root: Path, data: bytes) -> str:
    """Write the bytes under their hash (once: equal files share one copy) and return the hash."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(root, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.part")
        with temporary.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # on disk before the row that names it can commit
        os.replace(temporary, target)  # atomic: a reader never sees half a file
        _sync_directory(target.parent)
    return digest


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (a crash after commit must not lose the file's name)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load(root: Path, sha256: str) -> bytes:
    return path_for(root, sha256).read_bytes()
