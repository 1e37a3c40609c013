"""Files with a bidder's identity planted in every place a file keeps one, and a search that looks
for it everywhere: raw bytes, every decompressed stream or zip part, every PDF string as pypdf
decodes it (UTF-16BE with BOM, hex, PDFDocEncoding), in UTF-8, UTF-16 both ways and hex."""

from __future__ import annotations

import io
import logging
import struct
import zipfile
import zlib

from openpyxl import Workbook
from openpyxl.comments import Comment
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

NAME = "欧阳明辉"
LOGIN = "ouyangmh"
LATIN = "Ouyang Minghui"
SECRETS = (NAME, LOGIN, LATIN)
TEXT = "实施方案正文"


def _xmp(who: str) -> bytes:
    return (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{who}</dc:creator></rdf:Description>'
            f'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


def _stream(writer: PdfWriter, data: bytes, **entries: object) -> object:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value  # type: ignore[assignment]
    stream = stream.flate_encode()
    return writer._add_object(stream)


def jpeg_with_exif(who: str) -> bytes:
    image = Image.new("RGB", (8, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = who  # Artist
    exif[0x8298] = who  # Copyright
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=who.encode())
    data = out.getvalue()
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + _xmp(who)
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp + data[2:] + who.encode()


def png_with_text(who: str) -> bytes:
    image = Image.new("RGB", (8, 8), (30, 200, 30))
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("Author", who)
    info.add_text("Comment", LOGIN)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    data = out.getvalue()
    chunk = b"zTXt" + b"Artist\x00\x00" + zlib.compress(who.encode())
    body = struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return data[:33] + body + data[33:]


def pdf_locations() -> dict[str, bytes]:
    """One PDF per place a name hides, each made with that place alone."""
    return {name: build(NAME) for name, build in PDF_BUILDERS.items()}


def _pdf(plant) -> bytes:  # type: ignore[no-untyped-def]
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    plant(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _info(who: str) -> bytes:
    return _pdf(lambda w, p: w.add_metadata({"/Author": who, "/Title": f"{who}的方案", "/Creator": LOGIN}))


def _catalog_xmp(who: str) -> bytes:
    def plant(w, p):  # type: ignore[no-untyped-def]
        w.root_object[NameObject("/Metadata")] = _stream(w, _xmp(who), Type=NameObject("/Metadata"))
    return _pdf(plant)


def _loose_xmp(who: str) -> bytes:
    return _pdf(lambda w, p: _stream(w, _xmp(who), Type=NameObject("/Metadata")))


def _page_xmp_and_pieceinfo(who: str) -> bytes:
    def plant(w, p):  # type: ignore[no-untyped-def]
        p[NameObject("/Metadata")] = _stream(w, _xmp(who), Type=NameObject("/Metadata"))
        p[NameObject("/PieceInfo")] = DictionaryObject({NameObject("/Illustrator"): DictionaryObject({
            NameObject("/Private"): TextStringObject(who)})})
    return _pdf(plant)


def _annotation(**entries: object) -> DictionaryObject:
    annotation = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                   NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10),
                                                                     FloatObject(50), FloatObject(50)])})
    for key, value in entries.items():
        annotation[NameObject(f"/{key}")] = value  # type: ignore[assignment]
    return annotation


def _annotation_author_utf16(who: str) -> bytes:
    def plant(w, p):  # type: ignore[no-untyped-def]
        popup = w._add_object(_annotation(Subtype=NameObject("/Popup"), T=TextStringObject(who)))
        note = _annotation(Subtype=NameObject("/Text"), T=ByteStringObject(b"\xfe\xff" + who.encode("utf-16-be")),
                           Contents=TextStringObject("请补充数据"), Popup=popup,
                           RC=TextStringObject(f"<body><p>{LOGIN}</p></body>"))
        p[NameObject("/Annots")] = ArrayObject([w._add_object(note), popup])
    return _pdf(plant)


def _annotation_author_hex(who: str) -> bytes:
    """/T written as a hex string <FEFF…>: the raw file never holds the name's bytes."""
    data = _pdf(lambda w, p: p.__setitem__(NameObject("/Annots"), ArrayObject([w._add_object(_annotation(
        Subtype=NameObject("/Highlight"), T=TextStringObject("PLACEHOLDERAUTHORXYZ")))])))
    hexed = ("<FEFF" + who.encode("utf-16-be").hex().upper() + ">").encode()
    assert b"(PLACEHOLDERAUTHORXYZ)" in data and len(hexed) == 22  # same length: the xref stays right
    return data.replace(b"(PLACEHOLDERAUTHORXYZ)", hexed)


