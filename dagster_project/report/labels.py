"""Chinese display names for the warehouse's English codes, and money formatting.

The warehouse is gaining Chinese display dimensions (dim_status, dim_table_kind, dim_measure,
dim_three_public_item); where they exist their names win (`Labels.merge`), and these fallbacks keep
the report in Chinese on a warehouse that has not got them yet. Amounts are formatted from
Decimal with exact arithmetic: a float would print 0.1 + 0.2 budgets wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

STATUS_ZH = {
    "ok": "已载入",
    "partial": "部分载入",
    "quarantined": "已隔离",
    "rejected": "已拒收",
    "duplicate": "重复",
    "superseded": "已被新版本取代",
    "skipped": "已跳过",
}

TABLE_KIND_ZH = {
    "budget_summary": "收支总表",
    "revenue_summary": "收入总表",
    "expenditure_summary": "支出总表",
    "fiscal_appropriation_summary": "财政拨款收支总表",
    "general_budget_expenditure": "一般公共预算支出表",
    "basic_expenditure": "一般公共预算基本支出表",
    "three_public": "“三公”经费支出表",
    "gov_fund": "政府性基金预算支出表",
    "soe_capital": "国有资本经营预算支出表",
    "project_expenditure": "项目支出表",
    "procurement": "政府采购预算表",
    "operating_expense": "机关运行经费表",
    "asset_holdings": "资产占用情况表",
    "performance_target": "绩效目标表",
    "table_index": "报表目录",
    "other": "其他表",
    "narrative": "文字说明",
}

MEASURE_ZH = {
    "total": "合计",
    "basic": "基本支出",
    "project": "项目支出",
    "reserve": "预备费",
    "personnel": "人员经费",
    "public_admin": "公用经费",
    "transfer_to_superior": "上缴上级支出",
    "business_operation": "事业单位经营支出",
    "subsidy_to_affiliates": "对附属单位补助支出",
    "carryover_out": "结转下年",
    "amount": "金额",
    "revenue": "收入",
}

THREE_PUBLIC_ZH = {
    "total": "“三公”经费合计",
    "overseas_travel": "因公出国（境）费",
    "vehicle_total": "公务用车购置及运行费",
    "vehicle_purchase": "公务用车购置费",
    "vehicle_operation": "公务用车运行维护费",
    "reception": "公务接待费",
}

# Display order of 三公 items: the total first, then its parts as the tables print them.
THREE_PUBLIC_ORDER = ("total", "overseas_travel", "vehicle_total", "vehicle_purchase",
                      "vehicle_operation", "reception")

CHECK_SCOPE_ZH = {
    "within_table": "表内",
    "cross_table": "表间",
    "narrative": "文字说明与表",
    "metadata": "基本信息",
}

VERDICT_ZH = {"pass": "通过", "warn": "轻微不符", "fail": "不符"}

FACT_ZH = {"expenditure": "支出", "revenue": "收入", "three_public": "三公", "project": "项目"}


@dataclass
class Labels:
    """Name tables used by the templates; a warehouse dimension's names override the fallbacks."""

    status: dict[str, str] = field(default_factory=lambda: dict(STATUS_ZH))
    table_kind: dict[str, str] = field(default_factory=lambda: dict(TABLE_KIND_ZH))
    measure: dict[str, str] = field(default_factory=lambda: dict(MEASURE_ZH))
    three_public: dict[str, str] = field(default_factory=lambda: dict(THREE_PUBLIC_ZH))
    fund_source: dict[str, str] = field(default_factory=dict)
    check_scope: dict[str, str] = field(default_factory=lambda: dict(CHECK_SCOPE_ZH))
    verdict: dict[str, str] = field(default_factory=lambda: dict(VERDICT_ZH))
    fact: dict[str, str] = field(default_factory=lambda: dict(FACT_ZH))

    def merge(self, **names: dict[str, str]) -> "Labels":
        """Overlay names read from the warehouse (only non-empty ones)."""
        for attr, found in names.items():
            getattr(self, attr).update({k: v for k, v in found.items() if k and v})
        return self

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
