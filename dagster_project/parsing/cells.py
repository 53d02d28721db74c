"""Cell text: cleaning what layout tools leave behind, and exact amount parsing.

Every amount is a Decimal parsed from the printed text; a float never sees it. The cleaning
rules are format-agnostic: markers from word-processor exports, full-width forms, CJK radical
look-alikes that NFKC does not fold, and spaces that layout tools put between CJK characters.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_MARKER = re.compile(r"\[(?:bookmark|anchor|footnote|comment)[^\]]*\]", re.IGNORECASE)
_CID = re.compile(r"\(cid:\d+\)")
# CJK radicals (U+2E80–U+2FDF) that PDF fonts emit instead of the ordinary ideograph.
_RADICALS = {
    "\u2ec4": "西", "\u2ec5": "见", "\u2ec6": "角", "\u2ec9": "贝", "\u2ecb": "车",
    "\u2ed3": "长", "\u2ed4": "门", "\u2ed8": "青", "\u2eda": "页", "\u2edb": "风",
    "\u2edc": "飞", "\u2edd": "食", "\u2ee2": "马", "\u2ee3": "骨", "\u2ee4": "鬼",
    "\u2ee5": "鱼", "\u2ee6": "鸟", "\u2ee8": "麦", "\u2ee9": "黄", "\u2eec": "齐",
    "\u2eee": "齿", "\u2ef0": "龙",
}
# One C-level pass instead of a Python loop per character (clean_cell runs on every cell).
_TRANSLATE = str.maketrans({**_RADICALS, "\u00a0": " ", "\u200b": ""})
_CJK_SPACE = re.compile(
    r"(?<=[\u3400-\u9fff（）()、：:])[ \u3000]+(?=[\u3400-\u9fff（）()、：:\d])"
    r"|(?<=\d)[ \u3000]+(?=[\u3400-\u9fff])"
)
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_BLANKS = {"", "-", "--", "—", "——", "–", "－", "/", "*", "…", "——/——"}


# The functions below are pure and called on every cell, many times over (classification,
# header paths, row interpretation); report grids repeat the same strings, so results are
# memoized per process. Caches are bounded: a worker staging thousands of documents keeps a
# fixed footprint.
_CACHE = 1 << 16


@lru_cache(maxsize=_CACHE)
def _clean(text: str) -> str:
    if "[" in text:
        text = _MARKER.sub("", text)
    if "(cid:" in text:
        text = _CID.sub("", text)
    return " ".join(text.translate(_TRANSLATE).split())


def clean_cell(text: str | None) -> str:
    """Layout noise out, content untouched: the result is still the printed text."""
    if not text:
        return ""
    return _clean(text)


@lru_cache(maxsize=_CACHE)
def fold(text: str) -> str:
    """The form used for matching words: NFKC (full-width to half-width), no spaces."""
    text = unicodedata.normalize("NFKC", clean_cell(text))
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=_CACHE)
def display_label(text: str) -> str:
    """A label for humans: cleaned, spaces between CJK characters removed ('合 计' -> '合计')."""
    return _CJK_SPACE.sub("", clean_cell(text))


def is_blank_amount(text: str) -> bool:
    """Blank cells and the dashes publishers print for 'nothing' carry no amount."""
    return fold(text) in _BLANKS


@lru_cache(maxsize=_CACHE)
def parse_amount(text: str) -> Decimal | None:
    """The exact number a cell prints, or None when it prints no number.

    Accepts thousands separators, full-width digits, a minus sign or accounting brackets
    for negatives, and a trailing unit word that some publishers repeat in cells.
    """
    s = fold(text)
    if s in _BLANKS:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = s.replace("−", "-").replace("﹣", "-")
    for suffix in ("万元", "千元", "元"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    if not _NUMBER.match(s):
        return None
    if len(s.replace(",", "").split(".")[0].lstrip("+-")) > 14:
        return None  # no budget prints 10^14; digit runs this long are identifiers
    try:
        value = Decimal(s.replace(",", "").lstrip("+"))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None
    return -value if negative else value


def looks_numeric(text: str) -> bool:
    return parse_amount(text) is not None