def _attached_file(who: str) -> bytes:
    def plant(w, p):  # type: ignore[no-untyped-def]
        embedded = _stream(w, f"作者：{who}".encode(), Type=NameObject("/EmbeddedFile"))
        spec = w._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Filespec"), NameObject("/F"): TextStringObject(f"{LOGIN}.txt"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): embedded})}))
        p[NameObject("/Annots")] = ArrayObject([w._add_object(_annotation(
            Subtype=NameObject("/FileAttachment"), FS=spec, T=TextStringObject(LATIN)))])
        w.add_attachment(f"{who}.txt", who.encode())
    return _pdf(plant)


def _javascript(who: str) -> bytes:
    def plant(w, p):  # type: ignore[no-untyped-def]
        script = w._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                 NameObject("/JS"): TextStringObject(f"app.alert('{LOGIN}');")}))
        w.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): DictionaryObject({
            NameObject("/Names"): ArrayObject([TextStringObject("init"), script])})})
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject(f"app.alert('{who}')")})
        w.root_object[NameObject("/OpenAction")] = w._add_object(action)
        p[NameObject("/AA")] = DictionaryObject({NameObject("/O"): w._add_object(action)})
        link = _annotation(Subtype=NameObject("/Link"), A=action)
        p[NameObject("/Annots")] = ArrayObject([w._add_object(link)])
    return _pdf(plant)


def _outline_and_image(who: str) -> bytes:
    def plant(w, p):  # type: ignore[no-untyped-def]
        w.add_outline_item(title=f"{who}简介", page_number=0)
        jpeg = jpeg_with_exif(who)
        image = StreamObject()
        image._data = jpeg
        image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                      NameObject("/Width"): NumberObject(8), NameObject("/Height"): NumberObject(8),
                      NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                      NameObject("/BitsPerComponent"): NumberObject(8),
                      NameObject("/Filter"): NameObject("/DCTDecode"),
                      NameObject("/Metadata"): _stream(w, _xmp(who), Type=NameObject("/Metadata"))})
        p[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject({
            NameObject("/Im1"): w._add_object(image)})})
        content = _stream(w, b"q 100 0 0 100 50 50 cm /Im1 Do Q")
        p[NameObject("/Contents")] = content
    return _pdf(plant)


PDF_BUILDERS = {
    "document info": _info,
    "XMP from the catalog": _catalog_xmp,
    "loose XMP object": _loose_xmp,
    "page XMP and PieceInfo": _page_xmp_and_pieceinfo,
    "annotation author (UTF-16BE) and popup": _annotation_author_utf16,
    "annotation author (hex string)": _annotation_author_hex,
    "attached and embedded files": _attached_file,
    "JavaScript": _javascript,
    "outline and image EXIF/XMP": _outline_and_image,
}


# --- Office ---------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_NS = (f'xmlns:w="{W}" xmlns:r="{R}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
          'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
          'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" mc:Ignorable="w14"')


def _docx_document(who: str) -> str:
    drawing = (f'<w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="1" name="{who}.jpg" '
               f'descr="C:\\Users\\{LOGIN}\\Pictures\\{who}.jpg"/><a:graphic><a:graphicData '
               'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr>'
               f'<pic:cNvPr id="0" name="{who}.jpg" descr="{who}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
               '<a:blip r:embed="rId10"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic>'
               '</wp:inline></w:drawing></w:r>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!-- {who} -->'
            f'<w:document {DOC_NS}><w:body>'
            f'<w:p w:rsidR="00A1B2C3" w14:paraId="1A2B3C4D"><w:commentRangeStart w:id="0"/>'
            f'<w:r><w:t>{TEXT}</w:t></w:r><w:commentRangeEnd w:id="0"/>'
            f'<w:r><w:commentReference w:id="0"/></w:r>'
            f'<w:ins w:id="1" w:author="{who}" w:date="2026-11-01T00:00:00Z"><w:r><w:t>新增内容</w:t></w:r></w:ins>'
            f'<w:del w:id="2" w:author="{LATIN}" w:date="2026-11-01T00:00:00Z"><w:r><w:delText>{who}删去的话</w:delText>'
            f'</w:r></w:del>'
            f'<w:r><w:rPr><w:b/><w:rPrChange w:id="3" w:author="{LOGIN}"><w:rPr/></w:rPrChange></w:rPr>'
            f'<w:t>加粗</w:t></w:r>'
            f'<w:hyperlink r:id="rId12"><w:r><w:t>本地文件</w:t></w:r></w:hyperlink>'
            f'</w:p><w:p>{drawing}</w:p><w:sectPr/></w:body></w:document>')


