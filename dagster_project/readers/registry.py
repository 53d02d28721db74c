"""Choose a reader from the file's bytes, never from its name."""

from __future__ import annotations

from dagster_project.readers.base import Reader, ReaderError
from dagster_project.readers.pdf import PdfReader
from dagster_project.readers.text import TextReader

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "zip container (DOCX/XLSX)"),
    (b"\xd0\xcf\x11\xe0", "legacy Office file (DOC/XLS)"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
)

READERS: tuple[Reader, ...] = (TextReader(), PdfReader())


def sniff_format(data: bytes) -> str:
    """A human name for the format the bytes are in."""
    head = data[:8]
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    return "text"


def reader_for(data: bytes) -> Reader:
    if not data.strip():
        raise ReaderError("empty file: nothing to read")
    kind = sniff_format(data)
    for reader in READERS:
        if kind == "text" and reader.format == "text" and reader.sniff(data):
            return reader
        if reader.format == kind:
            return reader
    if kind != "text":
        raise ReaderError(f"{kind}: no reader for this format yet")
    raise ReaderError("not a text file and no known document signature (binary data?)")
