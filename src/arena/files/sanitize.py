"""Removing who-made-this metadata from a file, for blind review.

A bid's attachment may carry its author's name where no one looks: a PDF's document info and
XMP packet, an Office file's docProps, a photo's EXIF. Experts in a blind review get a copy
without them. The content itself is untouched (rewriting it is the bidder's job: the bid form
tells them not to sign their attachments).
"""

from __future__ import annotations

import io
import struct
import zipfile

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from arena.files import store

EMPTY_CORE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
              b' xmlns:dc="http://purl.org/dc/elements/1.1/"/>')
EMPTY_APP = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>')
EMPTY_CUSTOM = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>')
OFFICE_METADATA = {"docProps/core.xml": EMPTY_CORE, "docProps/app.xml": EMPTY_APP, "docProps/custom.xml": EMPTY_CUSTOM}
PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD"}


def strip_metadata(data: bytes, kind: store.Kind) -> bytes:
    if kind is store.PDF:
        return _pdf(data)
    if kind in (store.DOCX, store.XLSX):
        return _office(data)
    if kind is store.PNG:
        return _png(data)
    if kind is store.JPEG:
        return _jpeg(data)
    return data


def _pdf(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.metadata = None
    root = writer.root_object
    if NameObject("/Metadata") in root:
        del root[NameObject("/Metadata")]
    for page in writer.pages:
        if NameObject("/Metadata") in page:
            del page[NameObject("/Metadata")]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _office(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = OFFICE_METADATA.get(info.filename) or source.read(info.filename)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), content,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _png(data: bytes) -> bytes:
    out = [data[:8]]
    at = 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        chunk_type = data[at + 4:at + 8]
        end = at + 12 + length
        if chunk_type in PNG_KEEP:
            out.append(data[at:end])
        at = end
        if chunk_type == b"IEND":
            break
    return b"".join(out)


def _jpeg(data: bytes) -> bytes:
    """Drop APP1–APP13 and APP15 (EXIF, XMP, Photoshop IRB) and comments; keep JFIF (APP0) and
    Adobe (APP14, which says how to read the colours)."""
    out = [data[:2]]
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the image data follows, copy the rest as is
            break
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        segment = data[at:at + 2 + length]
        if not (0xE1 <= marker <= 0xED or marker in (0xEF, 0xFE)):
            out.append(segment)
        at += 2 + length
    out.append(data[at:])
    return b"".join(out)
