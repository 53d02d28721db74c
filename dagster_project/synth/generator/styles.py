"""Five publisher styles, after the five sample reports (tests' data/raw, /work/shared/seeds).

Each style prints a `Budget` as the sample it is modelled on prints its tables: its titles and
captions, its code layout, its header words and columns, how zero is printed, which tables
are published empty and how that is declared. The styles share the table builders; what
differs is parameters, not code paths, so a fix in a builder fixes every style.

| style | after | text layout | unit | codes | traps |
|---|---|---|---|---|---|
| pipe | 丹凤 000 | markdown pipes | 元, thousands | full 7-digit with 类/款 rows | 报表目录 with 空表 (a table listed empty and not printed), sub-unit codes, paired 部门/政府 economic codes, a table split over pages with its header repeated |
| leaf | 漳州 001 | tab-separated | 万元, 0.00 | 7-digit leaves only | zero printed as 0.00, wrapped header cells, 三公 as rows, performance forms |
| names | 汾阳 002 | tab-separated | 万元 | economic names without codes | 机关运行经费, 项目支出表, 单位预算 |
| cells | 兴隆 003 | one cell per line, [bookmark] markers | 万元 | full codes, 序号 and 栏次 | unit code caption, 预算年度 caption |
| split | 东昌府 004 | tab-separated | 万元, thousands | split 类/款/项 columns, split paired 类/款 economic codes | 三公 for two years, wrapped labels, a table split over pages, narrative figures |
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from dagster_project.synth.blocks import PageBreak, Paragraph
from dagster_project.synth.generator.budget import Budget, Indicator, Project
from dagster_project.synth.generator.prose import GLOSSARY, explanation, money, overview
from dagster_project.synth.generator.tables import (
    Amount,
    NumberStyle,
    Table,
    class_gov_code,
    economic_name,
    economic_tree,
    function_classes,
    function_name,
    function_tree,
    header_rows,
    numbered,
)

Item = Paragraph | PageBreak | Table

# fund -> (label in a 收支总表's revenue panel, column header in a 收入总表)
REVENUE_ROWS = (
    ("general_budget", "一般公共预算拨款收入", "一般公共预算拨款收入"),
    ("gov_fund", "政府性基金预算拨款收入", "政府性基金预算拨款收入"),
    ("soe_capital", "国有资本经营预算拨款收入", "国有资本经营预算拨款收入"),
    ("special_account", "财政专户管理资金收入", "财政专户管理资金收入"),
    ("business_income", "事业收入", "事业收入"),
    ("operating_income", "事业单位经营收入", "事业单位经营收入"),
    ("superior_subsidy", "上级补助收入", "上级补助收入"),
    ("affiliate_remittance", "附属单位上缴收入", "附属单位上缴收入"),
    ("other", "其他收入", "其他收入"),
)


@dataclass
class Report:
    style: str
    number: NumberStyle
    items: list[Item]
    layout: str  # text layout: pipe | tab | cells


def _wrap(rng: random.Random, text: str, chance: float) -> str:
    """A long cell wrapped inside its cell, as text dumps print it: a space where the line broke."""
    if len(text) >= 10 and rng.random() < chance:
        cut = rng.randint(4, len(text) - 3)
        return text[:cut] + " " + text[cut:]
    return text


# ---- tables shared by the styles ---------------------------------------------------------------

def budget_summary(b: Budget, title: str, captions: list[str], *, carry_inside: bool, zero: str,
                   numbering: str = "chinese", revenue_rows: int = 9, class_skip: frozenset[str] = frozenset(),
                   totals: tuple[str, str, str, str] = ("本年收入合计", "本年支出合计", "收入总计", "支出总计"),
                   ) -> Table:
    """收支总表: revenue by fund | expenditure by function 类 (all funds)."""
    revenue: list[tuple[str, Amount]] = []
    for i, (fund, label, _) in enumerate(REVENUE_ROWS[:revenue_rows]):
        revenue.append((numbered(i, label, numbering), Amount(b.fund_total(fund), fund=fund, zero=zero)))
    carry = b.fund_total("carryover_in")
    if carry_inside:
        revenue.append((numbered(len(revenue), "上年结转结余", numbering), Amount(carry, fund="carryover_in", zero=zero)))
    rows, total = function_tree(b.functions, None, levels=(3,))
    by_class = dict(rows)
    spending = []
    for i, (code, name) in enumerate(c for c in function_classes() if c[0] not in class_skip):
        spending.append((numbered(i, name, numbering), Amount(by_class.get(code, (0,))[0], code=code, zero=zero)))
    body: list[list] = []
    for i in range(max(len(revenue), len(spending))):
        left = revenue[i] if i < len(revenue) else ("", "")
        right = spending[i] if i < len(spending) else ("", "")
        body.append([left[0], left[1], right[0], right[1]])
    this_year = b.total - (0 if carry_inside else carry)
    if carry_inside:
        body.append([totals[0], Amount(b.total), totals[1], Amount(b.total)])
    else:
        body.append([totals[0], Amount(this_year), totals[1], Amount(b.total)])
        body.append(["上年结转", Amount(carry, fund="carryover_in"), "结转下年", ""])
        body.append([totals[2], Amount(b.total), totals[3], Amount(b.total)])
    header = header_rows([("收入", "项目"), ("收入", "预算数"), ("支出", "项目"), ("支出", "预算数")])
    return Table("budget_summary", title, captions, header, body)


def fiscal_summary(b: Budget, title: str, captions: list[str], *, zero: str, numbering: str = "chinese",
                   fund_columns: bool = False) -> Table:
    """财政拨款收支总表: general-budget money only (the other funds are not appropriations)."""
    gb = b.fund_total("general_budget")
    revenue = [
        (numbered(0, "一般公共预算拨款收入", numbering), Amount(gb, fund="general_budget", zero=zero)),
        (numbered(1, "政府性基金预算拨款收入", numbering), Amount(0, fund="gov_fund", zero=zero)),
        (numbered(2, "国有资本经营预算拨款收入", numbering), Amount(0, fund="soe_capital", zero=zero)),
    ]
    rows, _ = function_tree(b.functions, "general_budget", levels=(3,))
    by_class = dict(rows)
    body: list[list] = []
    classes = function_classes()
    for i, (code, name) in enumerate(classes):
        value = by_class.get(code, (0,))[0]
        row = [revenue[i][0] if i < len(revenue) else "", revenue[i][1] if i < len(revenue) else "",
               numbered(i, name, numbering), Amount(value, code=code, fund="fiscal_appropriation", zero=zero)]
        if fund_columns:
            row += [Amount(value, code=code, fund="general_budget", zero=zero), "", ""]
        body.append(row)
    total_row = ["本年收入合计", Amount(gb, fund="fiscal_appropriation"), "本年支出合计",
                 Amount(gb, fund="fiscal_appropriation")]
    grand_row = ["收入总计", Amount(gb, fund="fiscal_appropriation"), "支出总计", Amount(gb, fund="fiscal_appropriation")]
    carry_row = ["上年结转", "", "结转下年", ""]
    if fund_columns:
        total_row += [Amount(gb, fund="general_budget"), "", ""]
        grand_row += [Amount(gb, fund="general_budget"), "", ""]
        carry_row += ["", "", ""]
        paths = [("收入", "项目"), ("收入", "预算数"), ("支出", "项目"), ("支出", "预算数", "总计"),
                 ("支出", "预算数", "一般公共预算"), ("支出", "预算数", "政府性基金预算"), ("支出", "预算数", "国有资本经营预算")]
    else:
        paths = [("收入", "项目"), ("收入", "预算数"), ("支出", "项目"), ("支出", "预算数")]
    body += [total_row, carry_row, grand_row]
    return Table("fiscal_appropriation_summary", title, captions, header_rows(paths), body)


@dataclass(frozen=True)
class Col:
    path: tuple[str, ...]
    measure: str
    pick: int  # index into function Values: 0 total, 1 basic, 2 personnel, 3 public, 4 project
    fund: str | None = None  # None: the table's fund


def function_table(b: Budget, kind: str, title: str, captions: list[str], cols: list[Col], *, fund: str | None,
                   table_fund: str, layout: str, zero: str, basic_only: bool = False, seq: bool = False,
                   code_head: str = "科目编码", name_head: str = "科目名称", note_col: str | None = None,
                   rng: random.Random | None = None, wrap: float = 0.0) -> Table:
    """A table by function classification. layout: full (类/款/项 rows, one code column),
    leaf (项 rows only), split (类|款|项 code columns)."""
    levels = (7,) if layout == "leaf" else (3, 5, 7)
    rows, total = function_tree(b.functions, fund, basic_only, levels)
    if layout == "split":
        code_paths = [(code_head, "类"), (code_head, "款"), (code_head, "项")]
    else:
        code_paths = [(code_head,)]
    lead = [("序号",)] if seq else []
    paths = lead + code_paths + [(name_head,)] + [c.path for c in cols] + ([(note_col,)] if note_col else [])
    body: list[list] = []

    def amounts(values, code):
        return [Amount(values[c.pick], code=code, measure=c.measure, fund=c.fund or table_fund, zero=zero) for c in cols]

    n = 1
    total_codes = [""] * len(code_paths)
    body.append(([str(n)] if seq else []) + total_codes + ["合计"] + amounts(total, None) + ([""] if note_col else []))
    for code, values in rows:
        n += 1
        if layout == "split":
            parts = {3: [code, "", ""], 5: ["", code[3:5], ""], 7: ["", "", code[5:7]]}[len(code)]
        else:
            parts = [code]
        name = function_name(code)
        if rng and wrap:
            name = _wrap(rng, name, wrap)
        body.append(([str(n)] if seq else []) + parts + [name] + amounts(values, code) + ([""] if note_col else []))
    return Table(kind, title, captions, header_rows(paths), body)


@dataclass(frozen=True)
class ECol:
    path: tuple[str, ...]
    measure: str
    pick: int  # index into economic values: 0 total, 1 personnel, 2 public, 3 project
    fund: str | None = None


def economic_table(b: Budget, kind: str, title: str, captions: list[str], cols: list[ECol], *, table_fund: str,
                   layout: str, zero: str, basic_only: bool, classes_only: bool = False, seq: bool = False,
                   with_codes: bool = True, note_col: str | None = None, rng: random.Random | None = None,
                   wrap: float = 0.0) -> Table:
    """A table by economic classification. layout: paired (部门 code | name | 政府 code | name,
    a 款 that maps to two 政府 codes printed twice), single (one code column), split (部门 类|款
    | name | 政府 类|款 | name), names (names only, no codes)."""
    paired = layout in ("paired", "split")
    rows, total = economic_tree(b.economic, basic_only, paired, classes_only)
    if layout == "paired":
        lead = [("部门经济科目编码",), ("部门经济科目名称",), ("政府经济科目编码",), ("政府经济科目名称",)]
    elif layout == "split":
        lead = [("科目编码", "类"), ("科目编码", "款"), ("部门预算支出经济分类科目名称",),
                ("政府科目编码", "类"), ("政府科目编码", "款"), ("政府预算支出经济分类科目名称",)]
    elif layout == "names":
        lead = [("部门预算支出经济分类科目",)]
    else:
        lead = [("科目编码",), ("科目名称",)]
    if seq:
        lead = [("序号",)] + lead
    paths = lead + [c.path for c in cols] + ([(note_col,)] if note_col else [])

    def amounts(values, code, gov):
        return [Amount(values[c.pick], code=code, paired=gov, measure=c.measure, fund=c.fund or table_fund, zero=zero)
                for c in cols]

    def name_of(code):
        name = economic_name(code)
        return _wrap(rng, name, wrap) if rng and wrap else name

    body: list[list] = []
    blanks = len(lead) - (1 if seq else 0)
    first = ([str(1)] if seq else [])
    if layout == "paired":
        body.append(first + ["", "", "", "合计"] + amounts(total, None, None) + ([""] if note_col else []))
    else:
        body.append(first + ["合计"] + [""] * (blanks - 1) + amounts(total, None, None) + ([""] if note_col else []))
    n = 1
    for code, gov, values in rows:
        n += 1
        seqcell = [str(n)] if seq else []
        if layout == "paired":
            cells = [code, name_of(code), gov or "", economic_name(gov) if gov else ""]
            fact_gov = gov
        elif layout == "split":
            gov_class = class_gov_code(b, code) if len(code) == 3 else None
            fact_gov = gov if len(code) == 5 else gov_class
            g = fact_gov or ""
            cells = [code[:3], code[3:5], name_of(code), g[:3], g[3:5], economic_name(g) if g else ""]
        elif layout == "names":
            cells = [name_of(code)]
            fact_gov = None
        else:
            cells = [code, name_of(code)]
            fact_gov = None
        body.append(seqcell + cells + amounts(values, code, fact_gov) + ([""] if note_col else []))
    return Table(kind, title, captions, header_rows(paths), body)


def three_public_columns(b: Budget, title: str, captions: list[str], *, fund: str, years: tuple[int, ...],
                         zero: str) -> Table:
    """三公 as one row of columns (合计 | 出国 | 车: 小计, 购置, 运行 | 接待), one group per year."""
    paths: list[tuple[str, ...]] = []
    row: list = []
    for year in years:
        tp = b.three_public if year == b.year else b.three_public_prior
        group = (f"{year}年预算数",) if len(years) > 1 else ()
        paths += [group + ("合计",), group + ("因公出国（境）费",), group + ("公务用车购置及运行费", "小计"),
                  group + ("公务用车购置及运行费", "公务用车购置费"), group + ("公务用车购置及运行费", "公务用车运行费"),
                  group + ("公务接待费",)]
        for item, value in (("total", tp.total), ("overseas_travel", tp.overseas), ("vehicle_total", tp.vehicle),
                            ("vehicle_purchase", tp.vehicle_purchase), ("vehicle_operation", tp.vehicle_operation),
                            ("reception", tp.reception)):
            row.append(Amount(value, code=item, fund=fund, year=year, zero=zero))
    return Table("three_public", title, captions, header_rows(paths), [row])


def three_public_rows(b: Budget, title: str, captions: list[str], *, fund: str, zero: str) -> Table:
    """三公 as rows (001): 合计, 出国, 接待, 车 (其中 购置, 运行)."""
    tp = b.three_public
    body = [
        ["合计", Amount(tp.total, code="total", fund=fund, zero=zero)],
        ["1、因公出国（境）费用", Amount(tp.overseas, code="overseas_travel", fund=fund, zero=zero)],
        ["2、公务接待费", Amount(tp.reception, code="reception", fund=fund, zero=zero)],
        ["3、公务用车购置及运行费", Amount(tp.vehicle, code="vehicle_total", fund=fund, zero=zero)],
        ["其中：（1）公务用车购置费", Amount(tp.vehicle_purchase, code="vehicle_purchase", fund=fund, zero=zero)],
        ["（2）公务用车运行费", Amount(tp.vehicle_operation, code="vehicle_operation", fund=fund, zero=zero)],
    ]
    return Table("three_public", title, captions, [["项目", "预算数"]], body)


def empty_function_table(kind: str, title: str, captions: list[str], *, total_row: bool, zero_text: str,
                         fund: str) -> Table:
    paths = [("科目编码",), ("科目名称",), ("合计",), ("基本支出",), ("项目支出",)]
    body: list[list] = []
    if total_row:
        body.append(["合计", ""] + [Amount(0, fund=fund, measure=m, zero=zero_text) for m in ("total", "basic", "project")])
    return Table(kind, title, captions, header_rows(paths), body)


def project_table(b: Budget, title: str, captions: list[str], *, zero: str, with_type: bool, with_code: bool,
                  rng: random.Random, wrap: float) -> Table:
    """项目支出表: one row per project; 合计 | 一般公共预算 | 单位资金 | 上年结转."""
    lead: list[tuple[str, ...]] = []
    if with_code:
        lead.append(("项目编码",))
    lead.append(("项目名称",))
    if with_type:
        lead.append(("项目类型",))
    funds = [("一般公共预算", "general_budget"), ("单位资金", "other"), ("上年结转", "carryover_in")]
    paths = lead + [("合计",)] + [(label,) for label, _ in funds]
    body: list[list] = [["合计"] + [""] * (len(lead) - 1) + [Amount(b.project, measure="total", fund="all", zero=zero)]
                        + [Amount(sum(p.amount for p in b.projects if p.fund == f), fund=f, zero=zero) for _, f in funds]]
    for p in b.projects:
        cells: list = []
        if with_code:
            cells.append(p.code)
        cells.append(_wrap(rng, p.name, wrap))
        if with_type:
            cells.append(p.kind)
        cells.append(Amount(p.amount, fund="all", zero=zero))
        cells += [Amount(p.amount if p.fund == f else 0, fund=f, zero=zero) for _, f in funds]
        body.append(cells)
    return Table("project_expenditure", title, captions, header_rows(paths), body)


def project_table_by_unit(b: Budget, title: str, captions: list[str]) -> Table:
    """专项业务经费支出表 (000): department and unit subtotal rows above their projects."""
    body: list[list] = [["", "合计", Amount(b.project), ""],
                        [b.dept_code, b.department, Amount(b.project, unit=b.dept_code), ""]]
    for unit in b.units:
        projects = [p for p in b.projects if p.unit == unit]
        if not projects:
            continue
        body.append([unit.code, unit.name, Amount(sum(p.amount for p in projects), unit=unit.code), ""])
        for p in projects:
            body.append(["", p.name, Amount(p.amount, unit=unit.code), p.kind])
    return Table("project_expenditure", title, captions, [["单位编码", "单位（项目）名称", "项目金额", "项目简介"]], body)


def unit_fund_table(b: Budget, kind: str, title: str, captions: list[str]) -> Table:
    """收入总表 / 支出总表 by budget unit and fund (000)."""
    funds = [("合计", "all"), ("一般公共预算拨款", "general_budget"), ("政府性基金拨款", "gov_fund"),
             ("事业收入", "business_income"), ("其他收入", "other"), ("上年结转", "carryover_in")]
    paths = [("单位编码",), ("单位名称",)] + [("部门预算", label) for label, _ in funds]

    def values(unit_code: str | None, amounts: dict[str, int]) -> list:
        return [Amount(amounts.get(f, 0), unit=unit_code, fund=f) for _, f in funds]

    def fund_amounts(units) -> dict[str, int]:
        out = {f: sum(b.unit_fund_total(u, f) for u in units) for f in ("general_budget", "other", "carryover_in")}
        out["all"] = sum(out.values())
        return out

    body: list[list] = [["", "合计"] + values(None, fund_amounts(b.units)),
                        [b.dept_code, b.department] + values(b.dept_code, fund_amounts(b.units))]
    for unit in b.units:
        body.append([unit.code, unit.name] + values(unit.code, fund_amounts([unit])))
    return Table(kind, title, captions, header_rows(paths), body)


def performance_form(p: Project, b: Budget, unit_label: str) -> Table:
    """A project's performance targets (001's form): its money (资金总额 is read as the
    project's spending, 财政拨款 as the appropriated part), then 一级/二级/三级指标 and 目标值."""
    header = [["项目名称", p.name, "", "", ""]]
    fiscal = p.amount if p.fund == "general_budget" else 0
    body: list[list] = [
        ["主管部门", b.department, "", "", ""],
        [f"专项资金情况（{unit_label}）", "资金总额：", Amount(p.amount, measure="project", fund="all"), "", ""],
        ["", "财政拨款：", Amount(fiscal, fund="fiscal_appropriation", zero="0.00"), "", ""],
        ["绩效目标指标", "一级指标", "二级指标", "三级指标", "目标值"],
    ]
    previous = (None, None)
    for ind in p.indicators:
        target = f"{ind.operator or ''}{ind.value}{ind.unit or ''}"
        l1 = ind.level1 if ind.level1 != previous[0] else ""
        l2 = ind.level2 if (ind.level1, ind.level2) != previous else ""
        body.append(["", l1, l2, ind.level3, target])
        previous = (ind.level1, ind.level2)
    return Table("performance_target", f"{p.name}项目绩效目标表", [], header, body)


def form_project_gold(report: "Report", budget: Budget) -> list[dict]:
    """The project each printed performance form states (its name and 资金总额), as the gold
    lists them: the extraction stages one project per form (table_kind performance_target),
    beside the 项目支出表 rows, and fct_project keeps those no table row prints."""
    titled = {item.title for item in report.items if isinstance(item, Table) and item.kind == "performance_target"}
    return [{"project_name": p.name, "amount_yuan": f"{p.amount / 100:.2f}"}
            for p in budget.projects if f"{p.name}项目绩效目标表" in titled]


def indicator_gold(report: "Report", budget: Budget) -> list[dict]:
    """The indicators of the performance forms a report prints, as the gold lists them."""
    titled = {item.title for item in report.items if isinstance(item, Table) and item.kind == "performance_target"}
    return [
        {"subject": p.name, "level1": i.level1, "level2": i.level2, "level3": i.level3, "operator": i.operator,
         "target_value": i.value, "target_unit": i.unit}
        for p in budget.projects if f"{p.name}项目绩效目标表" in titled for i in p.indicators
    ]


# ---- the five styles ----------------------------------------------------------------------------


def revenue_table(b: Budget, title: str, captions: list[str], *, layout: str, zero: str, seq: bool = False,
                  rng: random.Random | None = None, wrap: float = 0.0, stacked: bool = False) -> Table:
    """收入总表 by function code: 合计 and one column per fund (the funds of this budget and the
    usual empty ones)."""
    funds = [("合计", "all"), ("一般公共预算拨款收入", "general_budget"), ("政府性基金预算拨款收入", "gov_fund"),
             ("事业收入", "business_income"), ("其他收入", "other"), ("上年结转", "carryover_in")]
    cols = []
    for label, fund in funds:
        shown = _wrap(rng, label, wrap) if rng and wrap else label
        path = (("本年收入", shown) if stacked and fund not in ("all", "carryover_in") else (shown,))
        cols.append((path, fund))
    levels = (7,) if layout == "leaf" else (3, 5, 7)
    lines = {f.code: f for f in b.functions}
    codes = sorted({f.code[:size] for f in b.functions if f.total for size in levels})

    def value(prefix: str | None, fund: str) -> int:
        chosen = [f for code, f in lines.items() if prefix is None or code.startswith(prefix)]
        if fund == "all":
            return sum(f.total for f in chosen)
        return sum(f.amount(fund)[0] for f in chosen)

    code_paths = [("科目编码", "类"), ("科目编码", "款"), ("科目编码", "项")] if layout == "split" else [("科目编码",)]
    paths = ([("序号",)] if seq else []) + code_paths + [("科目名称",)] + [c[0] for c in cols]
    body: list[list] = [([str(1)] if seq else []) + [""] * len(code_paths) + ["合计"]
                        + [Amount(value(None, f), fund=f, zero=zero) for _, f in cols]]
    for n, code in enumerate(codes, start=2):
        parts = ({3: [code, "", ""], 5: ["", code[3:5], ""], 7: ["", "", code[5:7]]}[len(code)]
                 if layout == "split" else [code])
        body.append(([str(n)] if seq else []) + parts + [function_name(code)]
                    + [Amount(value(code, f), code=code, fund=f, zero=zero) for _, f in cols])
    return Table("revenue_summary", title, captions, header_rows(paths), body)


def empty_table(kind: str, title: str, captions: list[str], note: str | None, paths=None) -> Table:
    """A table published without data: its header (and a bare 合计 row), a note saying why."""
    paths = paths or [("科目编码",), ("科目名称",), ("合计",), ("基本支出",), ("项目支出",)]
    table = Table(kind, title, captions, header_rows(paths), [["合计"] + [""] * (len(paths) - 1)])
    if note:
        table.notes = [note]
    return table


def operating_table(b: Budget, title: str, captions: list[str]) -> Table:
    """机关运行经费 (002): the 机关 units' public-admin spending, all of it general budget."""
    paths = [("单位名称",), (f"{b.year}预算数", "合计"), (f"{b.year}预算数", "一般公共预算"),
             (f"{b.year}预算数", "政府性基金预算"), (f"{b.year}预算数", "国有资本经营预算")]
    body: list[list] = [["部门合计", Amount(b.operating_expense, fund="fiscal_appropriation"),
                         Amount(b.operating_expense, fund="general_budget"), "", ""]]
    for u in b.units:
        if not u.institution:
            amount = b.unit_public.get(u.code, 0)
            body.append([u.name, Amount(amount, fund="fiscal_appropriation"), Amount(amount, fund="general_budget"), "", ""])
    return Table("operating_expense", title, captions, header_rows(paths), body)


def with_column_numbers(table: Table, first_amount: int) -> Table:
    """A 栏次 row under the header numbering the amount columns (003)."""
    width = len(table.header[0])
    row = ["栏次"] + [""] * (first_amount - 1) + [str(i) for i in range(1, width - first_amount + 1)]
    table.header.append(row)
    return table


def forms(b: Budget, unit_label: str, limit: int) -> list[Item]:
    out: list[Item] = [Paragraph("项目支出绩效目标表")]
    for p in b.projects[:limit]:
        out.append(performance_form(p, b, unit_label))
    return out


def _paragraphs(texts: list[str]) -> list[Item]:
    return [Paragraph(t) for t in texts]


def style_pipe(b: Budget, rng: random.Random) -> Report:
    """丹凤 000: pipes, 元 with thousands separators, 报表目录 with 空表 declarations."""
    number = NumberStyle("元", True, "")
    y = b.year
    dept = [f"部门名称：{b.department}", "单位：元"]
    items: list[Item] = [Paragraph(b.department), Paragraph(f"{y}年部门预算公开说明")]
    items += _paragraphs(overview(b, rng))
    if len(b.units) > 1:
        items.append(Paragraph(f"纳入本部门当年预算编制范围的二级预算单位共有{len(b.units)}个，包括："))
        items.append(Table("other", "", [], [["序号", "单位名称", "拟变动情况"]],
                           [[str(i + 1), u.name, "无"] for i, u in enumerate(b.units)]))
    items.append(Paragraph("第二部分 部门预算收支情况说明"))
    items += _paragraphs(explanation(b, number, rng))
    items += _paragraphs(list(GLOSSARY))
    items.append(Paragraph("第五部分：部门预算公开报表"))
    three_empty = b.three_public.total == 0
    tables = [
        budget_summary(b, "部门综合预算收支总表", dept, carry_inside=False, zero="", numbering="arabic"),
        unit_fund_table(b, "revenue_summary", "部门综合预算收入总表", dept),
        unit_fund_table(b, "expenditure_summary", "部门综合预算支出总表", dept),
        fiscal_summary(b, "部门综合预算财政拨款收支总表", dept, zero="", numbering="arabic"),
        function_table(b, "general_budget_expenditure", "部门综合预算一般公共预算支出明细表（按支出功能分类科目）", dept,
                       [Col(("合计",), "total", 0), Col(("人员经费支出",), "personnel", 2),
                        Col(("公用经费支出",), "public_admin", 3), Col(("专项业务经费支出",), "project", 4)],
                       fund="general_budget", table_fund="general_budget", layout="full", zero="",
                       code_head="功能科目编码", name_head="功能科目名称", note_col="备注"),
        economic_table(b, "general_budget_expenditure", "部门综合预算一般公共预算支出明细表（按支出经济分类科目）", dept,
                       [ECol(("合计",), "total", 0), ECol(("人员经费支出",), "personnel", 1),
                        ECol(("公用经费支出",), "public_admin", 2), ECol(("专项业务经费支出",), "project", 3)],
                       table_fund="general_budget", layout="paired", zero="", basic_only=False, note_col="备注"),
        function_table(b, "basic_expenditure", "部门综合预算一般公共预算基本支出明细表（按支出功能分类科目）", dept,
                       [Col(("合计",), "total", 0), Col(("人员经费支出",), "personnel", 2),
                        Col(("公用经费支出",), "public_admin", 3)],
                       fund="general_budget", table_fund="general_budget", layout="full", zero="", basic_only=True,
                       code_head="功能科目编码", name_head="功能科目名称", note_col="备注"),
        economic_table(b, "basic_expenditure", "部门综合预算一般公共预算基本支出明细表（按支出经济分类科目）", dept,
                       [ECol(("合计",), "total", 0), ECol(("人员经费支出",), "personnel", 1),
                        ECol(("公用经费支出",), "public_admin", 2)],
                       table_fund="general_budget", layout="paired", zero="", basic_only=True, note_col="备注"),
        empty_table("gov_fund", "部门综合预算政府性基金收支表", dept, None),
        project_table_by_unit(b, "部门综合预算专项业务经费支出表", dept),
        empty_table("procurement", "部门综合预算政府采购（资产配置、购买服务）预算表", dept, None,
                    [("科目编码",), ("单位编码",), ("采购项目",), ("采购目录",), ("数量",), ("预算金额",)]),
        three_public_columns(b, "部门综合预算一般公共预算拨款“三公”经费及会议费、培训费支出预算表", dept,
                             fund="general_budget", years=(y,), zero=""),
    ]
    tables[8].empty_reason = "本部门不涉及"
    tables[10].empty_reason = "本部门不涉及"
    if three_empty:
        tables[11].printed = False
        tables[11].empty_reason = "本部门不涉及"
    econ = tables[5]
    if len(econ.body) > 24:
        econ.split_at = rng.randint(12, len(econ.body) - 4)
    for i, table in enumerate(tables, start=1):
        table.index_name = table.title
        table.label_before = f"表{i}"
    index_rows = [[f"表{i}", t.title, "是" if t.empty_reason else "否", t.empty_reason or ""]
                  for i, t in enumerate(tables, start=1)]
    items.append(Table("table_index", "报表目录", [], [["报表", "报表名称", "是否空表", "表格为空的理由"]], index_rows))
    items += tables
    items += forms(b, "元", 20)
    return Report("pipe", number, items, "pipe")


def style_leaf(b: Budget, rng: random.Random) -> Report:
    """漳州 001: tabs, 万元, 0.00 everywhere, 7-digit leaf codes, 三公 as rows, performance forms."""
    number = NumberStyle("万元", False, "0.00")
    y = b.year
    unit = ["单位：万元"]
    items: list[Item] = [Paragraph(f"{y} 年度"), Paragraph(b.department),
                         Paragraph("单位预算" if b.scope == "单位" else "部门预算")]
    items += _paragraphs(overview(b, rng))
    items.append(Paragraph(f"第二部分 {y} 年度部门预算表"))
    wide = lambda text: _wrap(rng, text, 0.5)  # noqa: E731 - header words wrapped inside their cells
    revenue_cols = [("合计", "all")] + [(wide(label), fund) for fund, _, label in REVENUE_ROWS] + [("上年结转", "carryover_in")]
    rows, total = function_tree(b.functions, None, levels=(7,))
    fund_of_code = {f.code: f for f in b.functions}

    def revenue_value(code: str | None, fund: str) -> int:
        lines = [fund_of_code[code]] if code else b.functions
        if fund == "all":
            return sum(f.total for f in lines)
        return sum(f.amount(fund)[0] for f in lines)

    rev_body: list[list] = [["合计", ""] + [Amount(revenue_value(None, f), fund=f) for _, f in revenue_cols]]
    for code, _ in rows:
        rev_body.append([code, _wrap(rng, function_name(code), 0.2)] + [Amount(revenue_value(code, f), code=code, fund=f)
                                                                   for _, f in revenue_cols])
    revenue = Table("revenue_summary", f"{y} 年度收入预算总表", unit,
                    header_rows([("科目编码",), ("科目名称",)] + [(label,) for label, _ in revenue_cols]), rev_body)
    spend_cols = [Col(("合计",), "total", 0), Col(("基本支出",), "basic", 1), Col(("项目支出",), "project", 4)]
    spending = function_table(b, "expenditure_summary", f"{y} 年度支出预算总表", unit, spend_cols, fund=None,
                              table_fund="all", layout="leaf", zero="0.00")
    for extra, measure in (("事业单位经营支出", "business_operation"), ("上缴上级支出", "transfer_to_superior"),
                           ("对附属单位补助支出", "subsidy_to_affiliates")):
        spending.header[0].append(extra)
        for row in spending.body:
            row.append(Amount(0, code=row[0] or None, measure=measure))
    gb_cols = [Col(("合计",), "total", 0), Col(("其中：", "基本支出"), "basic", 1), Col(("其中：", "项目支出"), "project", 4)]
    items += [
        budget_summary(b, f"{y} 年度收支预算总表", unit, carry_inside=True, zero="0.00", totals=("收入合计", "支出合计", "", "")),
        revenue, spending,
        fiscal_summary(b, f"{y} 年度财政拨款收支预算总表", unit, zero="0.00"),
        function_table(b, "general_budget_expenditure", f"{y} 年度一般公共预算拨款支出预算表", unit, gb_cols,
                       fund="general_budget", table_fund="general_budget", layout="leaf", zero="0.00"),
        empty_function_table("gov_fund", f"{y} 年度政府性基金预算拨款支出预算表", unit, total_row=True, zero_text="0.00",
                             fund="gov_fund"),
        empty_function_table("soe_capital", f"{y} 年度国有资本经营预算拨款支出预算表", unit, total_row=True,
                             zero_text="0.00", fund="soe_capital"),
        economic_table(b, "general_budget_expenditure", f"{y} 年度一般公共预算支出经济分类情况表", unit,
                       [ECol(("预算数",), "total", 0)], table_fund="general_budget", layout="single", zero="0.00",
                       basic_only=False, classes_only=True),
        economic_table(b, "basic_expenditure", f"{y}年度一般公共预算基本支出经济分类情况表", unit,
                       [ECol(("预算数",), "total", 0)], table_fund="general_budget", layout="single", zero="0.00",
                       basic_only=True),
        three_public_rows(b, f"{y}年度一般公共预算“三公”经费支出预算表", unit, fund="general_budget", zero="0.00"),
    ]
    items[-5].notes = [f"备注：本部门 {y} 年没有使用政府性基金预算拨款安排的支出，故本表无数据。"]
    items[-4].notes = [f"备注：本部门 {y} 年没有使用国有资本经营预算拨款安排的支出，故本表无数据。"]
    items.append(Paragraph(f"第三部分 {y} 年度部门预算情况说明"))
    items += _paragraphs(explanation(b, number, rng))
    items.append(Paragraph("七、预算绩效目标情况"))
    items += forms(b, "万元", 20)
    items += _paragraphs(list(GLOSSARY))
    return Report("leaf", number, items, "tab")


def style_names(b: Budget, rng: random.Random) -> Report:
    """汾阳 002: tabs, 万元, economic names without codes, 机关运行经费, 项目支出表, 单位预算."""
    number = NumberStyle("万元", False, "")
    y = b.year
    caps = [f"单位名称：{b.department}", "单位：万元"]
    items: list[Item] = [Paragraph(f"{b.department}{y}年单位预算")]
    items += _paragraphs(overview(b, rng))
    items.append(Paragraph(f"第二部分 {y}年单位预算报表"))
    exp_cols = [Col(("合计",), "total", 0), Col(("基本支出",), "basic", 1), Col(("项目支出",), "project", 4)]
    gb_cols = [Col(("合计",), "total", 0), Col(("基本支出",), "basic", 1), Col(("项目支出",), "project", 4)]
    tables: list[Table] = [
        budget_summary(b, f"{y}年预算收支总表", caps, carry_inside=False, zero="", revenue_rows=9),
        revenue_table(b, f"{y}年预算收入总表", caps, layout="full", zero="", rng=rng, wrap=0.3, stacked=True),
        function_table(b, "expenditure_summary", f"{y}年预算支出总表", caps, exp_cols, fund=None, table_fund="all",
                       layout="full", zero=""),
        fiscal_summary(b, f"{y}年财政拨款收支总表", caps, zero=""),
        function_table(b, "general_budget_expenditure", f"{y}年一般公共预算支出预算表（不含上年结转）", caps, gb_cols,
                       fund="general_budget", table_fund="general_budget", layout="full", zero=""),
        economic_table(b, "basic_expenditure", f"{y}年一般公共预算安排基本支出分经济科目表（不含上年结转）", caps,
                       [ECol(("合计",), "total", 0), ECol(("人员经费",), "personnel", 1),
                        ECol(("公用经费",), "public_admin", 2)],
                       table_fund="general_budget", layout="names", zero="", basic_only=True),
        empty_table("gov_fund", f"{y}年政府性基金预算支出表（不含上年结转）", caps, "注：本表无数据"),
        empty_table("soe_capital", f"{y}年国有资本经营预算收支预算表（不含上年结转）", caps, "注：本表无数据"),
        three_public_columns(b, f"{y}年财政拨款安排“三公”经费支出预算表", caps, fund="fiscal_appropriation", years=(y,),
                             zero="0.00"),
    ]
    operating = any(not u.institution for u in b.units)
    if operating:
        tables.append(operating_table(b, f"{y}年财政拨款安排机关运行经费预算表", caps))
    tables.append(project_table(b, f"{y}年项目支出预算表", caps, zero="", with_type=False, with_code=True, rng=rng,
                                wrap=0.0))
    for i, table in enumerate(tables, start=1):
        table.label_before = f"预算公开表{i}"
    items += tables
    items.append(Paragraph("第三部分 单位预算情况说明"))
    items += _paragraphs(explanation(b, number, rng, operating=operating))
    items += forms(b, "万元", 20)
    items += _paragraphs(list(GLOSSARY))
    return Report("names", number, items, "tab")


def style_cells(b: Budget, rng: random.Random) -> Report:
    """兴隆 003: one cell per line with [bookmark] markers, 序号 and 栏次, unit code caption."""
    number = NumberStyle("万元", False, "")
    y = b.year
    head = b.units[0]
    caps = [f"{head.code}{b.department}", f"预算年度：{y}", "单位：万元"]
    exp_cols = [Col(("合计",), "total", 0), Col(("基本支出",), "basic", 1), Col(("项目支出",), "project", 4)]
    gb_cols = [Col(("合计",), "total", 0), Col(("基本支出", "小计"), "basic", 1), Col(("基本支出", "人员经费"), "personnel", 2),
               Col(("基本支出", "公用经费"), "public_admin", 3), Col(("项目支出",), "project", 4)]
    items: list[Item] = [
        budget_summary(b, "单位预算收支总表", caps, carry_inside=False, zero="", revenue_rows=9),
        revenue_table(b, "单位预算收入总表", caps, layout="full", zero="", seq=True),
        with_column_numbers(function_table(b, "expenditure_summary", "单位预算支出总表", caps, exp_cols, fund=None,
                                           table_fund="all", layout="full", zero="", seq=True), 3),
        fiscal_summary(b, "单位预算财政拨款收支总表", caps, zero=""),
        with_column_numbers(function_table(b, "general_budget_expenditure", "单位预算一般公共预算财政拨款支出表", caps,
                                           gb_cols, fund="general_budget", table_fund="general_budget", layout="full",
                                           zero="", seq=True), 3),
        economic_table(b, "basic_expenditure", "单位预算一般公共预算财政拨款基本支出表", caps,
                       [ECol(("合计",), "total", 0), ECol(("人员经费",), "personnel", 1),
                        ECol(("公用经费",), "public_admin", 2)],
                       table_fund="general_budget", layout="single", zero="", basic_only=True, seq=True),
        empty_table("gov_fund", "单位预算政府基金预算财政拨款支出表", caps, "注：无政府性基金预算财政拨款支出，空表列示。"),
        empty_table("soe_capital", "单位预算国有资本经营预算财政拨款支出表", caps, "注：无国有资本经营预算财政拨款支出，空表列示。"),
        three_public_columns(b, "单位预算财政拨款“三公”经费支出表", caps, fund="fiscal_appropriation", years=(y,), zero=""),
        empty_table("procurement", "单位政府采购预算", caps, "注：无政府采购预算，空表列示。",
                    [("序号",), ("采购项目",), ("采购目录",), ("数量",), ("预算金额",)]),
    ]
    items.append(Paragraph("单位预算情况说明"))
    items += _paragraphs(overview(b, rng))
    items += _paragraphs(explanation(b, number, rng))
    items += forms(b, "万元", 20)
    return Report("cells", number, items, "cells")


def style_split(b: Budget, rng: random.Random) -> Report:
    """东昌府 004: tabs, 万元 with thousands separators, split 类|款|项 codes, paired split
    economic codes, 三公 for two years, a table split over pages."""
    number = NumberStyle("万元", True, "")
    y = b.year
    caps = [f"部门(单位): {b.department}", "单位: 万元"]
    items: list[Item] = [Paragraph(f"{b.department}{y}年单位预算")]
    items += _paragraphs(overview(b, rng))
    items += _paragraphs(explanation(b, number, rng))
    items += [Paragraph("第二部分"), Paragraph(f"{y} 年单位预算表")]
    exp_cols = [Col(("合计",), "total", 0), Col(("基本支出",), "basic", 1), Col(("项目支出",), "project", 4)]
    gb_cols = [Col(("合计",), "total", 0), Col(("基本支出", "小计"), "basic", 1), Col(("基本支出", "人员支出"), "personnel", 2),
               Col(("基本支出", "日常公用支出"), "public_admin", 3), Col(("项目支出",), "project", 4)]
    tables = [
        budget_summary(b, "收支总体情况表", caps, carry_inside=False, zero=""),
        revenue_table(b, "收入总体情况表", caps, layout="split", zero="", rng=rng, wrap=0.4),
        function_table(b, "expenditure_summary", "支出总体情况表", caps, exp_cols, fund=None, table_fund="all",
                       layout="split", zero="", rng=rng, wrap=0.15),
        fiscal_summary(b, "财政拨款收支总体情况表", caps, zero="", fund_columns=True),
        function_table(b, "general_budget_expenditure", "一般公共预算支出情况表", caps, gb_cols, fund="general_budget",
                       table_fund="general_budget", layout="split", zero="", rng=rng, wrap=0.15),
        economic_table(b, "basic_expenditure", "一般公共预算基本支出情况表", caps,
                       [ECol(("基本支出预算", "小计"), "total", 0), ECol(("基本支出预算", "人员支出"), "personnel", 1),
                        ECol(("基本支出预算", "日常公用支出"), "public_admin", 2)],
                       table_fund="general_budget", layout="split", zero="", basic_only=True, rng=rng, wrap=0.15),
        three_public_columns(b, "一般公共预算“三公”经费支出情况表", caps, fund="general_budget", years=(y - 1, y),
                             zero="0.00"),
        empty_table("gov_fund", "政府性基金预算支出情况表", caps, f"注：{y} 年没有使用政府性基金预算拨款安排的支出。"),
        empty_table("soe_capital", "国有资本经营预算支出情况表", caps, f"注：{y} 年没有使用国有资本经营预算拨款安排的支出。"),
        project_table(b, "项目支出预算情况表", caps, zero="", with_type=True, with_code=False, rng=rng, wrap=0.3),
        empty_table("procurement", "政府采购预算表", caps, f"注：{y} 年没有安排政府采购预算。",
                    [("采购项目",), ("采购品目",), ("数量",), ("预算金额",)]),
    ]
    gb = tables[4]
    if len(gb.body) > 12:
        gb.split_at = rng.randint(6, len(gb.body) - 3)
    items += tables
    items += forms(b, "万元", 20)
    items += _paragraphs(list(GLOSSARY))
    return Report("split", number, items, "tab")


STYLES = {
    "pipe": style_pipe,
    "leaf": style_leaf,
    "names": style_names,
    "cells": style_cells,
    "split": style_split,
}
# Scope a style's sample has, and the printing unit it implies.
STYLE_SCOPES = {"pipe": ("部门",), "leaf": ("部门", "汇总"), "names": ("单位",), "cells": ("本级",), "split": ("单位",)}
STYLE_UNITS = {"pipe": "元", "leaf": "万元", "names": "万元", "cells": "万元", "split": "万元"}


__all__ = ["STYLES", "STYLE_SCOPES", "STYLE_UNITS", "Report", "Item", "Indicator", "indicator_gold", "money"]
