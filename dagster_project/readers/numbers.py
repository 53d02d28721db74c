"""Spreadsheet numbers as the exact text a budget table prints.

Spreadsheet libraries hand over numbers as binary floats (16390.41 is really
16390.409999999999854...). The text is rebuilt from the value, never from a display string:
the float's shortest round-trip form (`repr`) is read as a Decimal, cut to the 15 significant
digits a spreadsheet keeps (so 0.1+0.2 is 0.3, not 0.30000000000000004), and then rounded,
half away from zero as spreadsheets display, to the decimals its number format shows. A
percent format shows the value times 100 with '%'; a zero-padded integer format ('00') keeps
the leading zeros of codes such as 款 '01'. Thousands separators and currency signs are left
out: they carry no value, and parse_amount reads the plain form.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

_SPREADSHEET_DIGITS = Context(prec=15, rounding=ROUND_HALF_EVEN)
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DECIMALS = re.compile(r"\.([0#?]+)")
_INTEGER = re.compile(r"[0#?,]+")


@dataclass(frozen=True)
class NumberFormat:
    decimals: int | None  # None: show the value as it is ("General", text, scientific)
    percent: bool = False
    int_digits: int = 1  # minimum digits before the point ('00' pads 1 to '01')


GENERAL = NumberFormat(None)


def parse_format(code: str | None) -> NumberFormat:
    """The parts of a number-format code that change which number is shown."""
    if not code:
        return GENERAL
    section = code.split(";")[0]
    section = _LITERALS.sub("", section)
    if not section.strip() or section.strip().lower() == "general" or "@" in section:
        return GENERAL
    if "e+" in section.lower() or "e-" in section.lower():
        return GENERAL
    percent = "%" in section
    match = _DECIMALS.search(section)
    decimals = len(match.group(1)) if match else 0
    integer = _INTEGER.search(section[: match.start()] if match else section)
    if integer is None and match is None:
        return GENERAL  # no digit placeholders at all: a literal-only format
    int_digits = max(1, integer.group(0).count("0")) if integer else 1
    return NumberFormat(decimals, percent, int_digits)


def exact_decimal(value: int | float | Decimal) -> Decimal:
    """The number a spreadsheet cell holds, as a Decimal without float artefacts."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return _SPREADSHEET_DIGITS.create_decimal(repr(value))
    return _SPREADSHEET_DIGITS.plus(value)


def number_text(value: int | float | Decimal, code: str | None = None) -> str:
    """The number as plain text with the decimals its format shows ('#,##0.00' -> '16390.41').
    NaN and infinities (no spreadsheet can print them; only a hand-made file holds them) come
    out as `NaN` / `Infinity`, so that the interpreter reports the cell instead of reading a
    blank."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("-Infinity" if value < 0 else "Infinity")
    fmt = parse_format(code)
    number = exact_decimal(value)
    if fmt.percent:
        number = number * 100
    try:
        shown = number.quantize(Decimal(1).scaleb(-fmt.decimals), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError):  # no decimals to show, or too many digits for them
        shown = None
    text = _plain(number) if shown is None else format(shown, "f")
    if fmt.int_digits > 1:
        sign = "-" if text.startswith("-") else ""
        whole, dot, frac = text.lstrip("-").partition(".")
        text = sign + whole.zfill(fmt.int_digits) + dot + frac
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]  # -0.00 prints as 0.00
    return text + ("%" if fmt.percent else "")


def _plain(number: Decimal) -> str:
    """Fixed-point text without trailing zeros after the point (2101501, 0.3, 1234.5)."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
