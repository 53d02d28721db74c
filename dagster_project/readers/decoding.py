"""Bytes to text for the text-dump formats.

Chinese government files arrive as UTF-8 (with or without BOM), GB18030/GBK, or UTF-16
exported from Windows tools. A wrong guess silently corrupts every label, so the order is:
byte-order marks, then strict UTF-8, then UTF-16 recognised by its NUL-byte rhythm, then
charset-normalizer restricted to the encodings these publishers actually use.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from dagster_project.readers.base import ReaderError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CJK_ENCODINGS = ["gb18030", "utf_16_le", "utf_16_be", "big5", "utf_8"]
# Control characters other than \t \n \v \f \r, and the replacement character: counted by
# the regex engine, not a Python loop per character (every text file is checked, some twice).
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")


def _looks_like_text(text: str) -> bool:
    """Binary garbage decodes 'successfully' in GB18030; control characters give it away."""
    if not text.strip():
        return True
    bad = len(_BAD_CHARS.findall(text))
    return bad / len(text) < 0.01


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        encoding = "utf-16-le"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise ReaderError when the bytes are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding, errors="strict")
            except UnicodeDecodeError:  # binary data that happens to start like a BOM
                raise ReaderError(f"not a text file: the bytes after a {encoding} byte-order mark "
                                  "do not decode") from None
            if _looks_like_text(text):
                return text, encoding
            raise ReaderError(f"not a text file: control characters after a {encoding} BOM")
    try:
        text = data.decode("utf-8")
        if _looks_like_text(text):
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    text16 = _utf16_without_bom(data)
    if text16 is not None and _looks_like_text(text16):
        return text16, "utf-16"
    match = from_bytes(data, cp_isolation=_CJK_ENCODINGS).best()
    if match is not None:
        text = str(match)
        if _looks_like_text(text):
            return text, match.encoding
    try:
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    raise ReaderError("not a text file: bytes decode as none of UTF-8, UTF-16, GB18030, Big5")
