"""The copy of a bid's attachment that an expert in blind review downloads (DESIGN §3).

A file says who made it in places nobody looks: a PDF's document info and XMP packet (even a
loose one that nothing references), annotation authors, embedded files; an Office file's
docProps, comment and revision authors, people parts, the sharing user's name, a template's path
under C:\\Users\\…; a photo's EXIF. A bidder who uploads their own file names themselves without
knowing it.

So the blind copy is *rebuilt from an allow-list*, not cleaned by a deny-list: a new PDF made of
the pages only; a new zip made of the content parts only, their XML re-emitted element by
element without the attributes and elements that name people; images keeping only the chunks
or segments that draw them. What the rules do not know is left out. A file that cannot be
rebuilt within the limits below raises `Unsafe`: the caller refuses the download and never
falls back to the original bytes.

The content itself is the bidder's: text on a page that names them stays (the bid form tells
them not to sign their attachments).
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import anyio
import anyio.to_thread
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject, StreamObject

from arena.files import store

VERSION = 2
"""Bumped whenever the rules change: blind copies cached under an older version are not served."""

MAX_PART_BYTES = 32 * 1024 * 1024  # one unpacked zip part
MAX_TOTAL_BYTES = 96 * 1024 * 1024  # all unpacked parts of one file
MAX_RATIO = 100  # unpacked / packed, for parts over RATIO_FLOOR (XML packs about 10:1, zeros 1000:1)
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 2000


class Unsafe(Exception):
    """The file cannot be made safe for blind review; `reason` is for the organizer and the log,
    never shown to the expert (it may name a part)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def strip_metadata(data: bytes, kind: store.Kind) -> bytes:
    """The blind copy of `data`, or Unsafe. CPU-bound: call it from a worker thread."""
    if kind is store.PDF:
        return _pdf(data)
    if kind in (store.DOCX, store.XLSX):
        return _office(data, kind)
    if kind is store.PNG:
        return _png(data)
    if kind is store.JPEG:
        return _jpeg(data)
    raise Unsafe(f"no rule for {kind.label}")


# --- cached copies -------------------------------------------------------------------------------

BLIND_COPIES = anyio.CapacityLimiter(2)
"""At most this many rebuilds at once per process (the machine has few cores; each rebuild may
hold a part of up to MAX_PART_BYTES): further experts wait rather than starve the event loop."""


async def blind_copy(root: Path, sha256: str, kind: store.Kind) -> bytes:
    """The blind copy of a stored file, off the event loop: read from the cache, or rebuilt in a
    worker thread under BLIND_COPIES and kept. Unsafe when the file cannot be made safe."""
    found = await anyio.to_thread.run_sync(cached, root, sha256)
    if found is not None:
        return found
    return await anyio.to_thread.run_sync(make_blind_copy, root, sha256, kind, limiter=BLIND_COPIES)


def cached_path(root: Path, sha256: str) -> Path:
    """Where the blind copy of the file with this hash is kept: beside the originals, once for
    every expert, under the rules' VERSION."""
    original = store.path_for(root, sha256)
    return root / "blind" / f"v{VERSION}" / original.parent.relative_to(root) / sha256


def cached(root: Path, sha256: str) -> bytes | None:
    """The blind copy made earlier, or None; Unsafe when the file was refused earlier."""
    path = cached_path(root, sha256)
    refused = path.with_suffix(".refused")
    if refused.exists():
        raise Unsafe(refused.read_text(encoding="utf-8"))
    return path.read_bytes() if path.exists() else None


