"""A department's budget for one year, consistent by construction.

Amounts are integers in fen (0.01 yuan) and whole multiples of the report's printing step (1
yuan for reports printed in 元, 100 yuan = 0.01 万元 for reports in 万元), so every printed
figure is exact and every total is the exact sum of its printed parts: no rounding anywhere.

The budget is built bottom-up, per budget unit: personnel and public-admin spending by 部门
economic code (each unit pairing it with the 政府 code for 机关 or for 事业单位, as the
catalog maps them), then the function codes that spending lands on (养老保险缴费 is
2080505, 住房公积金 2210201, the rest is the unit's 行政运行 / 事业运行), then projects, each
with a function code, an economic code and a fund. Every table of a report is a view of these
lists, so the tables agree with each other the way a real report's do.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from dagster_project import catalogs
from dagster_project.synth.generator.places import Place, cities, counties

FEN_PER_YUAN = 100


@dataclass(frozen=True)
class DepartmentType:
    """What kind of department it is: its name, the function codes its money lands on and the
    kinds of projects it runs (all codes are in the shipped function catalog)."""

    name: str
    admin_run: str | None  # 行政运行 of the department's own office, None for a single institution
    institutions: tuple[tuple[str, str], ...]  # (unit name suffix, 事业运行 function code)
    projects: tuple[tuple[str, tuple[str, ...]], ...]  # (function code, project names)
    level: str = "any"  # county | city | any


_MEDICAL_INSURANCE = DepartmentType(
    "医疗保障局", "2101501",
    (("医疗保险经办中心", "2101550"), ("医疗保障服务中心", "2101550"), ("药品采购与结算管理中心", "2101550"),
     ("医疗保障基金稽核中心", "2101506")),
    (("2101202", ("城乡居民基本医疗保险财政补助", "城乡居民医疗保险财政补贴配套资金", "城乡居民医保参保资助")),
     ("2101201", ("职工基本医疗保险财政补助", "离休干部医药费")),
     ("2101301", ("城乡医疗救助", "困难群众医疗救助资金", "医疗救助聘用第三方服务费")),
     ("2101599", ("医保基金监督检查经费", "医保经办能力提升专项经费", "定点医疗机构协议管理经费")),
     ("2101504", ("医疗保障信息系统运行维护", "医保电子凭证推广应用")),
     ("2101505", ("医保政策宣传印刷费", "医保政策法律顾问费")),
     ("2101506", ("医保经办窗口服务外包", "异地就医结算服务经费")),
     ("2101601", ("长期护理保险财政补助",)),
     ("2019999", ("综合业务费",))),
)
_HEALTH = DepartmentType(
    "卫生健康局", "2100101",
    (("疾病预防控制中心", "2100401"), ("卫生监督所", "2100402"), ("妇幼保健院", "2100403"),
     ("卫生健康服务中心", "2100199")),
    (("2100408", ("基本公共卫生服务项目", "家庭医生签约服务补助", "国家基本公共卫生服务配套资金")),
     ("2100409", ("重大传染病防控经费", "严重精神障碍患者管理经费", "免疫规划专项经费")),
     ("2100410", ("突发公共卫生事件应急处置经费",)),
     ("2100717", ("计划生育特别扶助金", "计划生育奖励扶助金")),
     ("2100302", ("乡镇卫生院能力建设补助", "村医补助经费")),
     ("2100102", ("卫生健康综合执法经费", "爱国卫生运动经费")),
     ("2100601", ("中医药传承创新专项",)),
     ("2101601", ("老年健康服务补助",)),
     ("2109999", ("卫生健康人才培养经费", "医疗卫生服务体系建设补助"))),
)
_HEALTH_COMMISSION = DepartmentType(
    "卫生健康委员会", _HEALTH.admin_run, _HEALTH.institutions, _HEALTH.projects, level="city",
)
_DISEASE_CONTROL = DepartmentType(
    "疾病预防控制中心", None, (("疾病预防控制中心", "2100401"),),
    (("2100409", ("重大传染病防控经费", "艾滋病防治经费", "结核病防治经费", "免疫规划专项经费")),
     ("2100408", ("基本公共卫生服务项目",)),
     ("2100410", ("突发公共卫生事件应急处置经费", "实验室检测能力建设")),
     ("2100499", ("地方病防治经费", "职业卫生监测经费"))),
)
_HOSPITAL = DepartmentType(
    "人民医院", None, (("人民医院", "2100201"),),
    (("2100201", ("医疗设备购置", "重点专科建设经费", "住院楼维修改造", "信息化建设经费")),
     ("2100299", ("公立医院综合改革补助",)),
     ("2100409", ("重大传染病救治能力建设",))),
    level="county",
)
_TCM_HOSPITAL = DepartmentType(
    "中医医院", None, (("中医医院", "2100202"),),
    (("2100202", ("中医诊疗设备购置", "中医重点专科建设", "门诊楼维修改造")),
     ("2100601", ("中医药传承创新专项", "基层中医药服务能力提升"))),
    level="county",
)
_MATERNAL = DepartmentType(
    "妇幼保健院", None, (("妇幼保健院", "2100206"),),
    (("2100206", ("妇幼保健设备购置", "孕产妇健康管理经费")),
     ("2100403", ("两癌筛查项目经费", "新生儿疾病筛查经费")),
     ("2100409", ("重大公共卫生妇幼项目",))),
    level="county",
)
DEPARTMENT_TYPES: tuple[DepartmentType, ...] = (
    _MEDICAL_INSURANCE, _MEDICAL_INSURANCE, _HEALTH, _HEALTH_COMMISSION, _DISEASE_CONTROL, _HOSPITAL,
    _TCM_HOSPITAL, _MATERNAL,
)

# 部门 economic codes of personnel spending, with their share of it (before noise).
_PERSONNEL = (("30101", 0.22), ("30102", 0.12), ("30103", 0.08), ("30107", 0.18), ("30108", 0.10),
              ("30109", 0.04), ("30110", 0.05), ("30112", 0.01), ("30113", 0.08))
_PERSONNEL_OPTIONAL = (("30199", 0.03), ("30302", 0.05), ("30305", 0.01), ("30309", 0.005), ("30111", 0.01))
_PUBLIC = ("30201", "30202", "30205", "30206", "30207", "30211", "30213", "30214", "30215", "30216", "30217",
           "30228", "30229", "30231", "30239", "30299")
# Economic code a project's money is spent on, by its function code's 款 (default: services).
_PROJECT_ECONOMIC = {
    "21012": ("31302",), "21013": ("30307", "30227"), "21016": ("30307",), "21007": ("30305",),
}
_PROJECT_ECONOMIC_DEFAULT = ("30227", "30299", "30201", "30226", "31002", "31003", "30213")
PROJECT_TYPES = ("特定目标类", "其他运转类")
_QUALIFIERS = ("中央资金", "省级资金", "市级配套", "县级配套", "第一批", "第二批", "提前下达")


@dataclass(frozen=True)
class Unit:
    code: str  # 6-digit budget-unit code (部门 code + 3 digits)
    name: str
    institution: bool  # 事业单位 (else 行政 机关)
    run_code: str  # the function code its 行政运行 / 事业运行 spending lands on


@dataclass
class EconomicLine:
    """Spending on one 部门 economic code paired with one 政府 code (machine: a row of the
    economic tables)."""

    code: str
    gov_code: str
    personnel: int = 0
    public: int = 0
    project: int = 0  # general-budget projects only

    @property
    def basic(self) -> int:
        return self.personnel + self.public

    @property
    def total(self) -> int:
        return self.basic + self.project


@dataclass
class FunctionLine:
    """Spending on one 7-digit function code, by category and by fund."""

    code: str
    personnel: int = 0
    public: int = 0
    project_by_fund: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def basic(self) -> int:
        return self.personnel + self.public

    @property
    def project(self) -> int:
        return sum(self.project_by_fund.values())

    @property
    def total(self) -> int:
        return self.basic + self.project

    def amount(self, fund: str | None = None) -> tuple[int, int, int, int, int]:
        """(total, basic, personnel, public, project) of one fund (None: all funds). Basic
        spending is all general budget."""
        if fund is None:
            return self.total, self.basic, self.personnel, self.public, self.project
        project = self.project_by_fund.get(fund, 0)
        if fund == "general_budget":
            return self.basic + project, self.basic, self.personnel, self.public, project
        return project, 0, 0, 0, project


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    operator: str | None
    value: str
    unit: str | None


@dataclass
class Project:
    name: str
    code: str  # 项目编码
    function_code: str
    economic_code: str
    gov_code: str
    fund: str  # general_budget | other | carryover_in
    amount: int
    unit: Unit
    kind: str  # 项目类型
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class ThreePublic:
    overseas: int
    vehicle_purchase: int
    vehicle_operation: int
    reception: int

    @property
    def vehicle(self) -> int:
        return self.vehicle_purchase + self.vehicle_operation

    @property
    def total(self) -> int:
        return self.overseas + self.vehicle + self.reception


@dataclass
class Budget:
    department: str  # the name printed in the captions
    department_type: DepartmentType
    place: Place
    year: int
    scope: str  # 部门 | 单位 | 本级 | 汇总
    dept_code: str  # 3-digit 部门 code
    units: list[Unit]
    step: int  # printing step in fen
    economic: list[EconomicLine]
    functions: list[FunctionLine]
    projects: list[Project]
    three_public: ThreePublic
    three_public_prior: ThreePublic
    staff: int

    # ---- totals -------------------------------------------------------------------------
    @property
    def personnel(self) -> int:
        return sum(f.personnel for f in self.functions)

    @property
    def public(self) -> int:
        return sum(f.public for f in self.functions)

    @property
    def basic(self) -> int:
        return self.personnel + self.public

    @property
    def project(self) -> int:
        return sum(p.amount for p in self.projects)

    @property
    def total(self) -> int:
        return self.basic + self.project

    def fund_total(self, fund: str) -> int:
        """Revenue of one fund: general budget pays all basic spending and its projects."""
        projects = sum(p.amount for p in self.projects if p.fund == fund)
        return projects + (self.basic if fund == "general_budget" else 0)

    @property
    def funds(self) -> list[str]:
        return [f for f in ("general_budget", "other", "carryover_in") if self.fund_total(f)]

    def unit_fund_total(self, unit: Unit, fund: str) -> int:
        basic = sum(line for line in self._unit_basic.get(unit.code, {}).values()) if fund == "general_budget" else 0
        return basic + sum(p.amount for p in self.projects if p.unit == unit and p.fund == fund)

    _unit_basic: dict[str, dict[str, int]] = field(default_factory=dict)  # unit -> function -> basic
    unit_public: dict[str, int] = field(default_factory=dict)  # unit -> public-admin spending

    @property
    def operating_expense(self) -> int:
        """机关运行经费: the public-admin spending of the administrative (机关) units."""
        return sum(self.unit_public.get(u.code, 0) for u in self.units if not u.institution)

    def function_rows(self, fund: str | None = None) -> list[FunctionLine]:
        """Function lines with money in `fund` (None: any), ordered by code."""
        return [f for f in sorted(self.functions, key=lambda f: f.code) if f.amount(fund)[0]]

    def economic_rows(self, basic_only: bool = False) -> list[EconomicLine]:
        rows = [e for e in self.economic if (e.basic if basic_only else e.total)]
        return sorted(rows, key=lambda e: (e.code, e.gov_code))


# ---- generation -----------------------------------------------------------------------------

def _steps(rng: random.Random, yuan: float, step: int) -> int:
    """`yuan` rounded to a whole number of printing steps (at least one step)."""
    return max(1, round(yuan * FEN_PER_YUAN / step)) * step


def _split(rng: random.Random, total: int, parts: int, step: int) -> list[int]:
    """`total` (a multiple of `step`) in `parts` random multiples of `step`, each > 0 when
    there are enough steps."""
    n = total // step
    if parts <= 1 or n < parts:
        return [total] + [0] * (parts - 1)
    cuts = sorted(rng.sample(range(1, n), parts - 1))
    bounds = [0, *cuts, n]
    return [(b - a) * step for a, b in zip(bounds, bounds[1:])]


def _gov_code(dept_code: str, institution: bool) -> str:
    record = catalogs.economic_record(dept_code)
    assert record is not None, dept_code
    code = (record.government_code_institution if institution else None) or record.government_code
    assert code and len(code) == 5, (dept_code, code)
    return code


def draw_department(rng: random.Random, kind: DepartmentType) -> tuple[Place, str]:
    """A real place and the department's name there (without scope suffixes)."""
    if kind.level == "city" or (kind.level == "any" and rng.random() < 0.2):
        place = rng.choice(cities())
        return place, place.city + kind.name
    place = rng.choice(counties())
    if rng.random() < 0.25:
        return place, place.city + place.county + kind.name
    return place, place.county + kind.name


