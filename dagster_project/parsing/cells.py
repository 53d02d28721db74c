"""Cell text: cleaning what layout tools leave behind, and exact amount parsing.

Every amount is a Decimal parsed from the printed text; a float never sees it. The cleaning
rules are format-agnostic: markers from word-processor exports, full-width forms, CJK radical
look-alikes that NFKC does not fold, and spaces that layout tools put between CJK characters.
A cell that tries to print a number and fails ('1e400', 'NaN', '1.234,56', '60亿元', '60 00')
is never guessed at: `amount_problem` names what is wrong with it, for the unparsed-cell report.
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
# Digits on both sides of a blank inside one cell: '60 00' is 60 and 00 run together by a
# reader, or one number broken by layout; which one the cell cannot say, so it is not read.
# (Readers that know their columns, like the aligned-text reader, split such runs themselves.)
_SPACED_DIGITS = re.compile(r"\d[ \u3000\u00a0\t]+[\d.,]|[\d.,][ \u3000\u00a0\t]+\d")
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
    for negatives, and a trailing unit word that some publishers repeat in cells. Digits on
    both sides of a blank ('60 00') are refused, not joined.
    """
    s = fold(text)
    if s in _BLANKS:
        return None
    if _SPACED_DIGITS.search(clean_cell(text)):
        return None  # '60 00' is not 6000: see amount_problem
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


# Cells that try to print a number but that parse_amount does not read, each with the reason
# it is refused. They are malformed amounts, not labels: a column of them is still an amount
# column, and each cell is reported as unparsed instead of being dropped. Patterns run on the
# folded text (NFKC, no blanks) unless said otherwise; a float never reads any of them.
_SIGNED = r"[+-]?"
_SPACED_NUMBER = re.compile(r"[+-]?[\d.,]+(?:[万千亿]?元|[万千亿])?")
_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), reason)
    for pattern, reason in (
        (rf"^{_SIGNED}(?:nan|inf|infinity|∞)$", "not a number (NaN or infinity)"),
        (rf"^{_SIGNED}(?:\d[\d,]*(?:\.\d*)?|\.\d+)e{_SIGNED}\d+$", "scientific notation"),
        (rf"^{_SIGNED}\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?$|^{_SIGNED}\d+(?:\.\d{{3}})+,\d+$",
         "European separators ('.' for thousands, ',' for decimals)"),
        (rf"^{_SIGNED}\d+,\d{{1,2}}$", "a comma before the last digits: decimal comma or misplaced separator"),
        (rf"^{_SIGNED}[\d.,]*\d(亿元|万亿元|百万元|千万元|亿|万|千|百万|千万)$", "amount printed with a unit word"),
        (rf"^{_SIGNED}\d[\d,]*,[\d,]*(?:\.\d+)?$", "misplaced thousands separators"),
        (rf"^{_SIGNED}(?:\.\d+|\d[\d,]*\.)$", "incomplete decimal number"),
        (r"^[¥$€£][+-]?[\d.,]*\d[\d.,]*$|^[+-]?[\d.,]*\d[\d.,]*[¥$€£]$",
         "amount printed with a currency sign"),
    )
)


@lru_cache(maxsize=_CACHE)
def amount_problem(text: str) -> str | None:
    """Why a cell that prints a number-like value is not an amount ('1e400', 'NaN',
    '1.234,56', '60亿元', '1,2,3', '60 00'), or None: the cell reads as an amount, is blank or a
    placeholder (—, -, /, *), or is not number-like at all (words, codes, dates, percentages)."""
    s = fold(text)
    if s in _BLANKS or parse_amount(text) is not None:
        return None
    cleaned = unicodedata.normalize("NFKC", clean_cell(text))
    if s.startswith("(") and s.endswith(")") and len(s) > 2:
        s = s[1:-1]
    s = s.replace("−", "-").replace("﹣", "-")
    if _SPACED_DIGITS.search(cleaned) and _SPACED_NUMBER.fullmatch(s):
        joined = s.replace(",", "")
        return f"digits separated by a blank ({cleaned!r}): one number or two, not read as {joined}"
    for pattern, reason in _PROBLEMS:
        match = pattern.search(s)
        if match:
            if reason == "amount printed with a unit word":
                return f"{reason} ({match.group(1)})"
            return reason
    return None


def why_not_amount(text: str) -> str | None:
    """The reason an amount column's cell is not read: its amount_problem, or a digit run too
    long for any budget (an identifier). None for cells not number-like at all."""
    problem = amount_problem(text)
    if problem is None and _NUMBER.match(fold(text)):
        problem = "more than 14 digits before the point: an identifier, not an amount"
    return problem
