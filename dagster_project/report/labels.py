"""Chinese display names for the warehouse's English codes, and money formatting.

The names are the warehouse's own (the display-name dims built from dbt's seeds, read by
`queries.display_names`): one vocabulary for the marts, BI tools and this report. Amounts are
formatted from Decimal with exact arithmetic: a float would print 0.1 + 0.2 budgets wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Display order of 三公 items: the total first, then its parts as the tables print them.
THREE_PUBLIC_ORDER = ("total", "overseas_travel", "vehicle_total", "vehicle_purchase",
                      "vehicle_operation", "reception")

FACT_ZH = {"expenditure": "支出", "revenue": "收入", "three_public": "三公", "project": "项目"}


@dataclass
class Labels:
    """Name tables used by the templates, {slug: Chinese name} per vocabulary."""

    status: dict[str, str] = field(default_factory=dict)
    table_kind: dict[str, str] = field(default_factory=dict)
    measure: dict[str, str] = field(default_factory=dict)
    three_public: dict[str, str] = field(default_factory=dict)
    fund_source: dict[str, str] = field(default_factory=dict)
    check_scope: dict[str, str] = field(default_factory=dict)
    verdict: dict[str, str] = field(default_factory=dict)
    fact: dict[str, str] = field(default_factory=lambda: dict(FACT_ZH))

    def funds(self, codes: str | None) -> str:
        """'all,general_budget' → '合计（全部资金）、一般公共预算拨款'."""
        if not codes:
            return "—"
        return "、".join(self.fund_source.get(c, c) for c in codes.split(","))


_CENT = Decimal("0.01")
_WAN = Decimal(10000)


def yuan(amount: Decimal | None) -> str:
    """Yuan with thousands separators and 2 decimals: 4,464,272.00; '—' when not printed."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def wan(amount: Decimal | None) -> str:
    """万元 with exactly 2 decimals, divided and rounded in Decimal: 446.43 for 4,464,272 元."""
    if amount is None:
        return "—"
    return f"{(Decimal(amount) / _WAN).quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"


def wan_float(amount: Decimal | None) -> float | None:
    """A chart's y value in 万元: the only place an amount becomes a float (the text beside and
    the hover label are the Decimal strings)."""
    return None if amount is None else float(Decimal(amount) / _WAN)


def share(part: Decimal | None, total: Decimal | None) -> str:
    """Part of a total in percent with one decimal, computed in Decimal: '28.1%'."""
    if part is None or not total:
        return "—"
    return f"{(Decimal(part) * 100 / Decimal(total)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
