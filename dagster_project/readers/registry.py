"""Choose a reader from the file's bytes, never from its name.

Readers are asked in order and the first whose `sniff` accepts the bytes reads them. The text
reader comes last: its sniff accepts anything that decodes, HTML included. Containers that
no reader takes (a zip that is neither workbook nor document, a legacy PowerPoint file, an
encrypted Office file) get a reason that says what they are.
"""

from __future__ import annotations

from dagster_project.readers.base import Reader, ReaderError
from dagster_project.readers.containers import ole_kind, zip_kind
from dagster_project.readers.docx import DocxReader, LegacyDocReader
from dagster_project.readers.html import HtmlReader
from dagster_project.readers.pdf import PdfReader
from dagster_project.readers.text import TextReader
from dagster_project.readers.xls import XlsReader
from dagster_project.readers.xlsx import XlsxReader

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
)
_CONTAINERS = {
    "xlsb": "XLSB (binary Excel workbook) is not supported: save it as XLSX",
    "pptx": "PPTX presentation: no reader for presentations",
    "zip": "zip archive that is neither an XLSX workbook nor a DOCX document",
    "ppt": "legacy PowerPoint file: no reader for presentations",
    "encrypted": "password-protected Office file: remove the password and save again",
    "ole": "legacy Office (OLE2) file that is neither XLS nor DOC, or is damaged",
}

READERS: tuple[Reader, ...] = (
    PdfReader(), XlsxReader(), XlsReader(), DocxReader(), LegacyDocReader(), HtmlReader(), TextReader(),
)


def _container(data: bytes) -> str | None:
    return zip_kind(data) or ole_kind(data)


def sniff_format(data: bytes) -> str:
    """The format the bytes are in: a reader's format name, else a human name."""
    for reader in READERS:
        if reader.format != "text" and reader.sniff(data):
            return reader.format
    kind = _container(data)
    if kind:
        return kind
    head = data[:8]
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    return "text"


def reader_for(data: bytes) -> Reader:
    if not data.strip():
        raise ReaderError("empty file: nothing to read")
    for reader in READERS:
        if reader.format != "text" and reader.sniff(data):
            return reader
    kind = _container(data)
    if kind:
        raise ReaderError(_CONTAINERS[kind])
    head = data[:8]
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            raise ReaderError(f"{name}: no reader for this format yet")
    text = READERS[-1]
    if text.sniff(data):
        return text
    raise ReaderError("not a text file and no known document signature (binary data?)")
