"""What an Office container holds, told from its bytes.

XLSX and DOCX are both zip files and XLS and DOC are both OLE2 compound files, so the first
bytes only say "zip" or "OLE2"; the members tell them apart. A truncated zip has no central
directory, but its local file headers still name the members it starts with, which is enough
to say "a damaged workbook" instead of "binary garbage".
"""

from __future__ import annotations

import io
import struct
import zipfile

from dagster_project.readers.base import ReaderError

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Uncompressed bytes a workbook or document may expand to (zip bombs stop here).
MAX_UNCOMPRESSED = 512 * 1024 * 1024

_ZIP_KINDS = (  # a member name that marks the kind, most specific first
    ("xl/workbook.bin", "xlsb"),
    ("xl/workbook.xml", "xlsx"),
    ("word/document.xml", "docx"),
    ("ppt/presentation.xml", "pptx"),
)
# Parts only one kind of package has: enough to name a truncated one, whose main part may
# lie beyond the cut (writers put it anywhere in the archive).
_PART_PREFIXES = (("xl/", "xlsx"), ("word/", "docx"), ("ppt/", "pptx"))


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC) or data.startswith(EMPTY_ZIP_MAGIC)


def local_member_names(data: bytes, limit: int = 200) -> list[str]:
    """Member names from the local file headers, read front to back (works on truncated files)."""
    names, offset = [], 0
    while len(names) < limit and data.startswith(ZIP_MAGIC, offset) and offset + 30 <= len(data):
        compressed, _, name_len, extra_len = struct.unpack_from("<IIHH", data, offset + 18)
        flags = struct.unpack_from("<H", data, offset + 6)[0]
        name = data[offset + 30: offset + 30 + name_len].decode("utf-8", "replace")
        names.append(name)
        if flags & 0x08:  # sizes follow the data: the next header cannot be located cheaply
            break
        offset += 30 + name_len + extra_len + compressed
    return names


def zip_kind(data: bytes) -> str | None:
    """'xlsx', 'docx', 'xlsb', 'pptx' or 'zip' for a zip container; None for anything else."""
    if not is_zip(data):
        return None
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        names = local_member_names(data)
        for member, kind in _ZIP_KINDS:
            if member in names:
                return kind
        for prefix, kind in _PART_PREFIXES:
            if any(name.startswith(prefix) for name in names):
                return kind
        return "zip"
    for member, kind in _ZIP_KINDS:
        if member in names:
            return kind
    return "zip"


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    """The zip of an Office file, or a ReaderError saying how it is damaged."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReaderError(f"damaged {what}: the zip container is truncated or corrupt ({exc})") from exc
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED:
        raise ReaderError(f"{what} expands to {total} bytes, over the limit of {MAX_UNCOMPRESSED}")
    return archive


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def ole_kind(data: bytes) -> str | None:
    """'xls', 'doc', 'ppt', 'encrypted' or 'ole' for an OLE2 compound file; None otherwise.

    Directory entries store stream names in UTF-16LE, so a byte search finds them without
    parsing the sector chains (a damaged file simply finds none and stays 'ole').
    """
    if not data.startswith(OLE_MAGIC):
        return None
    if _utf16("EncryptedPackage") in data:
        return "encrypted"  # a password-protected XLSX/DOCX is wrapped in OLE2
    if _utf16("Workbook") in data or _utf16("Book\x00") in data:
        return "xls"
    if _utf16("WordDocument") in data:
        return "doc"
    if _utf16("PowerPoint Document") in data:
        return "ppt"
    return "ole"
