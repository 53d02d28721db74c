"""The staging vocabulary (DESIGN.md) and the printed words that map onto it.

The vocabularies themselves (measure and fund-source slugs, money units and their multipliers)
live once, in the dbt seeds (dbt/seeds/*.csv): dbt's relationships tests check every model
against them and the marts publish their Chinese names. Python reads the same files, lazily on
first use (no I/O at import) and once. What stays here is the mapping from printed words to a
slug, which is Python's job alone; tests/integration/test_vocabulary.py checks that every slug a mapping can
emit has its seed row.

Word lists are ordered: the first matching phrase wins, so longer, more specific phrases come
before the words they contain (事业单位经营收入 before 事业收入 before 收入). Matching runs on
folded text (NFKC, no spaces). A new slug is a new seed row (and a line in docs/staging.md).
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from pathlib import Path

# The dbt project's seeds, anchored on the repository (like parsing/invariants.py): the package
# runs from its checkout, beside the dbt project that builds the warehouse.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
# The seeds extraction reads (here and in parsing/invariants.py): part of the parser version
# (staging/store.py), so that editing one re-extracts what it shaped.
EXTRACTION_SEEDS = ("measures", "fund_sources", "units", "designated_sources")


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of dbt/seeds/<name>.csv, read on first use and kept (the seeds change only
    with the code)."""
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@cache
def measures() -> tuple[str, ...]:
    """Every measure slug (seed `measures`), in the seed's order."""
    return tuple(row["measure"] for row in seed_rows("measures"))


@cache
def fund_sources() -> tuple[str, ...]:
    """Every fund-source slug (seed `fund_sources`), in the seed's order."""
    return tuple(row["fund_source"] for row in seed_rows("fund_sources"))


@cache
def unit_multipliers() -> dict[str, int]:
    """Money unit -> multiplier to yuan (seed `units`; int_quality_narrative joins the same rows)."""
    return {row["unit"]: int(row["multiplier"]) for row in seed_rows("units")}


# Spending categories: a column (or a row of a summary table) naming one of these.
MEASURE_WORDS: tuple[tuple[str, str], ...] = (
    (r"单位预留机动经费|预留机动|机动经费", "reserve"),
    (r"结转下年|年终结转|结转结余下年", "carryover_out"),
    (r"上缴上级支出|上解上级支出", "transfer_to_superior"),
    (r"(事业单位)?经营支出", "business_operation"),
    (r"对附属单位(的)?补助支出", "subsidy_to_affiliates"),
    (r"人员经费和公用经费", "basic"),
    # the short column titles 人员类 / 公用类 (a basic-spending table's two columns) only
    # as a whole cell: 人员 inside a name (戒毒人员生活) is not the category
    (r"人员经费|人员支出|^人员(类|费用?)$", "personnel"),
    (r"公用经费|日常公用|公用支出|^公用(类|费用?)$", "public_admin"),
    (r"基本支出", "basic"),
    (r"项目支出|专项业务经费|专项资金|项目经费", "project"),
)

# Where the money comes from.
FUND_WORDS: tuple[tuple[str, str], ...] = (
    (r"使用非财政拨款结余|非财政拨款结余", "non_fiscal_balance"),
    (r"上年结转|上年实户资金余额|上年结余", "carryover_in"),
    (r"一般公共预算|公共预算拨款|公共财政", "general_budget"),
    (r"政府性基金|政府基金", "gov_fund"),
    (r"国有资本经营", "soe_capital"),
    (r"财政专户", "special_account"),
    (r"事业单位经营收入|经营收入", "operating_income"),
    (r"事业收入", "business_income"),
    (r"上级补助收入", "superior_subsidy"),
    (r"附属单位上缴收入|附属单位上缴", "affiliate_remittance"),
    (r"其他收入|单位资金|其他资金", "other"),
    # 预算拨款 beside 财政专户拨款 (珠海): the appropriation from the budget, whichever fund; the
    # words naming one fund (一般公共预算拨款, 政府性基金预算拨款 …) matched above
    (r"财政拨款|财政资金|预算拨款", "fiscal_appropriation"),
)

TOTAL_ROW = re.compile(r"(合计|总计)$|^(合计|总计)")

