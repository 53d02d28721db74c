"""The invariants the marts rely on, decided for one document at a time.

dbt's error-severity tests (unique fact keys, no amount lost between staging and the marts)
guard the pipeline: when one fails the whole load stops, which is right for
a bug of ours and wrong for one odd report among hundreds. So every document is checked here,
on its own, against the same invariants before anything is staged; a document that breaks one
is `rejected` with the check and its numbers, and the rest of the corpus publishes. A dbt test
failing on the marts then means a bug in the pipeline, never a bad input.

The fact key mirrors `fct_expenditure` (dbt/models/intermediate/int_line_items.sql decides
which line item feeds which fact; the designated table of a fact is the one of highest
priority in dbt/seeds/designated_sources.csv). Only a document's designated tables reach the
facts, so only they are checked: a duplicate in a table the marts never read is harmless.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from dagster_project.parsing.model import LineItem, NarrativeAmount, TableResult
from dagster_project.parsing.vocabulary import seed_rows


# DECIMAL(18,2) holds 16 integer digits. A report's amounts summed (absolute values) must stay
# far below that: a million billion yuan is ten times China's GDP. (The marts no longer depend on
# it: every amount dbt computes from printed ones is DECIMAL(38,2), dbt/macros/money.sql, so a
# disclosure of several files near this bound still sums exactly. What it keeps out is a misread
# unit or a garbled number, and any amount staging's DECIMAL(18,2) could not hold.)
MAX_DOCUMENT_YUAN = Decimal(10) ** 15
# The largest amount staging's DECIMAL(18,2) holds.
MAX_STAGED_YUAN = Decimal("9999999999999999.99")

_ECONOMIC = ("econ_department", "econ_government")


@dataclass(frozen=True)
class Violation:
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}"


@cache
def designated_priority() -> dict[tuple[str, str], int]:
    """(fact, table kind) -> priority, from the dbt seed (one list for both sides)."""
    return {(r["fact"], r["table_kind"]): int(r["priority"]) for r in seed_rows("designated_sources")}


def expenditure_fact(li: LineItem) -> str | None:
    """The spending fact a line item feeds, as int_line_items classifies it (None: another fact)."""
    if li.table_kind == "three_public" and li.code_system == "three_public":
        return None
    if li.table_kind == "revenue_summary" and li.code_system == "function" and not li.is_total:
        return None  # revenue by function
    if li.side != "expenditure" or li.code is None or li.measure == "change":
        return None  # an 增减 column is a difference between years, no fact
    if li.code_system == "function":
        return "expenditure_function"
    return "expenditure_economic" if li.code_system in _ECONOMIC else None


def fact_measure(li: LineItem) -> str:
    """A 基本支出表's 合计 column is basic spending, a 项目支出表's is project spending."""
    if li.measure == "total" and li.table_kind == "basic_expenditure":
        return "basic"
    if li.measure == "total" and li.table_kind == "project_expenditure":
        return "project"
    return li.measure


def _designated(tables: list[TableResult]) -> dict[tuple, int]:
    """(fact, fund, measure, year) -> order of the table the facts would be read from."""
    priority = designated_priority()
    best: dict[tuple, tuple[int, int]] = {}
    for table in tables:
        for li in table.line_items:
            fact = expenditure_fact(li)
            rank = priority.get((fact, table.kind)) if fact else None
            if rank is None:
                continue
            group = (fact, li.fund_source, fact_measure(li), li.value_year)
            best[group] = min(best.get(group, (rank, table.order)), (rank, table.order))
    return {group: order for group, (_, order) in best.items()}


def duplicate_fact_keys(tables: list[TableResult]) -> Violation | None:
    """Two cells of one designated table that would become the same spending fact."""
    designated = _designated(tables)
    keys: Counter[tuple] = Counter()
    where: dict[tuple, list[LineItem]] = defaultdict(list)
    for table in tables:
        for li in table.line_items:
            fact = expenditure_fact(li)
            group = (fact, li.fund_source, fact_measure(li), li.value_year)
            if fact is None or designated.get(group) != table.order:
                continue
            key = (table.order, *group, li.code, li.paired_code, li.budget_unit_code)
            keys[key] += 1
            where[key].append(li)
    repeated = [k for k, n in keys.items() if n > 1]
    if not repeated:
        return None
    tables_hit = sorted({k[0] for k in repeated})
    first = where[repeated[0]]
    example = (f"{first[0].code} {fact_measure(first[0])} {first[0].fund_source} {first[0].value_year}: "
               + " and ".join(f"{li.amount_yuan} (row {li.source_row}, col {li.source_col})" for li in first[:3]))
    return Violation("unique_fact_keys", (
        f"{sum(keys[k] for k in repeated)} cells share {len(repeated)} spending fact keys in table(s) "
        f"{', '.join(map(str, tables_hit))}, e.g. {example}"))


def amount_range(tables: list[TableResult]) -> Violation | None:
    """Amounts adding up past any budget: a misread unit, a garbled number (and, past 10^16,
    amounts staging's DECIMAL(18,2) could not hold)."""
    total = sum((abs(li.amount_yuan) for t in tables for li in t.line_items), Decimal(0))
    if total <= MAX_DOCUMENT_YUAN:
        return None
    return Violation("decimal_range", f"the report's amounts add up to {total:,.2f} yuan in absolute value, "
                                      f"beyond the {MAX_DOCUMENT_YUAN:,.0f} any budget reaches")


def narrative_range(narrative: list[NarrativeAmount]) -> Violation | None:
    """A statement of the narrative that staging's DECIMAL(18,2) cannot hold (10^16 yuan or more).

    Statements are not facts: each is only compared with the tables, on its own, and the marts
    hold any such comparison exactly (DECIMAL(38,2)), so a statement far past any budget but
    within DECIMAL(18,2) loads and is reported as a failed check in mart_data_quality. One past
    DECIMAL(18,2) cannot be staged at all: the document is rejected, naming it."""
    over = [n for n in narrative if n.amount_yuan is not None and abs(n.amount_yuan) > MAX_STAGED_YUAN]
    if not over:
        return None
    first = max(over, key=lambda n: abs(n.amount_yuan))
    more = f" and {len(over) - 1} more such statement(s)" if len(over) > 1 else ""
    return Violation("decimal_range", (
        f"the narrative states {first.amount_yuan:,.2f} yuan (narrative line {first.text_index}: "
        f"{first.raw_text}){more}, past the {MAX_STAGED_YUAN:,.2f} DECIMAL(18,2) holds"))


def violations(tables: list[TableResult], narrative: list[NarrativeAmount] = ()) -> list[Violation]:
    """Every invariant one document's tables (and narrative) break (empty: the document may load)."""
    found = [v for check in (amount_range, duplicate_fact_keys) if (v := check(tables))]
    if (v := narrative_range(list(narrative))) and not any(f.check == v.check for f in found):
        found.insert(0, v)
    return found