def docx_with_identity(who: str = NAME) -> bytes:
    """A Word file that names `who` everywhere Word (and a careless bidder) would."""
    parts = {
        "[Content_Types].xml": ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                                'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                                'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                                'ContentType="application/xml"/><Default Extension="jpeg" ContentType="image/jpeg"/>'
                                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                                'officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (f'<Relationships xmlns="{PKG}">'
                        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
                        f'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                        f'metadata/core-properties" Target="docProps/core.xml"/>'
                        f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
                        f'<Relationship Id="rId4" Type="{REL}/custom-properties" Target="docProps/custom.xml"/>'
                        f'<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                        f'metadata/thumbnail" Target="docProps/thumbnail.jpeg"/></Relationships>'),
        "docProps/core.xml": (f'<cp:coreProperties xmlns:cp="c" xmlns:dc="d"><dc:creator>{who}</dc:creator>'
                              f'<cp:lastModifiedBy>{LOGIN}</cp:lastModifiedBy></cp:coreProperties>'),
        "docProps/app.xml": f"<Properties><Company>{who}</Company><Manager>{LATIN}</Manager></Properties>",
        "docProps/custom.xml": f'<Properties><property name="x"><vt:lpwstr xmlns:vt="v">{who}</vt:lpwstr></property></Properties>',
        "docProps/thumbnail.jpeg": jpeg_with_exif(who),
        "word/document.xml": _docx_document(who),
        "word/_rels/document.xml.rels": (
            f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/settings" Target="settings.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/comments" Target="comments.xml"/>'
            f'<Relationship Id="rId4" Type="http://schemas.microsoft.com/office/2011/relationships/people" '
            f'Target="people.xml"/>'
            f'<Relationship Id="rId5" Type="{REL}/customXml" Target="../customXml/item1.xml"/>'
            f'<Relationship Id="rId6" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
            f'Target="vbaProject.bin"/>'
            f'<Relationship Id="rId7" Type="{REL}/header" Target="header1.xml"/>'
            f'<Relationship Id="rId10" Type="{REL}/image" Target="media/{who}.jpeg"/>'
            f'<Relationship Id="rId11" Type="{REL}/image" Target="media/image2.png"/>'
            f'<Relationship Id="rId12" Type="{REL}/hyperlink" Target="file:///C:/Users/{LOGIN}/{who}.docx" '
            f'TargetMode="External"/>'
            f'<Relationship Id="rId13" Type="{REL}/hyperlink" Target="https://example.org/plan" TargetMode="External"/>'
            f'</Relationships>'),
        "word/styles.xml": f'<w:styles xmlns:w="{W}"><w:style w:styleId="Normal"/></w:styles>',
        "word/settings.xml": (f'<w:settings xmlns:w="{W}" xmlns:r="{R}"><w:attachedTemplate r:id="rId1"/>'
                              f'<w:docVars><w:docVar w:name="owner" w:val="{who}"/></w:docVars>'
                              f'<w:rsids><w:rsidRoot w:val="00A1B2C3"/></w:rsids><w:zoom w:percent="100"/></w:settings>'),
        "word/_rels/settings.xml.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/attachedTemplate" '
            f'Target="file:///C:/Users/{LOGIN}/AppData/Roaming/Microsoft/Templates/{who}.dotm" '
            f'TargetMode="External"/></Relationships>'),
        "word/header1.xml": f'<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>页眉</w:t></w:r></w:p></w:hdr>',
        "word/comments.xml": (f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="{who}" w:initials="OY">'
                              f'<w:p><w:r><w:t>{LATIN}的批注</w:t></w:r></w:p></w:comment></w:comments>'),
        "word/people.xml": (f'<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
                            f'<w15:person w15:author="{who}"><w15:presenceInfo w15:providerId="AD" '
                            f'w15:userId="{LOGIN}@example.org"/></w15:person></w15:people>'),
        "customXml/item1.xml": f"<owner>{who}</owner>",
        "word/vbaProject.bin": f"Attribute VB_Name = {who}".encode(),
        f"word/media/{who}.jpeg": jpeg_with_exif(who),
        "word/media/image2.png": png_with_text(who),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        archive.comment = who.encode()
    return out.getvalue()