THREE_PUBLIC_ITEMS: tuple[tuple[str, str], ...] = (
    (r"公务用车购置(及|和|与)运|公务用车费", "vehicle_total"),
    (r"公务用车购置", "vehicle_purchase"),
    (r"公务用车运行", "vehicle_operation"),
    (r"因公出国|出国\(境\)|出国（境）", "overseas_travel"),
    (r"公务接待", "reception"),
    (r"^合计$|^总计$|三公.*(合计|总计|总额)|^小计$|^\W?三公\W?经费(小计|预算数?|支出)?$", "total"),
)

# Rows and columns of a 三公 table that are not 三公 (the 行政经费 above it, 会议费 and 培训费
# beside it, 机关运行经费): they take no 三公 item from the other axis (a 合计 column).
NOT_THREE_PUBLIC = re.compile(r"会议费|培训费|行政经费|机关运行经费|行政运行经费")

# A column or row that prints the change from the previous year (增减, 比上年增减, 增长率),
# not a budget value of any year: its cells get measure `change`. Matched on a whole header
# word or label, so names that merely contain 变化 (应对气候变化管理事务) are not changes.
_CHANGE = re.compile(
    r"^((比上年|较上年|与上年相比|同比)(增减|增长|增加|减少|变化|变动)|增减|增长|变化|变动)(变化|变动)?"
    r"(额|金额|数|率|幅度|情况|百分比)?(\(%\)|%)?$"
)
# Header words that date a column (or a row) relative to the budget year: 上年预算数 is the
# year before, 本年 / 当年 the budget year. Whole words only: 上年结转 is a fund, not a year.
_PREVIOUS_YEAR = re.compile(r"^上(一)?年(度)?(预算|预算数|执行数|决算数|数|金额)?$")
_THIS_YEAR = re.compile(r"^(本|当)年(度)?(预算|预算数|数|金额)?$")
# A row label that is only a year (2025年, 2026年度, 2026年预算数).
_YEAR_LABEL = re.compile(r"^((?:19|20)\d{2})年(度)?(预算|预算数|决算数|执行数|数)?$")


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def is_change(text: str) -> bool:
    """增减 / 增减变化金额 / 比上年增减 / 增长率 (folded text)."""
    return bool(_CHANGE.match(text))


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def relative_year(text: str) -> int | None:
    """-1 for 上年(预算数), 0 for 本年 / 当年(预算数), None otherwise (folded text)."""
    if _PREVIOUS_YEAR.match(text):
        return -1
    if _THIS_YEAR.match(text):
        return 0
    return None


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def year_label(text: str) -> int | None:
    """The year of a row label that is nothing but a year ('2025 年' -> 2025; folded text)."""
    match = _YEAR_LABEL.match(text)
    return int(match.group(1)) if match else None

_COMPILED: dict[int, tuple[tuple[re.Pattern[str], str], ...]] = {}


def _first(words: tuple[tuple[str, str], ...], text: str) -> str | None:
    compiled = _COMPILED.get(id(words))
    if compiled is None:
        compiled = tuple((re.compile(p), v) for p, v in words)
        _COMPILED[id(words)] = compiled
    for pattern, value in compiled:
        if pattern.search(text):
            return value
    return None


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def measure_of(text: str) -> str | None:
    return _first(MEASURE_WORDS, text)


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def fund_of(text: str) -> str | None:
    return _first(FUND_WORDS, text)


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def three_public_item(text: str) -> str | None:
    return _first(THREE_PUBLIC_ITEMS, text)




@cache
def _unit_pattern() -> re.Pattern[str]:
    """'单位：万元' or '（万元）' for each unit of the seed, longest first (万元 before 元)."""
    units = "|".join(sorted((re.escape(u) for u in unit_multipliers()), key=len, reverse=True))
    return re.compile(rf"(?:单位|金额单位|计量单位)[:：]?({units})|[(（]({units})[)）]")


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def unit_in(text: str) -> str | None:
    """The money unit a caption or header declares ('单位：万元', '金额（元）')."""
    match = _unit_pattern().search(text.replace(" ", ""))
    if not match:
        return None
    return match.group(1) or match.group(2)


_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")
_BUDGET_YEAR = re.compile(r"预算年度[:：]?\s*(\d{4})")


@lru_cache(maxsize=1 << 14)  # pure, and asked about the same header words over and over
def year_in(text: str) -> int | None:
    """A fiscal year printed in a title or caption; 预算年度 wins over any other year."""
    match = _BUDGET_YEAR.search(text)
    if match:
        return int(match.group(1))
    match = _YEAR.search(text)
    return int(match.group(1)) if match else None
