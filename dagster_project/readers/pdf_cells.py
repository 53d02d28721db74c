"""Cell text as PDF table detectors return it, made to read as the publisher printed it.

A cell's text arrives as its printed lines joined by '\\n'. A Chinese phrase wrapped at the
cell edge ('2.政府性基金预' / '算') is one phrase again, and so is a number broken over two
lines; Latin words wrapped at a space keep their space. Where a detector put an amount and
the next column's label into one cell ('24,458.43二、财政专户管理资金') and the neighbouring
cell is empty, the two are put back into their own cells. `(cid:NN)` glyphs and CJK radical
look-alikes are folded by the shared `clean_cell`. Nothing here knows about budgets: the
rules are about how text wraps and how amounts are written.
"""

from __future__ import annotations

import re

from dagster_project.text.cells import clean_cell
from dagster_project.text.patterns import DECIMAL_AMOUNT, LIST_NUMBER

_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef“”‘’、，。：；（）《》【】]")
_NUMBER_CHAR = re.compile(r"[\d.,%]")
# an amount with decimals or thousands separators, then a label (CJK, or numbering then CJK)
_GLUED = re.compile(rf"^([-+]?{DECIMAL_AMOUNT})\s*({LIST_NUMBER}?[\u4e00-\u9fff].*)$")

_UNIT_WORD = re.compile(r"^(亿|万|千)?元")


def join_wrapped(text: str) -> str:
    """The printed lines of one cell as one string."""
    lines = [" ".join(part.split()) for part in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        a, b = out[-1], line[0]
        tight = (
            _CJK.match(a) or _CJK.match(b)
            or (_NUMBER_CHAR.match(a) and _NUMBER_CHAR.match(b))
            or a == "-"
        )
        out = out + ("" if tight else " ") + line
    return out


def clean_pdf_cell(text: str | None) -> str:
    return clean_cell(join_wrapped(text or ""))


def split_glued(row: list[str]) -> list[str]:
    """'24,458.43二、财政专户管理资金' beside an empty cell: amount and label apart again.
    The amount stays left of the label; whichever neighbour is empty takes the moved part."""
    out = list(row)
    for i, cell in enumerate(out):
        match = _GLUED.match(cell)
        if not match:
            continue
        amount, label = match.group(1), match.group(2).strip()
        if _UNIT_WORD.match(label):
            continue  # '7443200.00元' is an amount with its unit
        if i + 1 < len(out) and not out[i + 1]:
            out[i], out[i + 1] = amount, label
        elif i > 0 and not out[i - 1]:
            out[i - 1], out[i] = amount, label
    return out


def clean_grid(rows: list[list[str]]) -> list[list[str]]:
    return [split_glued([clean_pdf_cell(c) for c in row]) for row in rows]
