"""What extraction produces for one document, before it becomes staging Parquet."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class LineItem:
    """One amount cell of a source table, with every dimension needed to rebuild that cell."""

    table_order: int
    table_kind: str
    source_row: int
    source_col: int
    source_line: int | None
    row_label: str
    budget_unit_code: str | None
    code: str | None
    code_system: str
    code_level: str | None
    paired_code: str | None
    paired_code_system: str | None
    measure: str
    fund_source: str
    value_year: int | None
    amount: Decimal  # in the table's printed unit
    amount_yuan: Decimal
    raw_text: str
    unit_multiplier: int
    column_label: str
    # A 合计/总计 row: the table's own total, which marts read instead of re-adding rows.
    is_total: bool = False
    # revenue | expenditure: which side of a 收支 table the cell sits on (None in forms).
    side: str | None = None
    # Years relative to the document's: a 上年 column (-1) of a table that prints no year of its
    # own, whose value_year is None until extraction dates it (value_year = year + offset).
    year_offset: int = 0


@dataclass
class UnparsedCell:
    table_order: int
    source_row: int
    source_col: int
    source_line: int | None
    raw_text: str
    reason: str


@dataclass
class Project:
    table_order: int
    source_row: int
    source_line: int | None
    project_name: str
    project_code: str | None
    project_type: str | None
    budget_unit_code: str | None
    fund_source: str
    value_year: int | None
    amount_yuan: Decimal


@dataclass
class PerformanceIndicator:
    table_order: int
    source_row: int
    source_line: int | None
    subject: str
    level1: str | None
    level2: str | None
    level3: str | None
    operator: str | None
    target_value: str | None
    target_unit: str | None
    raw_text: str
    # 指标权重 / 分值: the indicator's share of the project's score as printed (12 for 12%),
    # None where the form prints no weight column. Not money.
    weight: Decimal | None = None


@dataclass
class TableResult:
    """A classified, interpreted table: what `budgetwh extract` prints."""

    order: int
    kind: str
    title: str
    confidence: float
    classify_reason: str
    unit: str | None
    unit_multiplier: int
    year: int | None
    layout: str
    page_from: int | None
    page_to: int | None
    line_from: int | None
    line_to: int | None
    n_rows: int
    n_cols: int
    header_rows: int
    columns: list[str]
    declared_empty: bool = False
    empty_reason: str | None = None
    line_items: list[LineItem] = field(default_factory=list)
    unparsed: list[UnparsedCell] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    indicators: list[PerformanceIndicator] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unit_rows: set[int] = field(default_factory=set)  # rows that carry a budget-unit code
    row_attrs: dict[int, dict[str, str]] = field(default_factory=dict)  # header -> text, per row
    subject: str | None = None  # performance tables: the project (or 'overall') they measure


@dataclass
class NarrativeAmount:
    """An amount (or a project count) the report's narrative states, for reconciliation.

    `topic` is the closed vocabulary of docs/staging.md; `code` refines it (the 功能/经济分类
    code, or the 三公 item). Counts (`project_count`) carry `count` and no amount; their unit
    is '个'. `fund_source` is the fund the sentence restricts the amount to (财政拨款基本支出 is
    basic of fiscal_appropriation), None when it names none.
    """

    text_index: int  # index into ReadResult.text_lines of the line the number is printed on
    topic: str
    code: str | None
    amount: Decimal | None  # as printed, in `unit`
    unit: str  # 元 / 千元 / 万元 / 亿元, or 个 for counts
    amount_yuan: Decimal | None  # quantized to the fen
    count: int | None
    value_year: int | None  # the year the sentence names for the amount
    raw_text: str  # the clause the amount was read from
    fund_source: str | None = None
    # Where the number starts in its (cleaned) line: with doc_id, text_index and topic, the key.
    text_offset: int = 0
    # A count or money of some of the projects only (those under performance-target management,
    # those chosen for evaluation): at most the table's figure, not equal to it.
    of_part: bool = False
