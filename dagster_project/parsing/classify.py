"""Which standard budget table is this? Decided from the title first, then header words.

The fifteen-odd tables of a 部门预算公开 are standardised by the Ministry of Finance, but each
publisher words their titles differently (收支总表 / 收支预算总表 / 收支总体情况表). Rules are
ordered from the most specific phrase to the most general, because titles nest: a
"一般公共预算基本支出表" is a basic-expenditure table although it also says 一般公共预算.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster_project.text.cells import fold
from dagster_project.text.patterns import LIST_NUMBER

BUDGET_KINDS = (
    "budget_summary",
    "revenue_summary",
    "expenditure_summary",
    "fiscal_appropriation_summary",
    "general_budget_expenditure",
    "basic_expenditure",
    "three_public",
    "gov_fund",
    "soe_capital",
    "project_expenditure",
    "procurement",
    "operating_expense",
    "asset_holdings",
    "performance_target",
)
ALL_KINDS = (*BUDGET_KINDS, "table_index", "other")

# (kind, pattern) in priority order; patterns run on folded text (NFKC, no spaces).
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("table_index", r"报表目录|公开表目录|表格目录|附表目录|^目录$"),
        ("other", r"购买服务.{0,6}目录|指导性目录"),
        ("performance_target", r"绩效目标|绩效指标|绩效(情况)?表$"),
        ("three_public", r"三公"),
        ("operating_expense", r"机关运行经费"),
        ("procurement", r"政府采购"),
        ("asset_holdings", r"资产(占用|占有|配置|情况)|固定资产"),
        ("gov_fund", r"政府性基金|政府基金"),
        ("soe_capital", r"国有资本经营"),
        ("fiscal_appropriation_summary", r"财政拨款收支"),
        ("budget_summary", r"收支(预算)?总(表|体)|收支预算表"),
        ("revenue_summary", r"收入(预算)?总(表|体)|收入预算表|收入(情况)?表"),
        ("basic_expenditure", r"基本支出"),
        ("project_expenditure", r"项目支出|专项业务经费|专项资金"),
        ("general_budget_expenditure", r"一般公共预算.*支出|财政拨款支出"),
        ("expenditure_summary", r"支出(预算)?总(表|体)|支出预算表|支出(情况)?表"),
    )
)


@dataclass(frozen=True)
class Classification:
    kind: str
    confidence: float
    reason: str


def classify(title: str, header_text: str) -> Classification:
    """Kind of a table from its title (confident) or, failing that, its header words."""
    folded_title = fold(title)
    for kind, pattern in _RULES:
        match = pattern.search(folded_title)
        if match:
            return Classification(kind, 0.95, f"title contains {match.group(0)!r}")
    folded_header = fold(header_text)
    if re.search(r"是否空表|报表名称", folded_header):  # a list of the report's tables names them all
        return Classification("table_index", 0.8, "header lists report tables")
    for kind, pattern in _RULES:
        match = pattern.search(folded_header)
        if match and kind not in ("table_index",):
            return Classification(kind, 0.6, f"header contains {match.group(0)!r} (no title)")
    if re.search(r"是否空表|报表名称", folded_header):
        return Classification("table_index", 0.8, "header lists report tables")
    return Classification("other", 0.3, "no budget-table words in title or header")


_TITLE_HINT = re.compile(r"表|预算|决算|情况|目录")
_NOT_TITLE = re.compile(
    r"^(单位|金额单位|计量单位)[:：]|^(部门|单位)(\(单位\))?(名称)?[:：]|^注[:：]|^备注|^说明|预算年度[:：]|^\d{6,}"
)


# A table's title printed as a row of its own grid ('预算03表 支出总表', '2026年部门收支总体情况表'):
# one phrase ending in 表, optionally with a parenthesised qualifier.
_GRID_TITLE = re.compile(r"^\S{2,}表(?:[(（][^)）]*[)）])?$")


_ENUMERATED = re.compile(rf"^{LIST_NUMBER}")


def is_table_title(text: str) -> bool:
    """Whether a lone cell at the top of a grid (or inside one) is a table's title. An
    enumerated entry (一、收支预算总表) is a line of a 目录 or a section heading, not a title."""
    folded = fold(text)
    return (len(folded) <= 60 and bool(_GRID_TITLE.match(folded)) and not _NOT_TITLE.search(folded)
            and not _ENUMERATED.match(folded))


def pick_title(context: tuple[str, ...]) -> str:
    """The title is the nearest line above the table that reads like one (ends in 表 …)."""
    for line in reversed(context):
        text = fold(line)
        if not text or _NOT_TITLE.search(text) or len(text) > 60:
            continue
        if _TITLE_HINT.search(text):
            return line.strip()
    return ""