def _units(rng: random.Random, kind: DepartmentType, dept_name: str, dept_code: str, scope: str) -> list[Unit]:
    if kind.admin_run is None:  # a hospital, a CDC: one institution
        suffix, run = kind.institutions[0]
        return [Unit(dept_code + "001", dept_name, True, run)]
    head = Unit(dept_code + "001", dept_name, False, kind.admin_run)
    if scope in ("单位", "本级"):
        return [head]
    others = rng.sample(kind.institutions, rng.randint(1, min(3, len(kind.institutions))))
    place = dept_name[: -len(kind.name)]
    return [head] + [Unit(f"{dept_code}{i + 2:03d}", place + suffix, True, run) for i, (suffix, run) in enumerate(others)]


def _indicators(rng: random.Random, project: str, amount_yuan: int) -> list[Indicator]:
    count = rng.randint(3, 4)
    return [
        Indicator("产出指标", "数量指标", f"{project[:6]}覆盖人数", "≥", str(rng.randint(50, 5000) * 10), "人"),
        Indicator("产出指标", "质量指标", "资金拨付准确率", "=", "100", "%"),
        Indicator("产出指标", "时效指标", "资金拨付及时率", "≥", str(rng.choice([90, 95, 98])), "%"),
        Indicator("效益指标", "社会效益指标", f"{project[:4]}政策知晓率", "≥", str(rng.choice([80, 85, 90])), "%"),
        Indicator("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", str(rng.choice([85, 90, 95])), "%"),
        Indicator("成本指标", "经济成本指标", "项目预算控制数", "≤", str(amount_yuan), "元"),
        Indicator("效益指标", "可持续影响指标", f"{project[:4]}长效机制建立情况", None, "逐步完善", None),
        Indicator("产出指标", "数量指标", "政策宣传覆盖乡镇（街道）数", "≥", str(rng.randint(5, 30)), "个"),
    ][: count + 4]


