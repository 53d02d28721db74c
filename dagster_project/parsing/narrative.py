"""Amounts the narrative states ("收入预算 16,390.41 万元", "2101501-行政运行 902.46 万元"),
read so that the warehouse can reconcile them with the tables.

Reports restate their headline figures in prose, and publishers make mistakes there that the
tables do not show (004 says 15,579.50 万元 where its 项目支出表 says 15,579.95). The dbt side
compares each statement with the tables; this module only reads the statements, from the
budget vocabulary and the shape of Chinese report prose, never from one report's sentences:

1. Lines become paragraphs: a line that breaks mid-sentence ("…16.31万" + "元，下降…") is
   joined to the next; bare page numbers between them are dropped. A heading (an enumerated
   line with no clause punctuation) stays alone: it names the topic of an amount stated bare
   right below it ("（一）因公出国（境）经费" / "2024 年预算安排 0.00 万元").
2. Items are numbers followed by a money unit (元, 千元, 万元, 亿元) and project counts
   ("项目支出 6 个", "6个项目"). Bare numbers, years and percentages never are; neither are
   thresholds ("单价 20 万元以上的设备") or rates ("万元/人").
3. A clause (text between ，；。：) that states a change or a comparison (较上年减少, 增长,
   与上年相比) or speaks of the previous year (上年) yields nothing, with one exception: the
   change of the whole budget on the previous year, `total_expenditure_change` (signed: 增加/增长
   positive, 减少/下降 negative). It is read where the clause puts a direction word right before
   the money (各增加 3,608.98 万元, 减少 519.18 万元; "增长 5%" is no money), the sentence compares
   with the previous year (与上年相比, 较上年, 比上年, 同比), and the change is of a report total:
   its own subject, if it names one, is a total word of the report (收、支预算总计, 支出预算,
   预算总额, never 财政拨款收、支总计 or 收入预算), and the statement it follows (in its sentence or
   the one before) is the report's total expenditure, not a fund, a sub-item of a list
   ("预算支出 446.43 万元，其中：一般公共预算拨款 446.43 万元，较上年减少 33.37 万元" is the
   fund's change) or anything else. Without either subject there is nothing to read. A report
   states it once: a restatement further down is dropped (the marts take one per report).
4. The topic is the budget keyword nearest before the number, with only connecting words
   (预算, 安排, 共计, 为, a year …) between them. Fund words (一般公共预算, 财政拨款) and total
   words (支出预算, 收入总计) are weak: they yield to a keyword or an out-of-vocabulary noun
   right before them (机关运行经费财政拨款预算 is the operating expense, 会议费预算支出 is
   nothing), and a total word must belong to the whole report (本部门 … 预算支出), not to
   another noun (其他资金收入预算总计). 收支预算 states both totals: two rows.
5. Lists (其中, 包括, 主要用于, and a paragraph ending in "：" followed by item paragraphs)
   give each sub-item its own topic. A sub-item that only splits its parent by fund or by an
   item of another kind is dropped (004: "预算资金 15,579.50 万元，其中财政拨款 15,579.50 万元";
   003: 公务用车运行维护费 inside the 机关运行经费 breakdown), because the vocabulary cannot say
   "the fiscal part of the project money"; a sub-item that is a statement of its own (the
   支出预算 after the 收入预算 in one sentence) starts a new statement.
6. The money that follows a project count in its sentence is the money of those projects
   ("涉及预算项目支出 6 个，预算资金 15,579.50 万元").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from dagster_project.catalogs import economic_record, function_codes, function_record
from dagster_project.parsing.cells import parse_amount
from dagster_project.parsing.model import NarrativeAmount
from dagster_project.parsing.vocabulary import unit_multipliers
from dagster_project.text.cells import clean_cell
from dagster_project.text.patterns import PART_HEADING, amount_number, list_number

TOPICS = (
    "total_revenue", "total_expenditure", "basic", "project", "reserve", "personnel",
    "public_admin", "fiscal_appropriation", "general_budget", "project_count", "project_amount",
    "three_public", "operating_expense", "procurement", "function_code", "economic_code",
    "total_expenditure_change",
)
FUND_TOPICS = frozenset({"general_budget", "fiscal_appropriation"})
FEN = Decimal("0.01")

# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

# A list number opening a heading or an item ('第一部分', '一、', '（二）', '3.', '①'). Arabic
# numbers have at most two digits: '2101501、' in a sentence is a function code, not an item.
_ENUM = rf"(?:{PART_HEADING}|{list_number(arabic_digits='{1,2}')})"
_ENUM_START = re.compile(rf"^(?:[-•·]\s*)?{_ENUM}")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*\d{1,3}[-—–－\s]*$")
_TERMINAL = re.compile(r"[。；;！!？?：:][)）”\"」』]?$")
_OPENS_LIST = re.compile(r"[：:][)）”\"」』]?$")  # '…446.43万元，其中：' introduces the lines below
_CLAUSE_PUNCT = re.compile(r"[，；;。！!？?]|,(?!\d)")
_LEVEL_MARK = re.compile(r"[（(]([类款项])[)）]")
_ROW_MARK = "§"  # stands for （款）/（项）: the name before it is a classification row, not a topic

# Amounts as printed in running text, full-width digits and point included (not folded yet).
_NUMBER = amount_number(digit="[0-9０-９]", point="[.．]")
_MONEY = re.compile(rf"(?<![0-9０-９.．,])({_NUMBER})(亿元|万元|千元|元)")
_NOT_AN_AMOUNT_AFTER = re.compile(r"^(?:[（(]含[)）])?(?:以上|以下|以内)|^[/每]")
_COUNT = re.compile(
    r"项目(?:支出)?[^，,。；;：:、\d]{0,6}?(?<![\d.])(\d+)个(?!月)"
    r"|(?<![\d.,])(\d+)个(?:预算|二级|一级|重点)?项目"
)
_SENTENCE_END = "。！!？?"
_REACH = 200  # characters: how far a clause may reach around its number
_INTRO = re.compile(r"其中|包括|主要用于|分别为|分别是|具体为|如下")
_CHANGE = re.compile(
    r"增加|减少|增长|下降|上升|降低|增幅|降幅|减幅|增减|压减|缩减|节约|新增|增支|减支|持平"
    r"|较上|比上|与上|同比|较(?:19|20)\d{2}年|比(?:19|20)\d{2}年|与(?:19|20)\d{2}年"
    r"|上年(?!结转|结余)|去年|上一年|以前年度"
)
# The change of the whole budget (rule 3): a direction word right before the money, a comparison
# with the previous year in the sentence, and a subject that is a total of the report.
_DIRECTION = re.compile(r"(?:各|均|共|分别)?(增加|增长|上升|减少|下降|降低)了?$")
_DECREASE = frozenset({"减少", "下降", "降低"})
_BASE = re.compile(r"(?:与|较|比|同)(?:上一?年度?|去年)(?:预算|同期)?数?(?:相比|比较|对比)?较?|同比")
_BUDGET_TOTAL = re.compile(r"(?:预算总额|预算总计|总预算|预算总规模|预算规模)")
_TOTAL_TOPICS = frozenset({"both", "total_expenditure"})
_OPEN_TAIL = re.compile(r"\s*[（(]?\s*(?:其中|包括)?\s*$")  # '…1.5万元(其中' -> '…1.5万元'
_YEAR = re.compile(r"(?<![\d\-—–~至到])((?:19|20)\d{2})年(?!\d{1,2}月)")

# Words that may sit between a keyword and its number ("三公经费预算共 0.00 万元").
# Atomic alternatives, longest first, repeated possessively: a failing match fails in linear time.
_FILLER = re.compile(
    r"(?>(?:19|20)\d{2}年度?|[（(]含[^)）]{0,8}[)）]|预算数|预算|安排|共计|合计|总计|总额|共|计|为|是|达到|达|约"
    r"|的|了|拨款|资金|金额|当年|本年|全年|年度|支出|收入|经费|费用|数|额|人民币|[：:])*+"
)
# What may open an item before a classification name or code: enumeration, list words.
_LEAD = re.compile(rf"(?>[、，,：:；;]|其中|主要包括|包括|分别为|主要用于以下方面|以下方面|{_ENUM})*+")
# A total word belongs to the report when what precedes it names the department or nothing.
_OWNER_STRIP = re.compile(r"(?>(?:19|20)\d{2}年度?|年度|本年|当年|全年|相应|安排|的|整体)++$")
_OWNER = re.compile(r"(?:^|[：:、，,。；;)）]|\d[.．、]|部门|单位|本级|机关|汇总|[局厅办处委会院所站校队部室]|中心)$")

_CODE = r"(2\d{2}(?:\d{2}){0,2}|[35]\d{2}(?:\d{2})?)"
_CODE_BRACKET = re.compile(rf"[（(]{_CODE}[)）]")
_CODE_LEAD = re.compile(rf"{_CODE}(?:[-－—–]+|(?=[\u4e00-\u9fff]{{2}}))[^\d]*")

# (pattern, kind, topic, code, fund). Kinds: strong (a subject), fund and total (weak
# qualifiers), block (an out-of-vocabulary subject: the amount is about something else).
_PATTERNS: tuple[tuple[str, str, str | None, str | None, str | None], ...] = (
    (r"公务用车(?:购置|购买)(?:及|和|与|、)(?:运行维护|运行|运维|维护)(?:费用|经费|费)?|公务用车费用?",
     "strong", "three_public", "vehicle_total", None),
    (r"公务用车(?:购置|购买)(?:费用|经费|费)?", "strong", "three_public", "vehicle_purchase", None),
    (r"公务用车(?:运行维护|运行|运维)(?:费用|经费|费)?", "strong", "three_public", "vehicle_operation", None),
    (r"因公出国(?:[（(]境[)）])?(?:费用|经费|费)?|出国[（(]境[)）](?:费用|经费|费)?",
     "strong", "three_public", "overseas_travel", None),
    (r"公务接待(?:费用|经费|费)?", "strong", "three_public", "reception", None),
    (r"[“\"‘']?三公[”\"’']?(?:经费)?", "strong", "three_public", "total", None),
    (r"机关运行(?:经费|费)|运行经费", "strong", "operating_expense", None, None),
    (r"政府采购(?:支出)?(?:预算)?(?:总金额|总额|总计|合计)|政府采购(?:支出)?预算", "strong", "procurement", None, None),
    (r"(?:单位)?预留机动(?:经费)?|机动经费", "strong", "reserve", None, None),
    (r"人员经费|人员支出", "strong", "personnel", None, None),
    (r"(?:日常)?公用经费|公用支出", "strong", "public_admin", None, None),
    (r"基本支出", "strong", "basic", None, None),
    (r"项目支出|项目经费|专项业务经费", "strong", "project", None, None),
    (r"一般公共预算(?:当年)?(?:财政)?(?:拨款)?(?:当年)?(?:安排)?(?:收入|支出)?|公共财政预算(?:拨款)?(?:收入|支出)?",
     "fund", "general_budget", None, "general_budget"),
    (r"财政拨款(?:收[、，,]?支(?:总预算|预算|总计|合计)?|收入|支出)?", "fund", "fiscal_appropriation", None,
     "fiscal_appropriation"),
    (r"政府性基金|政府基金", "block", None, None, "gov_fund"),
    (r"国有资本经营", "block", None, None, "soe_capital"),
    (r"财政专户(?:管理)?(?:资金)?|非财政拨款(?:结余)?|上年结转(?:结余)?(?:资金)?|结转下年(?:资金)?|结转结余"
     r"|事业单位经营(?:收入|支出)|事业收入|经营收入|经营支出|上级补助(?:收入)?|对附属单位补助(?:支出)?"
     r"|附属单位(?:上缴)?(?:收入)?|上缴上级(?:支出)?|对下级单位补助(?:支出)?|其他收入|其他资金|单位资金"
     r"|会议费|培训费|(?:货物|服务|工程)类?政府采购", "block", None, None, None),
    (r"收入[、和及与]支出(?:预算)?(?:总计|合计)?|收[、]支(?:总)?预算(?:总计|合计)?|收支(?:总)?预算(?:总计|合计)?"
     r"|收支(?:总计|合计)", "total", "both", None, None),
    (r"收入预算(?:总计|合计|总额|数)?|预算收入(?:总计|合计)?|收入(?:总计|合计)", "total", "total_revenue", None, None),
    (r"支出预算(?:总计|合计|总额|数)?|预算支出(?:总计|合计)?|支出(?:总计|合计)", "total", "total_expenditure", None,
     None),
)
# 类 names too generic, or naming a fund rather than a function, to stand for a 功能分类 class.
_CLASS_SKIP = frozenset({"223", "227", "229"})


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    kind: str
    topic: str | None
    code: str | None
    fund: str | None


@dataclass(frozen=True)
class _Topic:
    topic: str
    code: str | None = None
    fund: str | None = None


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str, str | None, str | None, str | None], ...]:
    return tuple((re.compile(p), kind, topic, code, fund) for p, kind, topic, code, fund in _PATTERNS)


@cache
def _class_names() -> tuple[re.Pattern[str], dict[str, str]]:
    """功能分类 类 names (社会保障和就业支出 -> 208): reports state class totals by name."""
    names: dict[str, str] = {}
    for rec in function_codes():
        if rec.level == "类" and rec.code not in _CLASS_SKIP:
            for name in (rec.name, *rec.aliases):
                if name.endswith("支出"):
                    names[name] = rec.code
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(alternation), names


def _words(prefix: str) -> list[_Word]:
    """Keyword occurrences in `prefix`, overlaps resolved: the earlier, then the longer, wins."""
    found: list[tuple[int, int, int, _Word]] = []
    for rank, (rx, kind, topic, code, fund) in enumerate(_compiled()):
        for m in rx.finditer(prefix):
            found.append((m.start(), -(m.end() - m.start()), rank, _Word(m.start(), m.end(), kind, topic, code, fund)))
    names, codes = _class_names()
    for m in names.finditer(prefix):
        if _LEAD.fullmatch(prefix[: m.start()]):  # a class name opens its item: not 其他社会保障和就业支出
            word = _Word(m.start(), m.end(), "strong", "function_code", codes[m.group()], None)
            found.append((m.start(), -(m.end() - m.start()), -1, word))
    kept: list[_Word] = []
    for *_, word in sorted(found, key=lambda f: f[:3]):
        if not kept or word.start >= kept[-1].end:
            kept.append(word)
    return kept


def _code_topic(code: str) -> _Topic | None:
    if code[0] == "2" and len(code) in (3, 5, 7):
        return _Topic("function_code", code) if len(code) > 3 or function_record(code) else None
    if code[0] in "35" and len(code) in (3, 5):
        return _Topic("economic_code", code) if len(code) > 3 or economic_record(code) else None
    return None


def _classification(prefix: str) -> _Topic | None:
    """A printed code: '行政运行（2101501）' right before the number, or '2101501-行政运行' opening it."""
    for m in reversed(list(_CODE_BRACKET.finditer(prefix))):
        if _FILLER.fullmatch(prefix[m.end():]):
            return _code_topic(m.group(1))
    m = _CODE_LEAD.match(prefix, len(_LEAD.match(prefix).group()))
    if m and m.end() == len(prefix):
        return _code_topic(m.group(1))
    return None


def _owns_total(before: str) -> bool:
    return bool(_OWNER.search(_OWNER_STRIP.sub("", before[-_REACH:])))


def _topic(prefix: str) -> _Topic | None:
    """What the number after `prefix` is an amount of, or None when it is of nothing we track."""
    words = _words(prefix)
    fund = next((w.fund for w in reversed(words) if w.fund), None)
    code = _classification(prefix)
    if code:
        return _Topic(code.topic, code.code, fund)
    if not words:
        return None
    last = words[-1]
    if not _FILLER.fullmatch(prefix[last.end:]):
        return None
    chosen = last
    if last.kind in ("fund", "total"):
        prev = words[-2] if len(words) > 1 else None
        adjacent = prev is not None and _FILLER.fullmatch(prefix[prev.end: last.start]) is not None
        if prev is not None and adjacent and prev.kind in ("strong", "block"):
            chosen = prev
        elif last.kind == "total" and not _owns_total(prefix[: last.start]):
            if prev is None or not adjacent or prev.kind != "fund":
                return None
            chosen = prev
    if chosen.kind == "block" or chosen.topic is None:
        return None
    if chosen.kind == "fund":
        return _Topic(chosen.topic, None, chosen.fund)
    others = [w for w in words if w is not chosen and w.fund]
    return _Topic(chosen.topic, chosen.code, others[-1].fund if others else None)


# ---------------------------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------------------------


@dataclass
class _Paragraph:
    parts: list[str] = field(default_factory=list)  # its lines, cleaned
    orig: str = ""  # the lines joined
    line_at: list[int] = field(default_factory=list)  # per character of `orig`: its line
    heading: bool = False
    text: str = ""  # `orig` without spaces and 类/款/项 marks: what patterns see
    pos: list[int] = field(default_factory=list)  # per character of `text`: its index in `orig`

    def add(self, line: str, index: int) -> None:
        self.parts.append(line)
        self.line_at.extend([index] * len(line))

    def compact(self) -> None:
        """（类） goes ('一般公共服务（类）支出' is the class name); （款）/（项） become one mark, so
        that '公务接待费（款）支出' reads as an economic row, not as the 三公 reception total."""
        self.orig = "".join(self.parts)
        marks = {m.start(): m for m in _LEVEL_MARK.finditer(self.orig)}
        chars, pos = [], []
        skip_to = 0
        for i, ch in enumerate(self.orig):
            if i < skip_to:
                continue
            if i in marks:
                skip_to = marks[i].end()
                if marks[i].group(1) != "类":
                    chars.append(_ROW_MARK)
                    pos.append(i)
                continue
            if ch.isspace():
                before = chars[-1] if chars else ""
                after = self.orig[i + 1: i + 2]
                if not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()):
                    continue
            chars.append(ch)
            pos.append(i)
        self.text, self.pos = "".join(chars), pos


def _is_heading(line: str) -> bool:
    return bool(_ENUM_START.match(line)) and not _CLAUSE_PUNCT.search(line) and not _MONEY.search(line.replace(" ", ""))


def _paragraphs(lines: list[str]) -> list[_Paragraph]:
    """Lines joined where a sentence runs on; headings and blank lines stand alone."""
    out: list[_Paragraph] = []
    current: _Paragraph | None = None
    for index, raw in enumerate(lines):
        line = clean_cell(raw)
        if not line:
            current = None
            continue
        if _PAGE_NUMBER.match(line):
            continue  # page furniture inside a wrapped sentence
        heading = _is_heading(line)
        if current is None or current.heading or heading or _ENUM_START.match(line) \
                or _TERMINAL.search(current.parts[-1]):
            current = _Paragraph(heading=heading)
            out.append(current)
        current.add(line, index)
    for paragraph in out:
        paragraph.compact()
    return out


# ---------------------------------------------------------------------------------------------
# Items and statements
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    number: str
    unit: str  # 元 … 亿元, or 个


def _items(text: str) -> list[_Item]:
    items = []
    for m in _MONEY.finditer(text):
        if not _NOT_AN_AMOUNT_AFTER.match(text[m.end():]):
            items.append(_Item(m.start(1), m.end(), m.group(1), m.group(2)))
    for m in _COUNT.finditer(text):
        g = 1 if m.group(1) is not None else 2
        items.append(_Item(m.start(g), m.end(g) + 1, m.group(g), "个"))
    items.sort(key=lambda it: it.start)
    return [it for i, it in enumerate(items) if i == 0 or it.start >= items[i - 1].end]


@dataclass(frozen=True)
class _Stated:
    topic: str
    code: str | None
    fund: str | None
    year: int | None


# What a list under each statement may hold; anything else under it is a split we drop.
_CHILDREN: dict[str, frozenset[str]] = {
    "total_revenue": frozenset({"general_budget", "fiscal_appropriation"}),
    "total_expenditure": frozenset({"basic", "project", "reserve", "personnel", "public_admin", "function_code",
                                    "economic_code", "general_budget", "fiscal_appropriation"}),
    "fiscal_appropriation": frozenset({"general_budget", "fiscal_appropriation", "basic", "project", "reserve",
                                       "personnel", "public_admin", "function_code", "economic_code"}),
    "general_budget": frozenset({"general_budget", "basic", "project", "reserve", "personnel", "public_admin",
                                 "function_code", "economic_code"}),
    "basic": frozenset({"personnel", "public_admin", "economic_code"}),
    "three_public": frozenset({"three_public"}),
    "function_code": frozenset({"function_code"}),
    "economic_code": frozenset({"economic_code"}),
    "project_count": frozenset({"project_amount"}),
}
_FAMILY = {"project_amount": "project_count", "both": "both"}


def _is_statement(topic: _Topic) -> bool:
    return topic.topic in {"both", "total_revenue", "total_expenditure", "operating_expense", "procurement",
                           "project_count"} or (topic.topic == "three_public" and topic.code == "total")


_BOUNDARY = re.compile(r"[，；;。！!？?：:]|,(?!\d)|(?<!\d),")


def _boundaries(text: str) -> list[int]:
    """Positions of clause punctuation (a comma between digits is a thousands separator)."""
    return [m.start() for m in _BOUNDARY.finditer(text)]


def _clause_bounds(bounds: list[int], size: int, start: int, end: int) -> tuple[int, int]:
    """The clause around text[start:end]; a run of text longer than _REACH is no clause."""
    k = bisect_left(bounds, start)
    lo = bounds[k - 1] + 1 if k > 0 else 0
    k = bisect_left(bounds, end)
    hi = bounds[k] if k < len(bounds) else size
    return max(lo, start - _REACH), min(hi, end + _REACH)


def _year(text: str, clause_start: int, sentence_start: int, at: int) -> int | None:
    in_clause = _YEAR.findall(text[clause_start:at])
    if in_clause:
        return int(in_clause[-1])
    in_sentence = _YEAR.findall(text[max(sentence_start, at - 4 * _REACH):at])
    return int(in_sentence[0]) if in_sentence else None


@dataclass(frozen=True)
class _Subject:
    """What an amount was a statement of, as far as a change clause after it may refer to it."""

    total: bool  # the report's total expenditure (or both totals): no fund, no list's sub-item
    year: int | None
    sentence: int  # the sentence's number in its paragraph; -1: the paragraph before


_NOT_TOTAL = _Subject(False, None, 0)


def _own_subject(head: str) -> bool | None:
    """The change clause's own subject, the words before its direction word with the comparison
    taken out ("与上年相比收、支预算总计各增加" -> 收、支预算总计): None when it names none, else
    whether it is a total of the whole report (not 财政拨款收、支总计, not 收入预算)."""
    rest = _BASE.sub("", head)
    if _FILLER.fullmatch(rest):
        return None
    words = _words(rest)
    if words:
        if len(words) > 1 or words[0].kind != "total" or words[0].topic not in _TOTAL_TOPICS:
            return False
        start, end = words[0].start, words[0].end
    else:
        m = _BUDGET_TOTAL.search(rest)
        if m is None:
            return False
        start, end = m.start(), m.end()
    return _owns_total(rest[:start]) and _FILLER.fullmatch(rest[end:]) is not None


def _total_change(text: str, it: _Item, lo: int, since: int, refer: _Subject | None) -> int | None:
    """+1 or -1 when the money `it` is the change of the report's total on the previous year
    (rule 3), else None. `lo` starts its clause, `since` is where the text after the amount
    before it (or the sentence) starts; `refer` is the statement the change follows."""
    if it.unit == "个" or not _BASE.search(text[since: it.start]):
        return None
    direction = _DIRECTION.search(text[lo: it.start])
    if direction is None:
        return None
    own = _own_subject(text[lo: lo + direction.start()])
    if own is False or (refer is not None and not refer.total) or (own is None and refer is None):
        return None
    return -1 if direction.group(1) in _DECREASE else 1


def _rows(p: _Paragraph, it: _Item, topic: _Topic, year: int | None, span: tuple[int, int],
          count: int | None) -> list[NarrativeAmount]:
    """`span` is the item's part of its clause (the clause, unless it lists several amounts)."""
    lo, hi = span
    raw = p.orig[p.pos[lo]: p.pos[hi - 1] + 1].strip(" 、") if hi > lo else ""
    raw = _OPEN_TAIL.sub("", raw)
    at = p.pos[it.start]
    line = p.line_at[at]
    offset = at - p.line_at.index(line)  # within the cleaned line
    if count is not None:
        return [NarrativeAmount(line, topic.topic, topic.code, None, "个", None, count, year, raw, topic.fund, offset)]
    amount = parse_amount(it.number)
    if amount is None:  # pragma: no cover - the pattern admits only numbers
        return []
    yuan = (amount * unit_multipliers()[it.unit]).quantize(FEN, rounding=ROUND_HALF_UP)
    topics = ("total_revenue", "total_expenditure") if topic.topic == "both" else (topic.topic,)
    return [NarrativeAmount(line, t, topic.code, amount, it.unit, yuan, None, year, raw, topic.fund, offset)
            for t in topics]


