"""One report in, everything the warehouse needs from it out: the pure core of the pipeline.

`extract_document(data, source_path)` runs reader → stitching → classification →
interpretation and reads the document's own metadata. It does no I/O: the Dagster assets and
the CLI hand it bytes and write what it returns.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from dagster_project.parsing.classify import BUDGET_KINDS, classify, pick_title
from dagster_project.parsing.document import (
    department_key,
    find_department,
    departments_in_one_file,
    find_published_date,
    find_scope,
    fiscal_year,
    region,
    table_department,
    table_year,
)
from dagster_project.parsing.interpret import interpret_grid, lift_captions, split_header
from dagster_project.parsing.model import NarrativeAmount, Project, TableResult
from dagster_project.parsing.narrative import narrative_amounts
from dagster_project.parsing.performance import interpret_performance
from dagster_project.parsing.stitch import stitch
from dagster_project.parsing.vocabulary import fund_of, unit_in, unit_multipliers
from dagster_project.parsing.invariants import violations
from dagster_project.readers.base import RawTable, ReadResult, ReaderError, check_page_count
from dagster_project.readers.registry import reader_for
from dagster_project.text.cells import display_label, fold
from dagster_project.text.patterns import PART_HEADING

_EMPTY_NOTE = re.compile(
    r"本表无数据|空表|无数据|没有(使用)?.{0,20}(支出|收入|预算)|不涉及|无.{0,12}(预算|经费|支出)"
    r"|无(该|此|相关)[^，。]{0,8}(项目|收支|数据|情况|内容)"
)
_DECLARED_EMPTY = re.compile(r"^(是|空表|√)$")


@dataclass
class DocumentInfo:
    doc_id: str
    source_path: str
    sha256: str
    format: str
    encoding: str | None
    department_name: str | None
    department_key: str | None
    unit_code: str | None
    region_province: str | None
    region_city: str | None
    region_county: str | None
    fiscal_year: int | None
    scope: str
    disclosure_id: str | None
    published_date: str | None
    status: str
    status_reason: str | None
    notes: list[str] = field(default_factory=list)
    index_listed: int = 0  # tables the report's own 目录 lists
    index_missing: list[str] = field(default_factory=list)  # listed there, found nowhere


@dataclass
class Extraction:
    document: DocumentInfo
    tables: list[TableResult]
    # Amounts the narrative states, for reconciliation with the tables (parsing/narrative.py).
    narrative: list[NarrativeAmount] = field(default_factory=list)

    @property
    def line_items(self):
        return [li for t in self.tables for li in t.line_items]

    @property
    def unparsed(self):
        return [u for t in self.tables for u in t.unparsed]


def disclosure_id(dept_key: str | None, year: int | None, scope: str, doc_id: str) -> str | None:
    """What one department published for one year and scope. A report whose department could
    not be read is a disclosure of its own (keyed by its content), published with the
    department unknown rather than left out of the marts."""
    if not year:
        return None
    who = dept_key or f"document:{doc_id}"
    digest = hashlib.sha256(f"{who}|{year}|{scope}".encode()).hexdigest()[:16]
    return f"{year}-{digest}"


_HAN = re.compile(r"[\u4e00-\u9fff]")
_NAMES_TABLE = re.compile(r"表")  # 收支预算总表, 部门预算公开表目录 … (a section heading names none)
_PART_HEADING = re.compile(rf"^{PART_HEADING}")  # 第二部分 部门预算表: the tables' part


def _text_column(rows: list[list[str]]) -> int:
    """The column of an index grid that holds the names: the one whose cells carry the most
    Chinese text. A 目录 printed as 'name ..... page' has no header saying 名称, and its second
    column is page numbers, not names."""
    width = max((len(r) for r in rows), default=0)
    weight = [sum(len(_HAN.findall(r[i])) for r in rows if i < len(r)) for i in range(width)]
    return max(range(width), key=lambda i: (weight[i], -i)) if width else 0


def _index_entries(table: RawTable) -> list[tuple[str, bool, str | None]]:
    """(table name, declared empty, reason) from a 报表目录 grid. A document's 目录 lists its
    narrative sections and parts too (一、部门主要职责, 第二部分 部门预算表): only entries that name
    one table (…表) are entries."""
    header = [fold(c) for c in table.rows[0]] if table.rows else []
    name_col = next((i for i, c in enumerate(header) if "名称" in c), None)
    if name_col is None:
        name_col = _text_column(table.rows)
    empty_col = next((i for i, c in enumerate(header) if "空表" in c), None)
    reason_col = next((i for i, c in enumerate(header) if "理由" in c or "原因" in c or "说明" in c), None)
    entries = []
    for row in table.rows[1:]:
        name = display_label(row[name_col]) if name_col < len(row) else ""
        if not name or not _NAMES_TABLE.search(fold(name)) or _PART_HEADING.match(fold(name)):
            continue
        empty = empty_col is not None and empty_col < len(row) and bool(_DECLARED_EMPTY.match(fold(row[empty_col])))
        reason = display_label(row[reason_col]) if reason_col is not None and reason_col < len(row) else None
        entries.append((name, empty, reason or None))
    return entries


_FILLER = re.compile(r"\d{4}年度?|预算|综合")


def _title_matches(entry: str, title: str) -> bool:
    """A 目录 entry names a printed table when one contains the other, once numbering, years
    and filler words that indexes drop or add (预算, 综合) are set aside."""
    a, b = fold(entry), fold(title)
    a = re.sub(r"^(表\d+|\d+[.、])", "", a)
    if a and (a in b or b.endswith(a) or a.endswith(re.sub(r"^\d{4}年(度)?", "", b))):
        return True
    a, b = _FILLER.sub("", a), _FILLER.sub("", b)
    return bool(a) and bool(b) and (a in b or b in a)


def _interpret_table(raw: RawTable, default_unit: str | None, carried_subject: str | None) -> TableResult:
    rows = [list(r) for r in raw.rows]
    lines = [list(x) for x in raw.cell_lines] or [[None] * raw.n_cols for _ in rows]
    body_rows, captions = lift_captions(rows)
    lines = lines[len(rows) - len(body_rows):]
    context = [*raw.context, *captions]
    title = pick_title(tuple(context))
    header_n = split_header(body_rows)
    # a grid without a data row has no header to speak of: only its top rows may name columns
    header_text = " ".join(" ".join(r) for r in body_rows[: max(header_n, 1) if header_n < len(body_rows) else 2])
    verdict = classify(title, header_text)
    unit = next((unit_in(c) for c in reversed(context) if unit_in(c)), None)
    year = table_year(title, context)
    caption_unit_code = next(
        (m.group(1) for c in captions if (m := re.match(r"^(\d{6,})[\u4e00-\u9fff]", fold(c)))), None
    )
    result = TableResult(
        order=raw.order, kind=verdict.kind, title=title, confidence=verdict.confidence,
        classify_reason=verdict.reason, unit=unit or default_unit,
        unit_multiplier=unit_multipliers().get(unit or default_unit or "元", 1), year=year,
        layout=raw.layout, page_from=raw.page_from, page_to=raw.page_to,
        line_from=raw.row_lines[0] if raw.row_lines else None,
        line_to=raw.last_line,
        n_rows=raw.n_rows, n_cols=raw.n_cols, header_rows=header_n, columns=[],
    )
    if result.unit is None:
        result.notes.append("no unit printed; 元 assumed")
    if verdict.kind in ("other", "table_index"):
        return result
    if verdict.kind == "performance_target":
        result.subject = interpret_performance(
            result, body_rows, lines, result.unit, None if title else carried_subject
        )
        return result
    # '（不含上年结转）' qualifies a title; it does not name the table's fund
    default_fund = fund_of(re.sub(r"[(（]?不?含[^)）]*[)）]?", "", fold(title))) or "all"
    interpret_grid(
        result, body_rows[:header_n], body_rows[header_n:], lines[header_n:], default_fund,
        caption_unit_code or None,
    )
    if verdict.kind == "project_expenditure":
        result.projects = _projects(result)
    return result


def _row_total(items: list):
    """A row's all-funds amount: the cell a project (or the table's 合计) is counted by."""
    return next((li for li in items if li.measure in ("total", "project") and li.fund_source == "all"), items[0])


def _projects(result: TableResult) -> list[Project]:
    """Leaf rows of a 项目支出表: not totals, not unit subtotals, not group headers."""
    by_row: dict[int, list] = {}
    for item in result.line_items:
        by_row.setdefault(item.source_row, []).append(item)
    rows = sorted(by_row)
    candidates = {r for r in rows if by_row[r][0].row_label and not re.search(r"合计|总计", by_row[r][0].row_label)
                  and not _is_unit_row(result, r)}
    # When the rows already add up to the table's printed 合计, none of them is a group subtotal,
    # whatever sums happen to match below it (262.47 = 132.82 + 129.65 by coincidence)
    grand = next((_row_total(by_row[r]) for r in rows if by_row[r][0].is_total), None)
    flat = grand is not None and sum(
        (li.amount_yuan for r in candidates if (li := _row_total(by_row[r])).source_col == grand.source_col),
        Decimal("0")) == grand.amount_yuan
    projects = []
    for i, r in enumerate(rows):
        if r not in candidates:
            continue
        items = by_row[r]
        first = items[0]
        label = first.row_label
        total = _row_total(items)
        if not flat and _heads_a_group(result, by_row, rows[i + 1:], total):
            continue
        attrs = result.row_attrs.get(r, {})
        code = next((v for k, v in attrs.items() if re.search(r"项目(编码|代码)", k)), None)
        kind = next((v for k, v in attrs.items() if re.search(r"类型|类别|性质", k)), None)
        projects.append(
            Project(result.order, r, first.source_line, label, code, kind, first.budget_unit_code,
                    total.fund_source, total.value_year, total.amount_yuan)
        )
    return projects


def _declared_only(index: list[tuple[str, bool, str | None]], tables: list[TableResult]) -> list[TableResult]:
    """Tables the report's own 目录 lists as 空表 but does not print at all. They are recorded
    (kind from the listed name, no grid) so that "published as empty" stays distinguishable
    from "not published": 000 lists its 三公 table as 空表 and prints no grid for it."""
    out: list[TableResult] = []
    order = max((t.order for t in tables), default=-1)
    for name, empty, reason in index:
        if not empty or any(_title_matches(name, t.title) for t in tables):
            continue
        verdict = classify(name, "")
        if verdict.kind not in BUDGET_KINDS:
            continue
        order += 1
        out.append(TableResult(
            order=order, kind=verdict.kind, title=name, confidence=verdict.confidence,
            classify_reason=f"listed in the report's 目录 only; {verdict.reason}", unit=None,
            unit_multiplier=1, year=None, layout="index_only", page_from=None, page_to=None,
            line_from=None, line_to=None, n_rows=0, n_cols=0, header_rows=0, columns=[],
            declared_empty=True, empty_reason=reason or "报表目录: 空表",
        ))
    return out


def _heads_a_group(result: TableResult, by_row: dict[int, list], following: list[int], total) -> bool:
    """A row whose amount is exactly the sum of the rows right below it is a group or unit
    subtotal (a department's name above its projects, a category above its items), not a
    project: counting it too would double the project spending."""
    running = Decimal("0")
    for r in following:
        if _is_unit_row(result, r):
            return False
        cell = next((li for li in by_row[r] if li.source_col == total.source_col), None)
        if cell is None:
            continue
        running += cell.amount_yuan
        if running == total.amount_yuan:
            return True
        if running > total.amount_yuan > 0:
            return False
    return False


def _is_unit_row(result: TableResult, source_row: int) -> bool:
    return source_row in result.unit_rows


@dataclass(frozen=True)
class Publisher:
    """Who published a report and for what: read from captions, titles and narrative."""

    name: str | None
    key: str | None
    unit_code: str | None
    scope: str
    region: tuple[str | None, str | None, str | None]


def interpret_tables(raws: list[RawTable]) -> list[TableResult]:
    """Every grid interpreted; the document's most printed unit stands in for a table that
    prints none, and a performance form broken over untitled grids keeps its project."""
    units = Counter(u for t in raws for c in t.context if (u := unit_in(c)))
    default_unit = units.most_common(1)[0][0] if units else None
    tables: list[TableResult] = []
    subject = None
    for raw in raws:
        table = _interpret_table(raw, default_unit, subject)
        if table.kind == "performance_target":
            subject = table.subject
        elif table.title:
            subject = None
        tables.append(table)
    return tables


def mark_declared_empty(raws: list[RawTable], tables: list[TableResult],
                        text_lines: list[str]) -> list[tuple[str, bool, str | None]]:
    """Budget tables without amounts that the report's 目录 or a note under them declares
    empty (空表, 本表无数据): published as empty, not missing. Returns the 目录's entries."""
    index = [e for raw, t in zip(raws, tables) if t.kind == "table_index" for e in _index_entries(raw)]
    for i, table in enumerate(tables):
        if table.kind not in BUDGET_KINDS or table.line_items or table.indicators:
            continue
        declared = next((e for e in index if e[1] and _title_matches(e[0], table.title)), None)
        following = raws[i + 1].context if i + 1 < len(raws) else tuple(text_lines[-3:])
        note = next((line for line in following if _EMPTY_NOTE.search(fold(line))), None)
        if declared:
            table.declared_empty, table.empty_reason = True, declared[2] or "报表目录: 空表"
        elif note:
            table.declared_empty, table.empty_reason = True, display_label(note)
    return index


def date_tables(tables: list[TableResult], text_lines: list[str]) -> tuple[int | None, str | None]:
    """The document's fiscal year, given to every table, line item and project printed
    without one. Returns (year, a note when the year had to be inferred or disagrees)."""
    year, note = fiscal_year([t.year for t in tables if t.kind in BUDGET_KINDS and t.year], text_lines)
    for table in tables:
        if table.year is None:
            table.year = year
            for item in table.line_items:
                item.value_year = item.value_year or (year + item.year_offset if year else None)
            for project in table.projects:
                project.value_year = project.value_year or year
    return year, note


def _captions(raw: RawTable) -> list[str]:
    """The lines above a grid, and captions printed inside it (部门：… | 单位：万元 as its first row)."""
    return [*raw.context[-4:], *lift_captions([list(r) for r in raw.rows])[1]]


def identify_publisher(raws: list[RawTable], captions: list[list[str]], tables: list[TableResult],
                       text_lines: list[str]) -> Publisher:
    """`captions`: each grid's captions (`_captions`), in grid order."""
    name, unit_code = find_department([c for grid in captions for c in grid], text_lines,
                                      [row for raw in raws for row in raw.rows])
    titles = [t.title for t in tables if t.title]
    if unit_code is None:  # a budget-unit code printed in a table's unit column
        unit_code = next((li.budget_unit_code for t in tables for li in t.line_items
                          if li.budget_unit_code and len(li.budget_unit_code) >= 6), None)
    return Publisher(name, department_key(name) if name else None, unit_code,
                     find_scope(titles + text_lines[:5], name), region(name))


def several_departments(captions: list[list[str]], tables: list[TableResult]) -> dict[str, list[str]] | None:
    return departments_in_one_file([
        (t.kind, table_department(t.title, grid))
        for grid, t in zip(captions, tables) if t.kind in BUDGET_KINDS and t.line_items
    ])


def judge(read: ReadResult, tables: list[TableResult], narrative: list[NarrativeAmount],
          publisher: Publisher, year: int | None,
          several: dict[str, list[str]] | None) -> tuple[str, str | None]:
    """(status, reason): whether the document loads, in part, or not at all, and why.

    quarantined: nothing of it can be trusted (not a report, several departments' reports in
    one file, scanned pages only). rejected: it was read, but its facts break an invariant the
    marts rely on (parsing/invariants.py). partial: it loads, with cells it could not read."""
    budget = [t for t in tables if t.kind in BUDGET_KINDS]
    items = sum(len(t.line_items) for t in budget)
    unparsed = sum(len(t.unparsed) for t in budget)
    ocr = (f"needs OCR: {read.pages_without_text} of {read.pages} pages have no text layer (scanned)"
           if read.pages and read.pages_without_text else None)
    if several:
        # facts of two departments under one department's name would be wrong, not partial
        return "quarantined", "reports of several departments in one file (" + "; ".join(
            f"{dept}: {len(kinds)} table kinds" for dept, kinds in several.items()) + "): publish one file per department"
    if ocr and read.pages_without_text >= read.pages:
        return "quarantined", ocr
    if not budget and not (narrative and publisher.key and year):
        return "quarantined", "no budget tables found (narrative only, or not a budget report)"
    if year is None and publisher.key is None:
        return "quarantined", ("not a budget report: no fiscal year and no department found "
                               f"({len(budget)} table(s) merely look like budget tables)")
    if year is None:  # a budget is a plan for a year: without one its figures have no place
        return "quarantined", "no fiscal year found in its titles, captions or text: its figures cannot be placed"
    if budget and items == 0 and not any(t.declared_empty for t in budget):
        return "quarantined", "budget tables found but no amounts could be read" + (
            f": {unparsed} numeric cells could not be interpreted" if unparsed else "")
    if broken := violations(budget, narrative):
        return "rejected", "; ".join(map(str, broken))
    if ocr:
        return "partial", ocr + (f"; {unparsed} numeric cells could not be interpreted" if unparsed else "")
    if unparsed:
        return "partial", f"{unparsed} numeric cells could not be interpreted"
    return "ok", None


def extract_document(data: bytes, source_path: str) -> Extraction:
    """Everything one report holds. Raises ReaderError for files that are not reports."""
    sha = hashlib.sha256(data).hexdigest()
    read = reader_for(data).read(data)
    if read.pages:
        check_page_count(read.pages)  # the limit holds for every reader that counts pages
    raws = stitch(read.tables)
    tables = interpret_tables(raws)
    index = mark_declared_empty(raws, tables, read.text_lines)
    tables += _declared_only(index, tables)
    missing = [name for name, _, _ in index if not any(_title_matches(name, t.title) for t in tables)]
    year, year_note = date_tables(tables, read.text_lines)
    captions = [_captions(raw) for raw in raws]
    publisher = identify_publisher(raws, captions, tables, read.text_lines)
    narrative = narrative_amounts(read.text_lines)
    status, reason = judge(read, tables, narrative, publisher, year, several_departments(captions, tables))
    notes = [*read.warnings, *([year_note] if year_note else [])]  # reader notes first
    if status in ("ok", "partial") and not [t for t in tables if t.kind in BUDGET_KINDS]:
        notes.append(f"narrative only: no budget tables; {len(narrative)} stated amounts")
    notes += [f"table {t.order} ({t.title or t.kind}): {note}"
              for t in tables if t.kind in BUDGET_KINDS for note in t.notes]
    province, city, county = publisher.region
    document = DocumentInfo(
        doc_id=sha, source_path=source_path, sha256=sha, format=read.format, encoding=read.encoding,
        department_name=publisher.name, department_key=publisher.key, unit_code=publisher.unit_code,
        region_province=province, region_city=city, region_county=county, fiscal_year=year,
        scope=publisher.scope, disclosure_id=disclosure_id(publisher.key, year, publisher.scope, sha),
        published_date=find_published_date(read.text_lines, year, publisher.name),
        status=status, status_reason=reason,
        notes=notes, index_listed=len(index), index_missing=missing,
    )
    return Extraction(document=document, tables=tables, narrative=narrative)


__all__ = ["Extraction", "DocumentInfo", "extract_document", "ReaderError"]
