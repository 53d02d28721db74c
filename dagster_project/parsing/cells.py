"""Amounts in cells: the exact number a cell prints, or why it prints none.

Every amount is a Decimal parsed from the printed text; a float never sees it. The text is
first cleaned and folded by the shared `text.cells` (the same form every reader hands over).
A cell that tries to print a number and fails ('1e400', 'NaN', '1.234,56', '60亿元', '60 00')
is never guessed at: `amount_problem` names what is wrong with it, for the unparsed-cell report.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from dagster_project.text.cells import CACHE_SIZE as _CACHE
from dagster_project.text.cells import clean_cell, fold
from dagster_project.text.patterns import AMOUNT

__all__ = [
    "amount_problem", "is_blank_amount", "looks_numeric",
    "parse_amount", "why_not_amount",
]

_NUMBER = re.compile(rf"^[+-]?{AMOUNT}$")
# Digits on both sides of a blank inside one cell: '60 00' is 60 and 00 run together by a
# reader, or one number broken by layout; which one the cell cannot say, so it is not read.
# (Readers that know their columns, like the aligned-text reader, split such runs themselves.)
_SPACED_DIGITS = re.compile(r"\d[ \u3000\u00a0\t]+[\d.,]|[\d.,][ \u3000\u00a0\t]+\d")
_BLANKS = {"", "-", "--", "—", "——", "–", "－", "/", "*", "…", "——/——"}


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