def _read(p: _Paragraph, carry: _Stated | None, heading: _Paragraph | None, before: _Subject | None = None
          ) -> tuple[list[NarrativeAmount], _Stated | None, _Subject | None]:
    """The statements of one paragraph; `carry` is the statement a list from above continues,
    `before` the subject of the last amount of the paragraph above (a change may refer to it).
    Returns the rows, the list carried on, and the subject of its own last amount."""
    text = p.text
    items = _items(text)
    if not items:
        return [], None, None
    out: list[NarrativeAmount] = []
    bounds = _boundaries(text)
    in_list, parent, last = carry is not None, carry, carry
    sentence_start, prev_end, after_count = 0, 0, False
    sentence, subject = 0, replace(before, sentence=-1) if before is not None else None
    for k, it in enumerate(items):
        between = text[prev_end: it.start]
        breaks = [i for i, ch in enumerate(between) if ch in _SENTENCE_END]
        if breaks:
            sentence += len(breaks)
            sentence_start = prev_end + breaks[-1] + 1
            in_list, parent, after_count = carry is not None, carry, False
            between = between[breaks[-1] + 1:]
        if _INTRO.search(between):
            in_list, parent = True, last
        lo, hi = _clause_bounds(bounds, len(text), it.start, it.end)
        seg_lo = max(lo, prev_end)
        seg_hi = hi if k + 1 == len(items) or items[k + 1].start >= hi else it.end
        prefix = text[seg_lo: it.start]
        since = max(sentence_start, prev_end)
        prev_end = it.end
        was_after_count, after_count = after_count, False
        if _CHANGE.search(text[lo: it.start]):
            refer = subject if subject is not None and sentence - subject.sentence <= 1 else None
            sign = _total_change(text, it, lo, since, refer)
            if sign is not None:
                year = refer.year if refer is not None else _year(text, lo, sentence_start, it.start)
                for row in _rows(p, it, _Topic("total_expenditure_change"), year, (seg_lo, seg_hi), None):
                    signed = -row.amount_yuan if sign < 0 and row.amount_yuan else row.amount_yuan
                    amount = -row.amount if sign < 0 and row.amount else row.amount
                    out.append(replace(row, amount=amount, amount_yuan=signed))
            subject = replace(_NOT_TOTAL, sentence=sentence)  # a change is no statement to refer to
            continue
        if it.unit == "个":
            topic: _Topic | None = _Topic("project_count")
        else:
            topic = _topic(prefix)
            if topic is None and k == 0 and heading is not None and _FILLER.fullmatch(_LEAD.sub("", prefix, count=1)):
                topic = _topic(heading.text + prefix)
            if was_after_count and (topic is None or topic.topic in FUND_TOPICS | {"project"}):
                topic = _Topic("project_amount", None, topic.fund if topic else None)
        subject = replace(_NOT_TOTAL, sentence=sentence)
        if topic is None:
            continue
        inherit = parent if in_list else None
        if inherit is not None and topic.topic not in _CHILDREN.get(inherit.topic, frozenset()):
            family = _FAMILY.get(topic.topic, topic.topic)
            if not _is_statement(topic) or family == _FAMILY.get(inherit.topic, inherit.topic):
                continue  # a split of its parent that the vocabulary cannot name
            in_list, parent, inherit = False, None, None
        part = topic.topic in ("project_count", "project_amount") and _about_some_projects(text, sentence_start, it.end)
        year = _year(text, lo, sentence_start, it.start)
        if year is None and inherit is not None:
            year = inherit.year
        fund = topic.fund or (inherit.fund if inherit is not None else None)
        topic = _Topic(topic.topic, topic.code, fund)
        count = int(it.number) if it.unit == "个" else None
        out.extend(replace(row, of_part=part) for row in _rows(p, it, topic, year, (seg_lo, seg_hi), count))
        subject = _Subject(topic.topic in _TOTAL_TOPICS and fund is None and inherit is None, year, sentence)
        last = _Stated("total_expenditure" if topic.topic == "both" else topic.topic, topic.code, fund, year)
        after_count = it.unit == "个"
    if _OPENS_LIST.search(p.orig):
        return out, last, subject
    return out, carry, subject


