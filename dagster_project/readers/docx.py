"""DOCX documents: paragraphs and tables in document order (python-docx opens the package).

The body is walked directly so that content controls, tracked insertions and tables nested
in layout tables are not skipped: a table that contains other tables is layout, and its cells
are read as flowing text around the inner tables. Merged cells (gridSpan across, vMerge
down, gridBefore/gridAfter gaps) are expanded to the table's grid with the text in the
top-left cell only, as the text exports of such files print them. The grid is the one the
table declares (w:tblGrid; Word's 63 columns where none is declared): a cell spans at most
its columns, gridBefore/gridAfter fill at most the columns a row's cells leave free, and a
table over MAX_TABLE_CELLS is refused before it is built.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.package import Package
from lxml import etree

from dagster_project.readers.base import ReaderError, ReadResult, check_table_cells, raise_if_out_of_memory
from dagster_project.readers.containers import open_zip, ole_kind, zip_kind
from dagster_project.readers.flow import FlowItem, GridItem, TextLine, assemble

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NB_HYPHEN, _R, _RPR, _VANISH = qn("w:noBreakHyphen"), qn("w:r"), qn("w:rPr"), qn("w:vanish")
_TCPR, _TRPR, _VAL = qn("w:tcPr"), qn("w:trPr"), qn("w:val")
_TBLGRID, _GRIDCOL = qn("w:tblGrid"), qn("w:gridCol")
_WORD_MAX_COLUMNS = 63  # the most columns a Word table can have
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CONTAINERS = {qn("w:sdtContent"), qn("w:customXml"), qn("w:ins"), qn("w:smartTag"), qn("w:txbxContent")}
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _hidden(run: etree._Element) -> bool:
    props = run.find(_RPR)
    if props is None:
        return False
    vanish = props.find(_VANISH)
    return vanish is not None and vanish.get(_VAL, "true") not in ("0", "false")


def _text(element: etree._Element) -> str:
    """Visible text of a paragraph (or cell): runs, tabs and breaks; not the fallback copies
    of text boxes, not hidden runs, not field instructions."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            tag = child.tag
            if tag == _FALLBACK or (tag == _R and _hidden(child)):
                continue
            if tag == _T:
                parts.append(child.text or "")
            elif tag == _TAB:
                parts.append("\t")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _NB_HYPHEN:
                parts.append("-")
            elif tag == _P and parts:
                parts.append("\n")
                walk(child)
                continue
            walk(child)

    walk(element)
    return "".join(parts)


def _int_attr(parent: etree._Element | None, name: str, default: int) -> int:
    if parent is None:
        return default
    child = parent.find(qn(name))
    try:
        return max(0, int(child.get(_VAL))) if child is not None else default
    except (TypeError, ValueError):
        return default


def _own(element: etree._Element, tag: str, owner_tag: str, owner: etree._Element) -> list[etree._Element]:
    """Descendants with `tag` whose nearest `owner_tag` ancestor is `owner` (skips nested tables)."""
    found = []
    for node in element.iter(tag):
        parent = node.getparent()
        while parent is not None and parent.tag != owner_tag:
            parent = parent.getparent()
        if parent is owner:
            found.append(node)
    return found


def _declared_columns(tbl: etree._Element) -> int:
    grid = tbl.find(_TBLGRID)
    return sum(1 for _ in grid.iter(_GRIDCOL)) if grid is not None else 0


def table_grid(tbl: etree._Element) -> list[list[str]]:
    """The table's rows on its column grid, merged cells blank except the top-left.

    Spans are bounded by the declared grid before anything is laid out: a cell spans at most
    the grid's columns, and a row's gridBefore and gridAfter take at most the columns its cells
    leave free (`w:gridBefore w:val="50000000"` on a five-column table is no gap at all). A
    grid declaring fewer columns than a row's cells fill widens to that row."""
    trs = _own(tbl, _TR, _TBL, tbl)
    grid = _declared_columns(tbl) or _WORD_MAX_COLUMNS
    layout = []  # per row: (gridBefore, [(tc, span)], gridAfter) as declared, spans clamped
    for tr in trs:
        cells = []
        for tc in _own(tr, _TC, _TR, tr):
            props = tc.find(_TCPR)
            cells.append((tc, props, min(max(1, _int_attr(props, "w:gridSpan", 1)), grid)))
        tr_props = tr.find(_TRPR)
        layout.append((_int_attr(tr_props, "w:gridBefore", 0), cells, _int_attr(tr_props, "w:gridAfter", 0)))
    columns = max([grid] + [sum(span for _, _, span in cells) for _, cells, _ in layout])
    check_table_cells(len(trs), columns, "a DOCX table")
    rows: list[list[str]] = []
    for before, cells, after in layout:
        free = columns - sum(span for _, _, span in cells)
        before = min(before, free)
        row = [""] * before
        for tc, props, span in cells:
            vmerge = props.find(qn("w:vMerge")) if props is not None else None
            hmerge = props.find(qn("w:hMerge")) if props is not None else None
            continued = any(m is not None and m.get(_VAL, "continue") == "continue" for m in (vmerge, hmerge))
            row.append("" if continued else _text(tc))
            row.extend([""] * (span - 1))
        row.extend([""] * min(after, free - before))
        rows.append(row)
    return rows


def _flow(container: etree._Element) -> Iterator[FlowItem]:
    for child in container:
        tag = child.tag
        if tag == _P:
            yield TextLine(_text(child))
        elif tag == _TBL:
            if any(inner is not child for inner in child.iter(_TBL)):
                for tc in _own(child, _TC, _TBL, child):  # a layout table: cells are flowing text
                    yield from _flow(tc)
            else:
                yield GridItem(rows=table_grid(child), layout="docx")
        elif tag == _SDT or tag in _CONTAINERS:
            yield from _flow(child)


class DocxReader:
    """Word 2007+ documents, told by their word/document.xml member."""

    format = "docx"

    def sniff(self, data: bytes) -> bool:
        return zip_kind(data) == "docx"

    def read(self, data: bytes) -> ReadResult:
        open_zip(data, "DOCX")
        try:
            part = Package.open(io.BytesIO(data)).main_document_part
            root = part.element if hasattr(part, "element") else etree.fromstring(part.blob, _XML)
        except (PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
            raise_if_out_of_memory(exc)
            raise ReaderError(f"damaged DOCX: {type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on bad parts
            raise_if_out_of_memory(exc)
            raise ReaderError(f"damaged or unsupported DOCX: {type(exc).__name__}: {exc}") from exc
        body = root.find(qn("w:body"))
        if body is None:
            raise ReaderError("damaged DOCX: the document has no body")
        tables, narrative = assemble(_flow(body))
        if not tables and not narrative:
            raise ReaderError("empty document: no text and no tables")
        return ReadResult(format=self.format, tables=tables, text_lines=narrative)


class LegacyDocReader:
    """Word 97–2003 files: recognised only to say what to do with them."""

    format = "doc"

    def sniff(self, data: bytes) -> bool:
        return ole_kind(data) == "doc"

    def read(self, data: bytes) -> ReadResult:
        raise ReaderError("legacy Word .doc is not supported: save it as DOCX")