def xlsx_with_identity(who: str = NAME) -> bytes:
    """An Excel file (written by openpyxl, then edited as Excel would) naming `who` everywhere."""
    book = Workbook()
    sheet = book.active
    sheet.title = "预算"
    sheet["A1"] = "项目"
    sheet["B1"] = 120
    sheet["A1"].comment = Comment(f"{LATIN}: 请核对", who)
    book.properties.creator = who
    book.properties.lastModifiedBy = LOGIN
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = content.decode()
                text = text.replace("<workbookPr", f'<fileSharing userName="{who}" reservationPassword="CC1A"/>'
                                                   "<workbookPr", 1)
                text = text.replace("<bookViews>", '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/'
                                    'markup-compatibility/2006"><mc:Choice Requires="x15"><x15ac:absPath '
                                    f'url="C:\\Users\\{LOGIN}\\Desktop\\" xmlns:x15ac="http://schemas.microsoft.com/'
                                    'office/spreadsheetml/2010/11/ac"/></mc:Choice></mc:AlternateContent><bookViews>', 1)
                content = text.encode()
            if info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", (
                    b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2017/10/relationships/person" '
                    b'Target="persons/person.xml"/></Relationships>'))
            target.writestr(info, content)
        target.writestr("xl/persons/person.xml", f'<personList><person displayName="{who}" userId="{LOGIN}"/>'
                                                 "</personList>")
        target.writestr("xl/threadedComments/threadedComment1.xml",
                        f"<ThreadedComments><threadedComment><text>{who}</text></threadedComment></ThreadedComments>")
        target.writestr("xl/revisions/userNames.xml", f'<users><userInfo name="{who}"/></users>')
        target.writestr("xl/media/image1.png", png_with_text(who))
    return out.getvalue()


# --- the search -----------------------------------------------------------------------------------

def _encodings(word: str) -> list[bytes]:
    forms = [word.encode(), word.encode("utf-16-be"), word.encode("utf-16-le")]
    for form in list(forms):
        forms += [form.hex().encode(), form.hex().upper().encode()]
    return forms


def pdf_views(data: bytes) -> list[tuple[str, bytes]]:
    """The raw file, every object's decoded stream, and every string pypdf decodes."""
    views: list[tuple[str, bytes]] = [("raw", data)]
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # free slots in the table are expected
    reader = PdfReader(io.BytesIO(data), strict=False)
    strings: list[str] = []

    def walk(obj: object, depth: int = 0) -> None:
        if depth > 50:
            return
        if isinstance(obj, str):
            strings.append(str(obj))
        elif isinstance(obj, bytes):
            views.append(("bytes", bytes(obj)))
        elif isinstance(obj, dict):
            for key, value in obj.items():
                strings.append(str(key))
                if not hasattr(value, "idnum"):
                    walk(value, depth + 1)
        elif isinstance(obj, list):
            for item in obj:
                if not hasattr(item, "idnum"):
                    walk(item, depth + 1)

    for number in range(1, int(reader.trailer.get("/Size", 0)) + 1):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: S112 (a free slot in the table)
            continue
        if obj is None:
            continue
        if isinstance(obj, StreamObject):
            try:
                views.append((f"stream {number}", obj.get_data()))
            except Exception:
                views.append((f"stream {number} raw", obj._data))
        walk(obj)
    walk(reader.trailer)
    views.append(("strings", "\n".join(strings).encode()))
    return views


def zip_views(data: bytes) -> list[tuple[str, bytes]]:
    views: list[tuple[str, bytes]] = [("raw", data)]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        views.append(("zip comment", archive.comment))
        for info in archive.infolist():
            views.append((f"name {info.filename}", info.filename.encode() + info.extra + info.comment))
            views.append((info.filename, archive.read(info.filename)))
    return views


def leaks(views: list[tuple[str, bytes]], secrets: tuple[str, ...] = SECRETS) -> list[str]:
    """Where any secret is found, in any of its encodings."""
    found = []
    for label, blob in views:
        for word in secrets:
            if any(form in blob for form in _encodings(word)):
                found.append(f"{word} in {label}")
    return found