def generate_budget(rng: random.Random, year: int, scope: str, kind: DepartmentType, unit: str,
                    place_name: tuple[Place, str] | None = None, dept_code: str | None = None) -> Budget:
    """One department-year. `unit` is the printing unit (元 or 万元), which sets the step."""
    step = FEN_PER_YUAN if unit == "元" else 100 * FEN_PER_YUAN
    place, name = place_name or draw_department(rng, kind)
    if scope == "汇总":
        printed = name + "(汇总)"
    elif scope == "本级":
        printed = name + "本级"
    elif scope == "单位" and kind.admin_run and rng.random() < 0.3:
        printed = name + "机关"
    else:
        printed = name
    dept_code = dept_code or f"{rng.randint(101, 699)}"
    units = _units(rng, kind, name, dept_code, scope)
    staff = rng.randint(8, 60) if kind.admin_run else rng.randint(30, 300)
    economic: dict[tuple[str, str], EconomicLine] = {}
    functions: dict[str, FunctionLine] = {}
    unit_basic: dict[str, dict[str, int]] = {}
    unit_public: dict[str, int] = {}

    def econ(code: str, institution: bool) -> EconomicLine:
        gov = _gov_code(code, institution)
        return economic.setdefault((code, gov), EconomicLine(code, gov))

    def func(code: str) -> FunctionLine:
        return functions.setdefault(code, FunctionLine(code))

    for u in units:
        unit_staff = max(3, round(staff * rng.uniform(0.2, 0.6))) if len(units) > 1 else staff
        personnel = unit_staff * rng.uniform(90_000, 160_000)
        chosen = list(_PERSONNEL) + [x for x in _PERSONNEL_OPTIONAL if rng.random() < 0.4]
        basic_by_function: dict[str, int] = defaultdict(int)
        for code, share in chosen:
            amount = _steps(rng, personnel * share * rng.uniform(0.7, 1.3), step)
            econ(code, u.institution).personnel += amount
            if code == "30108":
                target = "2080505"
            elif code == "30109":
                target = "2080506"
            elif code == "30110":
                target = "2101102" if u.institution else "2101101"
            elif code == "30111":
                target = "2101103"
            elif code == "30113":
                target = "2210201"
            elif code == "30302":
                target = "2080502" if u.institution else "2080501"
            else:
                target = u.run_code
            func(target).personnel += amount
            basic_by_function[target] += amount
        public_total = unit_staff * rng.uniform(8_000, 30_000)
        for code in rng.sample(_PUBLIC, rng.randint(5, 11)):
            amount = _steps(rng, public_total / 8 * rng.uniform(0.3, 1.7), step)
            econ(code, u.institution).public += amount
            func(u.run_code).public += amount
            unit_public[u.code] = unit_public.get(u.code, 0) + amount
            basic_by_function[u.run_code] += amount
        unit_basic[u.code] = dict(basic_by_function)

    projects: list[Project] = []
    available = [(code, name) for code, names in kind.projects for name in names]
    # real project lists repeat a programme by funding level and batch (中央/省级/市级, 第一批 …)
    available += [(code, f"{name}（{q}）") for code, name in available for q in _QUALIFIERS]
    count = rng.randint(4, 16)
    picked = rng.sample(available, count)
    for i, (code, pname) in enumerate(picked):
        big = code in ("2101202", "2101201", "2101301")
        amount_yuan = rng.uniform(500_000, 100_000_000) if big else rng.uniform(20_000, 3_000_000)
        amount = _steps(rng, amount_yuan, step)
        owner = rng.choice(units)
        fund = rng.choices(("general_budget", "other", "carryover_in"), (0.8, 0.08, 0.12))[0]
        econ_code = rng.choice(_PROJECT_ECONOMIC.get(code[:5], _PROJECT_ECONOMIC_DEFAULT))
        gov = _gov_code(econ_code, owner.institution)
        project_name = pname if rng.random() < 0.6 else f"{year}年{pname}"
        project = Project(
            name=project_name, code=f"{dept_code}{year % 100:02d}{i + 1:04d}", function_code=code,
            economic_code=econ_code, gov_code=gov, fund=fund, amount=amount, unit=owner,
            kind=rng.choice(PROJECT_TYPES), indicators=[],
        )
        project.indicators = _indicators(rng, pname, amount // FEN_PER_YUAN)
        projects.append(project)
        func(code).project_by_fund[fund] += amount
        if fund == "general_budget":
            line = economic.setdefault((econ_code, gov), EconomicLine(econ_code, gov))
            line.project += amount

    reception = sum(e.public for e in economic.values() if e.code == "30217")
    operation = sum(e.public for e in economic.values() if e.code == "30231")
    three = ThreePublic(0, 0, operation, reception)
    prior = ThreePublic(
        0, _steps(rng, 180_000, step) if rng.random() < 0.15 else 0,
        _steps(rng, operation / FEN_PER_YUAN * rng.uniform(0.8, 1.2), step) if operation else 0,
        _steps(rng, reception / FEN_PER_YUAN * rng.uniform(0.8, 1.2), step) if reception else 0,
    )
    return Budget(
        department=printed, department_type=kind, place=place, year=year, scope=scope, dept_code=dept_code,
        units=units, step=step, economic=list(economic.values()), functions=list(functions.values()),
        projects=projects, three_public=three, three_public_prior=prior, staff=staff, _unit_basic=unit_basic,
        unit_public=unit_public,
    )
