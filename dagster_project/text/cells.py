"""Cell text: cleaning what layout tools leave behind, and the form used for matching words.

Every reader hands over cells through `clean_cell`, and parsing matches words on `fold` and
shows labels through `display_label`, so a reader and the interpreter never disagree on what
a cell says. The cleaning rules are format-agnostic: markers from word-processor exports,
`(cid:NN)` glyphs, CJK radical look-alikes that NFKC does not fold, and spaces that layout
tools put between CJK characters. The content is never changed: the result is still the
printed text. Reading amounts out of cells is parsing's (`parsing.cells`).
"""

from __future__ import annotations

import re
import unicodedata
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

# The functions below are pure and called on every cell, many times over (reading,
# classification, header paths, row interpretation); report grids repeat the same strings, so
# results are memoized per process. Caches are bounded: a worker staging thousands of
# documents keeps a fixed footprint.
CACHE_SIZE = 1 << 16


@lru_cache(maxsize=CACHE_SIZE)
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


@lru_cache(maxsize=CACHE_SIZE)
def fold(text: str) -> str:
    """The form used for matching words: NFKC (full-width to half-width), no spaces."""
    text = unicodedata.normalize("NFKC", clean_cell(text))
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=CACHE_SIZE)
def display_label(text: str) -> str:
    """A label for humans: cleaned, spaces between CJK characters removed ('合 计' -> '合计')."""
    return _CJK_SPACE.sub("", clean_cell(text))