def _about_some_projects(text: str, sentence_start: int, at: int) -> bool:
    """Projects counted in a sentence about performance management (编报绩效目标的项目,
    开展重点绩效评价的项目) are some of the budget's projects, all of them only when the sentence
    says so (全面实施绩效目标管理): their number and money are at most the 项目支出表's."""
    ends = [i for i in (text.find(ch, at) for ch in _SENTENCE_END) if i >= 0]
    sentence = text[sentence_start: min(ends, default=len(text))]
    return "绩效" in sentence and "全面" not in sentence


def narrative_amounts(lines: list[str]) -> list[NarrativeAmount]:
    """Every amount (and project count) the narrative states about a topic of the vocabulary.

    `lines` are the narrative lines a reader left outside its tables (ReadResult.text_lines);
    `text_index` of each result points into them.
    """
    out: list[NarrativeAmount] = []
    carry: _Stated | None = None
    heading: _Paragraph | None = None
    subject: _Subject | None = None
    for p in _paragraphs(lines):
        rows, carry, subject = _read(p, carry, heading, subject)
        out.extend(rows)
        heading = p if p.heading else None
    # the change of the total once: the marts take one per report, the headline statement
    # (the first); a restatement further down adds nothing
    changes = [r for r in out if r.topic == "total_expenditure_change"]
    return [r for r in out if r.topic != "total_expenditure_change" or r is changes[0]]


__all__ = ["TOPICS", "narrative_amounts"]