def make_blind_copy(root: Path, sha256: str, kind: store.Kind) -> bytes:
    """Rebuild the stored file's blind copy and keep it (or keep the refusal, then raise it)."""
    found = cached(root, sha256)  # another expert's request may have made it while this one waited
    if found is not None:
        return found
    path = cached_path(root, sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        clean = strip_metadata(store.load(root, sha256), kind)
    except Unsafe as exc:
        _write_atomically(path.with_suffix(".refused"), exc.reason.encode())
        raise
    _write_atomically(path, clean)
    return clean


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# --- PDF -----------------------------------------------------------------------------------------

PDF_DROP_KEYS = frozenset({
    "/Metadata", "/PieceInfo", "/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/AF", "/B", "/Author",
    "/OpenAction", "/Next", "/Threads", "/SpiderInfo", "/URLS", "/Collection", "/Private", "/LastModified"})
PDF_DROP_ANNOTATIONS = frozenset({
    "/FileAttachment", "/Popup", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D", "/Widget"})
PDF_ANNOTATION_KEYS = frozenset({"/T", "/RC", "/Popup", "/M", "/CreationDate", "/NM", "/IRT", "/Subj", "/Parent"})
PDF_SAFE_ACTIONS = frozenset({"/URI", "/GoTo", "/Named"})


def _pdf(data: bytes) -> bytes:
    """A new document holding the pages and what they draw, nothing else: no document info, no
    catalog-level names, outlines, forms or scripts; then every reachable object is walked."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unsafe("PDF is encrypted")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        writer.metadata = None
        seen: set[int] = set()
        for page in writer.pages:
            _clean_pdf(page, seen)
        _drop_unreachable(writer)
        out = io.BytesIO()
        writer.write(out)
    except Unsafe:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file: all mean "cannot rebuild"
        raise Unsafe(f"PDF could not be rebuilt: {type(exc).__name__}") from exc
    return out.getvalue()


def _clean_pdf(obj: PdfObject | None, seen: set[int]) -> None:
    """Walk every object reachable from `obj` once, dropping what may name a person."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, ArrayObject):
        for item in obj:
            _clean_pdf(item, seen)
        return
    if not isinstance(obj, DictionaryObject):
        return
    for key in [k for k in obj if k in PDF_DROP_KEYS]:
        del obj[key]
    action = obj.get("/A")
    if action is not None and action.get_object().get("/S") not in PDF_SAFE_ACTIONS:
        del obj[NameObject("/A")]
    if obj.get("/Type") == "/Annot" or ("/Subtype" in obj and "/Rect" in obj):
        for key in [k for k in obj if k in PDF_ANNOTATION_KEYS]:
            del obj[key]
    if "/Annots" in obj:
        kept = [a for a in obj["/Annots"].get_object()  # type: ignore[union-attr]
                if a.get_object().get("/Subtype") not in PDF_DROP_ANNOTATIONS]
        obj[NameObject("/Annots")] = ArrayObject(kept)
    if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image" and obj.get("/Filter") in (
            "/DCTDecode", ["/DCTDecode"]):
        StreamObject.set_data(obj, _jpeg(obj._data))  # the JPEG's own EXIF/XMP segments
    for key, value in list(obj.items()):
        if key != "/Parent":  # the page tree's parent is rebuilt by the writer
            _clean_pdf(value, seen)


def _drop_unreachable(writer: PdfWriter) -> None:
    """Forget every object the document no longer reaches (what a dropped annotation pointed to,
    a loose XMP packet): only what is reachable from the catalog is written."""
    reachable: set[int] = set()
    pending: list[PdfObject | None] = [writer.root_object.indirect_reference or writer.root_object]
    while pending:
        obj = pending.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in reachable:
                continue
            reachable.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            pending.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            pending.extend(obj)
    objects = writer._objects
    for index in range(len(objects)):
        if index + 1 not in reachable:
            objects[index] = None


# --- images --------------------------------------------------------------------------------------

PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"pHYs", b"bKGD"}
"""The chunks that draw the picture. Not iCCP (a profile has a free-text description), not the
text chunks (tEXt, zTXt, iTXt), eXIf or anything private."""


def _png(data: bytes) -> bytes:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise Unsafe("not a PNG")
    out = [data[:8]]
    at = 8
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        chunk_type = data[at + 4:at + 8]
        end = at + 12 + length
        if end > len(data):
            raise Unsafe("PNG chunk runs past the end")
        if chunk_type in PNG_KEEP:
            out.append(data[at:end])
        at = end
        if chunk_type == b"IEND":
            return b"".join(out)
    raise Unsafe("PNG has no end")


JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length
JPEG_DROP = {*range(0xE1, 0xEE), 0xEF, 0xFE}  # APP1–APP13, APP15, COM: EXIF, XMP, IPTC, comments


def _jpeg(data: bytes) -> bytes:
    """Segments that draw the picture, scans included (progressive files have several), up to
    the end marker: no APPn but a bare JFIF header (APP0) and Adobe's colour transform (APP14),
    no comment, nothing after the end."""
    if not data.startswith(b"\xff\xd8"):
        raise Unsafe("not a JPEG")
    out = [b"\xff\xd8"]
    at = 2
    while at + 2 <= len(data):
        if data[at] != 0xFF:
            raise Unsafe("JPEG segment expected")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in JPEG_STANDALONE:
            out.append(data[at:at + 2])
            at += 2
            continue
        if at + 4 > len(data):
            break
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise Unsafe("JPEG segment runs past the end")
        payload = data[at + 4:end]
        if marker == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
            out.append(b"\xff\xe0\x00\x10" + payload[:12] + b"\x00\x00")  # no thumbnail
        elif marker == 0xEE and payload.startswith(b"Adobe") and len(payload) >= 12:
            out.append(b"\xff\xee\x00\x0e" + payload[:12])
        elif marker not in JPEG_DROP and not 0xE0 <= marker <= 0xEF:
            out.append(data[at:end])
        at = end
        if marker == 0xDA:  # entropy-coded data up to the next marker that is not RSTn or stuffing
            scan = at
            while True:
                found = data.find(b"\xff", scan)
                if found < 0 or found + 1 >= len(data):
                    raise Unsafe("JPEG scan has no end")
                following = data[found + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    scan = found + (2 if following != 0xFF else 1)
                    continue
                break
            out.append(data[at:found])
            at = found
    raise Unsafe("JPEG has no end")


# --- Office (DOCX, XLSX) -------------------------------------------------------------------------

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CHART = [(r"(?:word|xl)/charts/chart\d+\.xml", "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"),
          (r"(?:word|xl)/charts/style\d+\.xml", "application/vnd.ms-office.chartstyle+xml"),
          (r"(?:word|xl)/charts/colors\d+\.xml", "application/vnd.ms-office.chartcolorstyle+xml")]
DOCX_PARTS = [
    (r"word/document\.xml", f"{_WML}.document.main+xml"),
    (r"word/styles\.xml", f"{_WML}.styles+xml"),
    (r"word/stylesWithEffects\.xml", "application/vnd.ms-word.stylesWithEffects+xml"),
    (r"word/numbering\.xml", f"{_WML}.numbering+xml"),
    (r"word/fontTable\.xml", f"{_WML}.fontTable+xml"),
    (r"word/settings\.xml", f"{_WML}.settings+xml"),
    (r"word/webSettings\.xml", f"{_WML}.webSettings+xml"),
    (r"word/theme/theme\d+\.xml", "application/vnd.openxmlformats-officedocument.theme+xml"),
    (r"word/header\d+\.xml", f"{_WML}.header+xml"),
    (r"word/footer\d+\.xml", f"{_WML}.footer+xml"),
    (r"word/footnotes\.xml", f"{_WML}.footnotes+xml"),
    (r"word/endnotes\.xml", f"{_WML}.endnotes+xml"),
    *_CHART,
]
XLSX_PARTS = [
    (r"xl/workbook\.xml", f"{_SML}.sheet.main+xml"),
    (r"xl/styles\.xml", f"{_SML}.styles+xml"),
    (r"xl/sharedStrings\.xml", f"{_SML}.sharedStrings+xml"),
    (r"xl/theme/theme\d+\.xml", "application/vnd.openxmlformats-officedocument.theme+xml"),
    (r"xl/worksheets/sheet\d+\.xml", f"{_SML}.worksheet+xml"),
    (r"xl/chartsheets/sheet\d+\.xml", f"{_SML}.chartsheet+xml"),
    (r"xl/drawings/drawing\d+\.xml", "application/vnd.openxmlformats-officedocument.drawing+xml"),
    (r"xl/tables/table\d+\.xml", f"{_SML}.table+xml"),
    *_CHART,
]
MEDIA = re.compile(r"(word|xl)/media/[^/]+", re.IGNORECASE)
MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
CONTENT_RELATIONSHIPS = ("/worksheet", "/chartsheet", "/header", "/footer", "/footnotes", "/endnotes", "/styles",
                         "/sharedStrings")
"""Relationships whose target holds the content itself: when such a part is not on the
allow-list (an unusual name), the file is refused rather than handed over with pages missing."""
RELS = "application/vnd.openxmlformats-package.relationships+xml"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
EXTERNAL_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class _Package:
    parts: dict[str, bytes]  # kept name → bytes
    renamed: dict[str, str] = field(default_factory=dict)  # original media name → new name
    content_types: dict[str, str] = field(default_factory=dict)


def _office(data: bytes, kind: store.Kind) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unsafe("not a readable zip") from exc
    with archive:
        package = _read_allowed(archive, DOCX_PARTS if kind is store.DOCX else XLSX_PARTS)
        main = MAIN_PART[kind.extension]
        if main not in package.parts:
            raise Unsafe(f"no {main}")
        rels: dict[str, tuple[bytes, set[str]]] = {}  # part → its rebuilt relationships, targets
        dropped_ids: dict[str, set[str]] = {}
        for name in [*package.parts, ""]:
            rels_name = _rels_of(name)
            if rels_name in archive.namelist():
                xml, targets, dropped_ids[name] = _rebuild_rels(name, _bounded_read(archive, rels_name), package,
                                                                main)
                if xml is not None:
                    rels[name] = (xml, targets)
        if "" not in rels:  # not a valid package, but its main part is plain: give it the one it lacks
            rels[""] = (_relationships([("rId1", OFFICE_DOCUMENT, main, False)]), {main})
        reached = _reached(rels)
        if main not in reached:
            raise Unsafe("no package relationships to the main part")
        out: dict[str, bytes] = {"[Content_Types].xml": _content_types(package, reached)}
        for name in reached:
            new_name = package.renamed.get(name, name)
            if name in rels:
                out[_rels_of(new_name)] = rels[name][0]
            if name in package.renamed:
                out[new_name] = package.parts[name]  # an image, cleaned when read
            elif name:
                out[name] = _filter_xml(package.parts[name], dropped_ids.get(name, set()))
    return _zip(out)


def _reached(rels: dict[str, tuple[bytes, set[str]]]) -> set[str]:
    """The parts reachable from the package by kept relationships: a part on the allow-list that
    nothing uses (a loose image) is left out too."""
    reached = {""}
    pending = [""]
    while pending:
        for target in rels.get(pending.pop(), (b"", set()))[1]:
            if target not in reached:
                reached.add(target)
                pending.append(target)
    return reached


def _bounded_read(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        content = part.read(MAX_PART_BYTES + 1)
    if len(content) > MAX_PART_BYTES:
        raise Unsafe(f"{name} unpacks to more than {MAX_PART_BYTES} bytes")
    return content


def _read_allowed(archive: zipfile.ZipFile, rules: list[tuple[str, str]]) -> _Package:
    """The parts on the allow-list, read within the limits (the sizes in the zip's directory are
    checked first, then the reads themselves are bounded: the directory may lie)."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS or len({i.filename for i in infos}) != len(infos):
        raise Unsafe("too many or duplicate zip entries")
    total = 0
    package = _Package({})
    media = 0
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise Unsafe(f"{info.filename} unpacks to more than {MAX_PART_BYTES} bytes")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Unsafe(f"{info.filename} unpacks more than {MAX_RATIO} times its packed size")
        content_type = next((ct for pattern, ct in rules if re.fullmatch(pattern, info.filename, re.I)), None)
        if content_type is None and not MEDIA.fullmatch(info.filename):
            continue
        content = _bounded_read(archive, info.filename)
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise Unsafe(f"the parts unpack to more than {MAX_TOTAL_BYTES} bytes")
        if content_type is not None:
            package.parts[info.filename] = content
            package.content_types[info.filename] = content_type
            continue
        image = store.sniff(content)
        if image not in (store.PNG, store.JPEG):
            continue  # other media (EMF, GIF, SVG…) is not understood well enough to clean: left out
        assert image is not None
        media += 1
        folder = info.filename.split("/")[0]
        new_name = f"{folder}/media/image{media}.{image.extension}"  # a file name may be a person's
        package.parts[info.filename] = _png(content) if image is store.PNG else _jpeg(content)
        package.renamed[info.filename] = new_name
        package.content_types[new_name] = image.media_type
    return package


def _rels_of(name: str) -> str:
    folder, _, base = name.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _rebuild_rels(source: str, data: bytes, package: _Package,
                  main: str) -> tuple[bytes | None, set[str], set[str]]:
    """The source part's relationships to kept parts only (and web links), the parts they
    reach, and the ids of the others, so the source's references to them can be removed."""
    kept: list[tuple[str, str, str, bool]] = []
    targets: set[str] = set()
    dropped: set[str] = set()
    folder = posixpath.dirname(source)
    for rel in _parse_relationships(data):
        rel_id, rel_type, target = rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", "")
        external = rel.get("TargetMode") == "External"
        if external:
            if target.lower().startswith(EXTERNAL_SCHEMES) and rel_type.endswith("/hyperlink"):
                kept.append((rel_id, rel_type, target, True))
            else:
                dropped.add(rel_id)
            continue
        resolved = posixpath.normpath(target.lstrip("/") if target.startswith("/")
                                      else posixpath.join(folder, target))
        if source == "" and rel_type == OFFICE_DOCUMENT and resolved != main:
            raise Unsafe(f"main part is {resolved}")
        if source == "" and rel_type != OFFICE_DOCUMENT:
            dropped.add(rel_id)
        elif resolved in package.parts:
            new_target = package.renamed.get(resolved, resolved)
            targets.add(resolved)
            kept.append((rel_id, rel_type, posixpath.relpath(new_target, folder or "."), False))
        elif rel_type.endswith(CONTENT_RELATIONSHIPS):
            raise Unsafe(f"{resolved} holds content but is not a part Arena knows how to clean")
        else:
            dropped.add(rel_id)
    return (_relationships(kept) if kept else None), targets, dropped


def _relationships(kept: list[tuple[str, str, str, bool]]) -> bytes:
    lines = [f'<Relationship Id="{_attr(i)}" Type="{_attr(t)}" Target="{_attr(target)}"'
             + (' TargetMode="External"' if ext else "") + "/>" for i, t, target, ext in kept]
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{RELS_NS}">'
           + "".join(lines) + "</Relationships>")
    return xml.encode()


def _parse_relationships(data: bytes) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(":")[2] == "Relationship":
            found.append(attributes)

    parser = _safe_parser()
    parser.StartElementHandler = start
    _parse(parser, data)
    return found


def _content_types(package: _Package, reached: set[str]) -> bytes:
    """Written anew: one Override per kept part, with the content type its rule names."""
    names = {package.renamed.get(name, name) for name in reached}
    overrides = "".join(f'<Override PartName="/{_attr(name)}" ContentType="{_attr(ct)}"/>'
                        for name, ct in sorted(package.content_types.items()) if name in names)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{RELS}"/><Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>").encode()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ["[Content_Types].xml", *sorted(n for n in parts if n != "[Content_Types].xml")]:
            target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), parts[name],
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- Office XML, re-emitted element by element ---------------------------------------------------

