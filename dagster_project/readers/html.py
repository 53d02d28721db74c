"""Web pages saved from government portals: <table> grids and the text around them (lxml).

The encoding is the one the page declares (byte-order mark, then <meta charset> or
http-equiv in the first bytes, as browsers prescan), with GB2312/GBK read as GB18030 (their
superset: pages labelled GB2312 routinely use GBK characters). A declaration the bytes
contradict is overruled and noted: bytes that are valid UTF-8 are UTF-8 (pages saved again
keep their old declaration), others go to the text reader's detection; a page declaring UTF-16
without a UTF-16 byte-order mark is read as UTF-8, as browsers do (WHATWG encoding sniffing).
Tables containing other tables are page layout, so their cells are read as flowing text around
the inner tables; rowspan/colspan are expanded with the text in the top-left cell only, like a
text dump, with the HTML table model's bounds (colspan 1..1000, rowspan 0..65534, 0 meaning to
the end of the row group, no span past its row group) and at most MAX_TABLE_CELLS per table.
"""

from __future__ import annotations

import codecs
import re


import lxml.html
from lxml import etree

from dagster_project.readers.base import ReaderError, ReadResult, check_table_cells
from dagster_project.readers.decoding import decode_text
from dagster_project.readers.flow import FlowItem, GridItem, TextLine, assemble

_MARKUP = re.compile(r"<(!doctype\s+html|html|head|body|table|meta|title)\b", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_CHINESE = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "csgb2312": "gb18030",
            "gb_2312-80": "gb18030", "euc-cn": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}
