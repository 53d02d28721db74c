"""Budget tables as printed grids whose amount cells know what they mean.

A `Table` is what a publisher prints: a title and captions, header rows (a merged header cell
printed once, the cells it covers left blank, as text dumps show merges) and body rows. Each
amount cell is an `Amount`: the value in fen plus the fact an interpreter should read off the
cell (code, paired code, budget unit, measure, fund source, year), in the staging vocabulary
(docs/staging.md). `facts()` turns the printed cells into gold line items; a cell printed
blank or as a dash is no line item, a printed 0.00 is one.

The builders below are views of a `Budget`, parameterised by how a publisher prints: which
code layout (full 7-digit codes with 类/款 subtotal rows, 7-digit leaves only, split 类|款|项
columns), which header words, which columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from dagster_project import catalogs
from dagster_project.synth.generator.budget import Budget, EconomicLine, FunctionLine

FEN = Decimal("0.01")


@dataclass(frozen=True)
class Amount:
    fen: int
    code: str | None = None
    paired: str | None = None
    unit: str | None = None  # budget-unit code of the row
    measure: str = "total"
    fund: str = "all"
    year: int | None = None  # None: the report's year
    zero: str | None = None  # how this cell prints zero, overriding the style


Cell = str | Amount


@dataclass
class Table:
    kind: str
    title: str
    captions: list[str]  # printed between the title and the grid
    header: list[list[str]]
    body: list[list[Cell]]
    notes: list[str] = field(default_factory=list)  # printed right after the grid
    index_name: str | None = None  # the name the report's 目录 lists it under
    empty_reason: str | None = None  # a table published empty (note or 目录)
    printed: bool = True  # False: listed as 空表 in the 目录 and not printed at all
    split_at: int | None = None  # body row where the grid breaks over a page
    repeat_header: bool = True  # the header is printed again after the break
    label_before: str | None = None  # a line above the title (表3, 预算公开表3)


@dataclass(frozen=True)
class NumberStyle:
    """How amounts are printed: unit (元 / 万元), thousands separators, what zero prints as."""

    unit: str
    thousands: bool
    zero: str  # "" (blank), "0.00", "-"

    @property
    def divisor(self) -> int:
        return 100 if self.unit == "元" else 1_000_000

    def text(self, amount: Amount) -> str:
        if amount.fen == 0:
            zero = self.zero if amount.zero is None else amount.zero
            if zero != "0.00":
                return zero
        value = Decimal(amount.fen) / Decimal(self.divisor)
        return f"{value:,.2f}" if self.thousands else f"{value:.2f}"


def printed_value(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def facts(table: Table, style: NumberStyle, year: int) -> list[dict]:
    """The gold line items of a printed table: one per amount cell that prints a number."""
    out = []
    for row in table.body:
        for cell in row:
            if isinstance(cell, Amount) and printed_value(style.text(cell)):
                out.append({
                    "table_kind": table.kind, "code": cell.code, "paired_code": cell.paired,
                    "budget_unit_code": cell.unit, "measure": cell.measure, "fund_source": cell.fund,
                    "value_year": cell.year or year,
                    "amount_yuan": str((Decimal(cell.fen) / 100).quantize(FEN)),
                })
    return out


def header_rows(paths: Sequence[Sequence[str]]) -> list[list[str]]:
    """Header rows from each column's path of header words: a group word is printed over the
    first column it spans (the rest of its row blank), a short path leaves blanks below it."""
    depth = max(len(p) for p in paths)
    rows = [[""] * len(paths) for _ in range(depth)]
    for c, path in enumerate(paths):
        for r, word in enumerate(path):
            previous = paths[c - 1] if c else ()
            same_group = len(previous) > r and previous[: r + 1] == tuple(path[: r + 1]) and r < len(path) - 1
            if not same_group:
                rows[r][c] = word
    return rows


# ---- function classification --------------------------------------------------------------

def function_name(code: str) -> str:
    record = catalogs.function_record(code)
    assert record is not None, code
    return record.name


def economic_name(code: str) -> str:
    record = catalogs.economic_record(code)
    assert record is not None, code
    return record.name


Values = tuple[int, int, int, int, int]  # total, basic, personnel, public, project


def _add(a: Values, b: Values) -> Values:
    return tuple(x + y for x, y in zip(a, b))  # type: ignore[return-value]


def function_tree(lines: Sequence[FunctionLine], fund: str | None, basic_only: bool = False,
                  levels: tuple[int, ...] = (3, 5, 7)) -> tuple[list[tuple[str, Values]], Values]:
    """(code, values) rows in tree order (类, its 款, their 项) and the grand total."""
    def values(line: FunctionLine) -> Values:
        total, basic, personnel, public, project = line.amount(fund)
        return (basic, basic, personnel, public, 0) if basic_only else (total, basic, personnel, public, project)

    leaves = [(line.code, values(line)) for line in sorted(lines, key=lambda x: x.code)]
    leaves = [(code, v) for code, v in leaves if v[0]]
    sums: dict[str, Values] = {}
    total: Values = (0, 0, 0, 0, 0)
    for code, v in leaves:
        total = _add(total, v)
        for size in levels:
            sums[code[:size]] = _add(sums.get(code[:size], (0, 0, 0, 0, 0)), v)
    return sorted(sums.items()), total


ECON_VALUES = tuple[int, int, int, int]  # total, personnel, public, project


def economic_tree(lines: Sequence[EconomicLine], basic_only: bool, paired: bool, classes_only: bool = False,
                  ) -> tuple[list[tuple[str, str | None, ECON_VALUES]], ECON_VALUES]:
    """(部门 code, 政府 code or None, values) rows: each 类 then its 款 rows (a 款 paired with
    two 政府 codes prints two rows when `paired`)."""
    def values(line: EconomicLine) -> ECON_VALUES:
        project = 0 if basic_only else line.project
        return (line.personnel + line.public + project, line.personnel, line.public, project)

    rows: dict[tuple[str, str | None], ECON_VALUES] = {}
    total: ECON_VALUES = (0, 0, 0, 0)
    for line in lines:
        v = values(line)
        if not v[0]:
            continue
        total = tuple(a + b for a, b in zip(total, v))  # type: ignore[assignment]
        keys = [(line.code[:3], None)]
        if not classes_only:
            keys.append((line.code, line.gov_code if paired else None))
        for key in keys:
            rows[key] = tuple(a + b for a, b in zip(rows.get(key, (0, 0, 0, 0)), v))  # type: ignore[assignment]
    ordered = sorted(rows.items(), key=lambda kv: (kv[0][0][:3], len(kv[0][0]), kv[0][0], kv[0][1] or ""))
    return [(code, gov, v) for (code, gov), v in ordered], total


def class_gov_code(budget: Budget, dept_class: str) -> str | None:
    """The 政府 类 a 部门 类 maps to in this budget, when every line of it agrees."""
    classes = {e.gov_code[:3] for e in budget.economic if e.code.startswith(dept_class) and e.total}
    return classes.pop() if len(classes) == 1 else None


# ---- the 类 list of summary tables -------------------------------------------------------------

def function_classes() -> list[tuple[str, str]]:
    """Every 类 of the function catalog (code, name), as summary tables list them."""
    return [(r.code, r.name) for r in catalogs.function_codes() if r.level == "类"]


CHINESE_NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
                   "十五", "十六", "十七", "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四", "二十五",
                   "二十六", "二十七", "二十八", "二十九", "三十", "三十一", "三十二", "三十三", "三十四", "三十五"]


def numbered(i: int, text: str, kind: str = "chinese") -> str:
    if kind == "chinese":
        return f"{CHINESE_NUMBERS[i]}、{text}"
    if kind == "arabic":
        return f"{i + 1}、{text}"
    return text


def with_zero(cell: Amount, zero: str) -> Amount:
    return replace(cell, zero=zero)


def grid_texts(table: Table, style: NumberStyle, transform: Callable[[str], str] | None = None) -> list[list[str]]:
    """Header and body of a table as the strings a publisher prints."""
    rows = [list(r) for r in table.header]
    for row in table.body:
        rows.append([style.text(c) if isinstance(c, Amount) else c for c in row])
    if transform:
        rows = [[transform(c) for c in r] for r in rows]
    return rows