W_NS = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main")
X_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
R_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships")
X15AC_NS = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
VML_OFFICE_NS = "urn:schemas-microsoft-com:office:office"

W_DROP = frozenset({
    "rsids", "attachedTemplate", "docVars", "mailMerge", "del", "moveFrom", "moveFromRangeStart",
    "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "rPrChange", "pPrChange", "sectPrChange",
    "tblPrChange", "tblPrExChange", "tblGridChange", "tcPrChange", "trPrChange", "numberingChange",
    "commentRangeStart", "commentRangeEnd", "commentReference", "cellIns", "cellDel", "cellMerge",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart",
    "customXmlMoveToRangeEnd", "dataBinding"})
"""Word elements that record who did what (revisions are accepted: deletions go, insertions stay)."""
W_UNWRAP = frozenset({"ins", "moveTo"})
X_DROP = frozenset({"fileSharing", "legacyDrawing", "legacyDrawingHF", "externalReferences", "oleObjects",
                    "controls", "pivotCaches"})
PERSON_ATTRIBUTES = frozenset({"author", "initials", "date", "dateUtc", "userName", "userId", "providerId",
                               "refreshedBy", "lastEditedBy"})
PICTURE_NAMES = frozenset({"docPr", "cNvPr"})  # DrawingML: a picture's name may be its file's name

