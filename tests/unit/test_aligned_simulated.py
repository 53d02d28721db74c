"""Space-aligned grids read back from dumps rendered exactly as pdfplumber lays out a page.

A seeded generator draws budget-like tables (an optional code column, a label column, two to
six amount columns; fonts of 9 to 12 pt; cells 55 to 90 pt wide but never narrower than their
widest number, so wide numbers often push their neighbours; some cells blank) and prints them as a PDF would: labels left-aligned,
amounts right-aligned, header words centred, CJK characters one em wide, digits 0.55 em. The
dump then places each word as pdfplumber 0.11's `to_textmap` does with layout=True: at
round(x0 / 7.25), at least one space after the previous word. The reader must give back the
table cell for cell.
"""

from __future__ import annotations

import random
import re
import unicodedata

from dagster_project.readers.aligned import find_aligned_tables

X_DENSITY = 7.25  # pdfplumber's default: points per character position
LABELS = ("一般公共服务支出", "行政运行", "机关服务", "社会保障和就业支出", "住房公积金", "提租补贴", "其他支出",
          "教育支出", "卫生健康支出", "一般行政管理事务", "事业运行", "医疗保障管理事务", "退休费", "办公费", "差旅费")
HEADERS = ("合计", "基本支出", "项目支出", "人员经费", "公用经费", "上年结转", "一般公共预算", "财政拨款", "事业收入",
           "其他收入")
CODES = ("201", "20101", "2010101", "208", "20805", "2080501")
PAD = 3.0


def printed_width(text: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else (0.55 if ch.isdigit() else 0.28) * size
               for ch in text)


def dump_line(words: list[tuple[float, str]]) -> str:
    line = ""
    for x0, text in sorted(words):
        line += " " * max(1 if line else 0, round(x0 / X_DENSITY) - len(line)) + text
    return line


def simulated_table(rng: random.Random) -> tuple[list[str], list[list[str]]]:
    size = rng.choice([9, 10, 10.5, 11, 12])
    x = rng.uniform(20, 60)
    cells: list[tuple[str, float, float]] = []  # (kind, left, right)
    if rng.random() < 0.5:
        width = 7 * 0.55 * size + rng.uniform(10, 40)
        cells.append(("code", x, x + width))
        x += width
    width = rng.uniform(9, 14) * size
    cells.append(("label", x, x + width))
    x += width
    widest = printed_width("999,999.99", size) + 2 * PAD  # a cell holds its numbers
    for _ in range(rng.randint(2, 6)):
        width = max(rng.uniform(55, 90), widest + rng.uniform(0, 6))
        cells.append(("amount", x, x + width))
        x += width
    titles = {"code": "科目编码", "label": "科目名称"}
    heads = [titles.get(kind) or "" for kind, _, _ in cells]
    amount_heads = iter(rng.sample(HEADERS, sum(1 for kind, _, _ in cells if kind == "amount")))
    heads = [h or next(amount_heads) for h in heads]
    lines = [dump_line([((left + right - printed_width(h, size)) / 2, h) for h, (_, left, right) in zip(heads, cells)]), ""]
    expected = [heads]
    n_rows = rng.randint(3, 15)
    for r in range(n_rows):
        words, row = [], []
        for i, (kind, left, right) in enumerate(cells):
            if kind == "code":
                text = rng.choice(CODES)
            elif kind == "label":
                text = rng.choice(LABELS)
            elif rng.random() < 0.15 and not (r == n_rows - 1 and i == len(cells) - 1):
                text = ""  # a grid ends on an amount: labels after the last one read as notes
            else:
                text = f"{rng.uniform(0, 10 ** rng.randint(1, 6)):,.2f}"
            row.append(text)
            if text:
                x0 = right - PAD - printed_width(text, size) if kind == "amount" else left + PAD
                words.append((x0, text))
        lines.append(dump_line(words))
        if rng.random() < 0.5:
            lines.append("")
        expected.append(row)
    return lines, expected


def read_back(lines: list[str]) -> list[list[str]] | None:
    tables = find_aligned_tables(lines)
    if len(tables) != 1:
        return None
    rows = tables[0].rows
    keep = [c for c in range(len(rows[0])) if any(r[c] for r in rows)]  # as stitching drops them
    return [[r[c] for c in keep] for r in rows]


def test_simulated_dumps_read_back_cell_for_cell():
    wrong = []
    for seed in range(400):
        lines, expected = simulated_table(random.Random(seed))
        if read_back(lines) != expected:
            wrong.append(seed)
    assert wrong == []


def test_the_simulation_pushes_numbers_along():
    """The generator does produce the hard case: a number printed wider than its positions
    pushes the next word to one blank after it."""
    pushed = sum(1 for seed in range(400) for line in simulated_table(random.Random(seed))[0]
                 if re.search(r"\d \S", line))
    assert pushed > 100