_LATIN = {"latin1", "iso8859-1", "cp1252", "ascii"}
_UTF16 = {"utf-16", "utf-16-le", "utf-16-be"}
_SKIP = {"script", "style", "head", "noscript", "template", "select", "iframe", "object", "svg"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534  # the HTML table model's limits
_ROW_GROUPS = ("thead", "tbody", "tfoot")
_NON_NEGATIVE = re.compile(r"[\t\n\f\r ]*\+?([0-9]+)")


def looks_like_html(data: bytes) -> bool:
    """Markup, not text: the file opens with a tag and names an HTML element early on."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
    text = text.lstrip()
    return text.startswith("<") and bool(_MARKUP.search(text))


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _CHINESE.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _utf8_with_non_ascii(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(b >= 0x80 for b in data)


def decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notes): the declared encoding when the bytes honour it."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, "replace"), name, []
    match = _META_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii", "ignore") if match else None
    codec = _codec(declared) if declared else None
    notes = []
    if codec in _UTF16:
        # WHATWG: a <meta> charset of UTF-16 (LE or BE) means UTF-8: a page whose declaration
        # the prescan could read byte by byte is not UTF-16 (a real one has a byte-order mark)
        note = f"page declares charset {declared} without a UTF-16 byte-order mark"
        try:
            return data.decode("utf-8"), "utf-8", [f"{note}: read as UTF-8, as browsers do"]
        except UnicodeDecodeError:
            text, encoding = decode_text(data)
            return text, encoding, [f"{note} and is not UTF-8: read as {encoding}"]
    if codec and codec != "utf-8" and _utf8_with_non_ascii(data):
        # saved again as UTF-8 with the old declaration kept: GB18030 would decode these
        # bytes too (almost any byte pair is GB18030), as mojibake, so the UTF-8 fit wins
        return data.decode("utf-8"), "utf-8", [f"page declares charset {declared} but its bytes are UTF-8"]
    if declared and codec is None:
        notes.append(f"page declares unknown charset {declared}")
    elif codec in _LATIN and any(b >= 0x80 for b in data):
        notes.append(f"page declares charset {declared}, which cannot be right for Chinese text")
    elif codec:
        try:
            return data.decode(codec), codec, []
        except UnicodeDecodeError as exc:
            text = data.decode(codec, errors="replace")
            bad = text.count("\ufffd")
            if bad <= max(1, len(text) // 1000):  # a damaged or truncated page, as browsers show it
                return text, codec, [f"{bad} bytes are not valid {declared} (first at byte {exc.start}); replaced"]
            notes.append(f"page declares charset {declared} but byte {exc.start} is not {declared}")
    text, encoding = decode_text(data)
    if notes:
        notes[-1] += f"; read as {encoding}"
    return text, encoding, notes


def _tag(element: etree._Element) -> str | None:
    return element.tag.lower() if isinstance(element.tag, str) else None  # comments have no name


def _hidden(element: etree._Element) -> bool:
    return element.get("hidden") is not None or bool(_HIDDEN_STYLE.search(element.get("style", "")))


def _own(table: etree._Element, tags: tuple[str, ...]) -> list[etree._Element]:
    """Elements with these tags whose nearest enclosing table is `table`."""
    found = []
    for node in table.iter(*tags):
        parent = node.getparent()
        while parent is not None and _tag(parent) != "table":
            parent = parent.getparent()
        if parent is table:
            found.append(node)
    return found


def _non_negative(value: str | None) -> int | None:
    """The HTML rules for parsing non-negative integers: leading whitespace, an optional '+',
    then digits (trailing text ignored: '2px' is 2); None for anything else."""
    match = _NON_NEGATIVE.match(value or "")
    return int(match.group(1)) if match else None


def _colspan(value: str | None) -> int:
    span = _non_negative(value)
    return 1 if not span else min(span, _MAX_COLSPAN)  # 0 or unreadable: 1


def _rowspan(value: str | None) -> int:
    """0 (span to the end of the row group) or 1..65534."""
    span = _non_negative(value)
    return 1 if span is None else min(span, _MAX_ROWSPAN)


def _group_ends(table: etree._Element, trs: list[etree._Element]) -> list[int]:
    """For each row, the index after the last row of its row group (thead, tbody, tfoot, or
    the rows directly in the table): rowspans stop there."""
    def group(tr: etree._Element) -> etree._Element:
        parent = tr.getparent()
        return parent if parent is not None and _tag(parent) in _ROW_GROUPS else table

    ends = [len(trs)] * len(trs)
    for r in range(len(trs) - 2, -1, -1):
        ends[r] = ends[r + 1] if group(trs[r]) is group(trs[r + 1]) else r + 1
    return ends


def cell_text(cell: etree._Element) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = _tag(node)
        if tag in _SKIP or (tag and _hidden(node)):
            return
        if tag == "br" or tag in _BLOCK:
            parts.append("\n")
        if tag and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(cell)
    return " ".join("".join(parts).split())


def table_grid(table: etree._Element) -> tuple[list[list[str]], list[int | None]]:
    """Rows of a table with rowspan/colspan laid out on its grid, and each row's source line.

    The grid is only as tall as the table's rows (a rowspan stops at the end of its row
    group) and its width is known column by column, so a grid over MAX_TABLE_CELLS is refused
    (ReaderError) before it is built. `busy[c]` is the first row where column c is free again."""
    trs = [tr for tr in _own(table, ("tr",)) if not _hidden(tr)]
    ends = _group_ends(table, trs)
    busy: list[int] = []
    values: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(trs):
        c = 0
        for cell in tr:
            if _tag(cell) not in ("td", "th"):
                continue
            while c < len(busy) and busy[c] > r:
                c += 1
            colspan, rowspan = _colspan(cell.get("colspan")), _rowspan(cell.get("rowspan"))
            last = ends[r] if rowspan == 0 else min(r + rowspan, ends[r])
            if c + colspan > len(busy):
                check_table_cells(len(trs), c + colspan, "an HTML table", at_least=True)
                busy.extend([0] * (c + colspan - len(busy)))
            values[(r, c)] = cell_text(cell)
            for k in range(c, c + colspan):
                busy[k] = max(busy[k], last)
            c += colspan
    width = len(busy)
    rows = [[values.get((r, c), "") for c in range(width)] for r in range(len(trs))]
    return rows, [tr.sourceline for tr in trs]


class _Walker:
    """Block elements end lines; inline text runs on; tables become grids."""

    def __init__(self) -> None:
        self.items: list[FlowItem] = []
        self.line: list[str] = []
        self.tables = 0

    def flush(self) -> None:
        text = " ".join("".join(self.line).split())
        if text:
            self.items.append(TextLine(text))
        self.line = []

    def walk(self, node: etree._Element) -> None:
        tag = _tag(node)
        if tag is None or tag in _SKIP or _hidden(node):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table":
            self.flush()
            self.tables += 1
            if any(inner is not node for inner in node.iter("table")):
                for cell in _own(node, ("td", "th", "caption")):  # layout: cells are flowing text
                    self.block(cell)
                return
            caption = next((c for c in node if _tag(c) == "caption"), None)
            if caption is not None:
                self.items.append(TextLine(cell_text(caption)))
            try:
                rows, lines = table_grid(node)
            except ReaderError as exc:
                raise ReaderError(f"table {self.tables} of the page: {exc}") from None
            self.items.append(GridItem(rows=rows, layout="html", row_lines=lines))
            return
        if tag in _BLOCK:
            self.block(node)
            return
        self.inline(node)

    def inline(self, node: etree._Element) -> None:
        if node.text:
            self.line.append(node.text)
        for child in node:
            self.walk(child)
            if child.tail:
                self.line.append(child.tail)

    def block(self, node: etree._Element) -> None:
        self.flush()
        self.inline(node)
        self.flush()


def page_flow(text: str) -> tuple[list[FlowItem], int]:
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (etree.ParserError, ValueError) as exc:
        raise ReaderError(f"HTML page cannot be parsed: {exc}") from exc
    walker = _Walker()
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.items, walker.tables


class HtmlReader:
    """HTML pages (saved from a browser or fetched), told from text by their markup."""

    format = "html"

    def sniff(self, data: bytes) -> bool:
        return looks_like_html(data)

    def read(self, data: bytes) -> ReadResult:
        text, encoding, notes = decode_html(data)
        items, n_tables = page_flow(text)
        if n_tables == 0:
            notes.append("the page has no <table> element")
        tables, narrative = assemble(items)
        if not tables and not narrative:
            raise ReaderError("empty HTML page: no text and no tables")
        return ReadResult(format=self.format, tables=tables, text_lines=narrative,
                          encoding=encoding, warnings=notes)