KEEP, DROP, UNWRAP = "keep", "drop", "unwrap"


def _element_action(uri: str, local: str) -> str:
    if uri in W_NS:
        return DROP if local in W_DROP else UNWRAP if local in W_UNWRAP else KEEP
    if (uri in X_NS and local in X_DROP) or uri == X15AC_NS:
        return DROP
    return KEEP


class _XmlFilter:
    """Re-emit an XML part with expat, prefixes as written (Word's mc:Ignorable names them), no
    comments, no processing instructions, no DOCTYPE (refused: no entity is ever expanded)."""

    def __init__(self, dropped_ids: set[str]) -> None:
        self.dropped_ids = dropped_ids
        self.out: list[str] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']
        self.scopes: list[dict[str, str]] = [{"xml": "http://www.w3.org/XML/1998/namespace"}]
        self.open: list[tuple[str, str]] = []  # (qualified name, action) of kept or unwrapped elements
        self.skipping = 0

    def start(self, name: str, attributes: list[str]) -> None:
        if self.skipping:
            self.skipping += 1
            return
        pairs = list(zip(attributes[::2], attributes[1::2], strict=True))
        scope = dict(self.scopes[-1])
        for key, value in pairs:
            if key == "xmlns" or key.startswith("xmlns:"):
                scope[key[6:]] = value
        uri, local = self._resolve(name, scope, element=True)
        action = _element_action(uri, local)
        kept: list[tuple[str, str]] = []
        for key, value in pairs:
            if key == "xmlns" or key.startswith("xmlns:"):
                kept.append((key, value))
                continue
            attr_uri, attr_local = self._resolve(key, scope, element=False)
            if attr_uri in R_NS and value in self.dropped_ids:
                if local == "hyperlink":
                    continue  # the link goes, its text stays
                action = DROP
            if attr_local in PERSON_ATTRIBUTES or (attr_uri in W_NS and attr_local.startswith("rsid")):
                continue
            if (attr_uri == VML_OFFICE_NS and attr_local == "title") or (local in PICTURE_NAMES and attr_local in (
                    "descr", "title")):
                continue
            if local in PICTURE_NAMES and attr_local == "name":
                value = "Picture"
            kept.append((key, value))
        declares = any(k == "xmlns" or k.startswith("xmlns:") for k, _ in kept)
        if action == UNWRAP and declares:
            action = KEEP  # its children need the namespaces it declares
        if action == DROP:
            self.skipping = 1
            return
        self.scopes.append(scope)
        self.open.append((name, action))
        if action == KEEP:
            self.out.append(f"<{name}" + "".join(f' {k}="{_attr(v)}"' for k, v in kept) + ">")

    def end(self, name: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        self.scopes.pop()
        qualified, action = self.open.pop()
        if action == KEEP:
            self.out.append(f"</{qualified}>")

    def text(self, data: str) -> None:
        if not self.skipping and self.open:
            self.out.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))

    @staticmethod
    def _resolve(name: str, scope: dict[str, str], *, element: bool) -> tuple[str, str]:
        prefix, colon, local = name.rpartition(":")
        if not colon:
            return (scope.get("", "") if element else ""), local
        return scope.get(prefix, ""), local


def _filter_xml(data: bytes, dropped_ids: set[str]) -> bytes:
    xml_filter = _XmlFilter(dropped_ids)
    parser = _safe_parser()
    parser.ordered_attributes = True
    parser.StartElementHandler = xml_filter.start
    parser.EndElementHandler = xml_filter.end
    parser.CharacterDataHandler = xml_filter.text
    _parse(parser, data)
    return "".join(xml_filter.out).encode()


def _safe_parser() -> Any:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise Unsafe("XML with a DOCTYPE or entities")

    handlers: dict[str, Callable[..., None]] = {
        "StartDoctypeDeclHandler": refuse, "EntityDeclHandler": refuse, "ExternalEntityRefHandler": refuse,
        "UnparsedEntityDeclHandler": refuse}
    for name, handler in handlers.items():
        setattr(parser, name, handler)
    return parser


def _parse(parser: Any, data: bytes) -> None:
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unsafe(f"XML could not be read: {exc}") from exc


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))
