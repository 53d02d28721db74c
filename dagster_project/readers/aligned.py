"""Tables whose columns are lined up with spaces, as `pdftotext -layout` and pdfplumber's
`extract_text(layout=True)` print them.

How such a dump places text (read from pdfplumber 0.11's `to_textmap`; pdftotext's layout mode
works the same way): each word starts at position round(x0 / char_width) of its printed left
edge, or one space after the previous word when the line is already that long, and then takes
one position per character, whatever the character's printed width. So a word's *start* is
where it was printed, but its end is not: CJK characters print wider than a position (a long
label ends far right of where the dump ends it) and digits narrower (a right-aligned number's
end in the dump drifts right by about a third of a position per digit, and can push the next
word along). Every measure here is therefore in characters as the dump prints them, and:

- columns are found from where cells start, and a number's right edge is estimated from its
  length (`_NARROW` positions per digit), which is where right-aligned numbers line up;
- a header word is centred in its cell, so it belongs to the body column whose cell holds its
  centre: right of the previous column's right edge (numbers) or of the gap before it (text);
- a word that starts one space after a number may have been pushed: it never founds a column;
- a full-width space (U+3000) is one blank position, like any other character.

Rows: a cell wrapped over several lines prints its other cells on the middle line, or the
label on one line and the amounts on the next. A line with amounts directly under a line
without any, in other columns, completes that row; a short label fragment directly under a
row's cut-off label ("2.政府性基金预" / "算") is joined back into it. A header of several lines
is re-stacked per column (see `_stack_header`). Narrative never becomes a table: a sentence,
or a number read into the words around it, ends a block, and a block needs two lines whose
cells line up in two columns (or one header line of three words: an empty table).

Known limits: a group header centred over several columns names only the column under its
centre (the dump does not say how far its cell reached); a label-only row printed right under
a full-length label may be read as that label's wrapped rest; the cues for narrative and
titles are those of Chinese documents (。；, numbers read into 年/万元/次, titles ending in 表,
单位： captions), layout conventions rather than budget knowledge.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from dagster_project.text.patterns import DECIMAL_AMOUNT, LIST_NUMBER

_NARROW = 0.7  # printed width of a digit or Latin letter, in dump positions
_THIN = 0.35  # printed width of ',' '.' and similar, in dump positions
_MAX_LETTER_GAP = 12  # widest spacing of a letter-spaced two-character word ('合    计')
_MAX_BLANK_RUN = 4  # more blank lines than this end a table
_NUMBER = re.compile(r"^[-−(（]?\d[\d,]*(?:\.\d+)?[)）%]?$")
_AMOUNT = re.compile(rf"^[-−(（]?{DECIMAL_AMOUNT}[)）]?$")
_UNIT_AFTER = re.compile(r"^[万千亿元%‰]")
_SENTENCE = re.compile(r"[。；！？]")
# A line that starts a list item or a coded row ('3.', '（二）', '①', '2101501') is not the
# wrapped rest of the label above it.
_LIST_START = re.compile(rf"^(?:{LIST_NUMBER}|\d{{3,}})")
_COUNTED = re.compile(r"^(?:[年月日个次项人名件期批家表号倍%]|万元|亿元|元)")
_NUMBER_IN_WORDS = re.compile(
    r"\d\s+(?:[年月日个次项人名件期批家表号倍]|万元|亿元|元)|[\u4e00-\u9fff（）]\d{1,3}(?:,\d{3})*\.\d"
)
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]?\s*\d{1,4}\s*[-—–－]?|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
_KEY_VALUE = re.compile(r"[:：]")
_TITLE_OR_CAPTION = re.compile(r"表(?:[（(][^）)]*[）)])?$|^(?:金额|计量)?单位[:：]")
_CLOSING = re.compile(r"^[）)」』”’、，。；：%]")


@dataclass(frozen=True)
class Chunk:
    """One cell's text on one line: words separated by single spaces, at its dump position."""

    line: int
    start: int
    text: str
    pushed: bool = False  # follows a number after a single space: its start may be pushed right

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def reach(self) -> float:
        """Estimated printed right edge: CJK one position, digits and Latin less."""
        width = 0.0
        for ch in self.text:
            if unicodedata.east_asian_width(ch) in "WF":
                width += 1.0
            elif ch in ",.:;'·、":
                width += _THIN
            else:
                width += _NARROW
        return self.start + width

    @property
    def center(self) -> float:
        return self.start + len(self.text) / 2

    @property
    def is_number(self) -> bool:
        return bool(_NUMBER.match(self.text))

    @property
    def is_amount(self) -> bool:
        return _is_amount(self.text)


def _is_amount(text: str) -> bool:
    """A number that is a value rather than a column number: decimals, thousands, two digits or more."""
    return bool(_AMOUNT.match(text)) or (bool(_NUMBER.match(text)) and len(text.strip("-−()（）%")) >= 2)


@dataclass
class AlignedTable:
    """A grid found in the dump: `start`/`end` are 0-based line indices (end exclusive)."""

    start: int
    end: int
    rows: list[list[str]]
    row_lines: list[int]  # 0-based line of each row (its first line)
    cell_lines: list[list[int]] = field(default_factory=list)  # 0-based line of each cell


@dataclass
class _Column:
    left: float
    right: float
    right_aligned: bool
    members: list[Chunk] = field(default_factory=list)


def chunks(line: str, number: int = 0) -> list[Chunk]:
    """Cells of one dump line: split at runs of two or more blanks, and at the single blank
    after a number or before an amount (a number printed wider than its positions pushed its
    neighbour along), unless a unit follows the number ('13,377.11 万元', '2 次')."""
    line = line.replace("\u3000", " ").replace("\t", " ")
    if " " not in line:  # most narrative lines: one word, nothing to split or join
        return [Chunk(number, 0, line)] if line else []
    words = _join_spaced_pairs([(m.start(), m.group()) for m in re.finditer(r"\S+", line)])
    out: list[Chunk] = []
    for i, (start, word) in enumerate(words):
        if out and start - (words[i - 1][0] + len(words[i - 1][1])) == 1:
            previous = words[i - 1][1]
            counted = _UNIT_AFTER.match(word) or _COUNTED.match(word)  # '13,377.11 万元', '2 次'
            split = (_NUMBER.match(previous) and not counted) or _AMOUNT.match(word)
            if not split:
                last = out[-1]
                out[-1] = Chunk(last.line, last.start, f"{last.text} {word}", last.pushed)
                continue
            out.append(Chunk(number, start, word, pushed=True))
            continue
        out.append(Chunk(number, start, word))
    return out


def _single_cjk(word: str) -> bool:
    return len(word) == 1 and unicodedata.east_asian_width(word) in "WF" and word.isalpha()


def _join_spaced_pairs(words: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A two-character word letter-spaced across its cell ('合    计', '项    目') is one word;
    three or more single characters in a row ('类  款  项') are narrow columns and stay apart."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(words):
        run = i
        while run < len(words) and _single_cjk(words[run][1]):
            run += 1
        if run - i == 2 and words[i + 1][0] - words[i][0] <= _MAX_LETTER_GAP:
            out.append((words[i][0], words[i][1] + " " * (words[i + 1][0] - words[i][0] - 1) + words[i + 1][1]))
            i = run
            continue
        out.extend(words[i:max(run, i + 1)])
        i = max(run, i + 1)
    return out


def _is_prose(cells: list[Chunk]) -> bool:
    """A line of running text, never a row: it ends a sentence, or it reads a number into the
    words around it ('编制省级  2017  年部门预算', '1,131.92 万元', '支出（类）2,097.51'), which
    justified narrative spreads over the line with wide gaps that look like gutters."""
    for i, c in enumerate(cells):
        if _SENTENCE.search(c.text) or ("，" in c.text and len(c.text) >= 8) or _NUMBER_IN_WORDS.search(c.text):
            return True
        if i and cells[i - 1].text[-1:].isdigit() and _COUNTED.match(c.text):
            return True
    return False


def _candidate_blocks(cells: list[list[Chunk]], page_starts: frozenset[int]) -> list[tuple[int, int]]:
    """(first, last) line of each run that starts and ends at a line of several cells, with no
    sentence, page break or long blank gap inside."""
    blocks: list[tuple[int, int]] = []
    i, n = 0, len(cells)
    while i < n:
        if len(cells[i]) < 2 or _is_prose(cells[i]):
            i += 1
            continue
        last_multi, blank_run, j = i, 0, i + 1
        while j < n:
            if j in page_starts:
                break
            if not cells[j]:
                blank_run += 1
                if blank_run > _MAX_BLANK_RUN:
                    break
                j += 1
                continue
            blank_run = 0
            if _is_prose(cells[j]):
                break
            if len(cells[j]) >= 2:
                last_multi = j
            j += 1
        blocks.extend(_split_at_new_grids(cells, i, last_multi))
        i = last_multi + 1
    return blocks


def _split_at_new_grids(cells: list[list[Chunk]], first: int, last: int) -> list[tuple[int, int]]:
    """Two grids printed one after the other: the block is cut at a run of single-cell lines
    holding a table title (a line ending in 表) or a unit caption (单位：元), when the next line
    of several cells is a header (no amount) rather than more data, and amounts are printed on
    one side of the cut at least."""
    multi = [n for n in range(first, last + 1) if len(cells[n]) >= 2]
    amounts = [n for n in range(first, last + 1) if any(c.is_amount for c in cells[n])]
    out: list[tuple[int, int]] = []
    start = first
    for a, b in zip(multi, multi[1:]):
        titled = any(len(cells[n]) == 1 and _TITLE_OR_CAPTION.search(cells[n][0].text) for n in range(a + 1, b))
        # a list of table titles (目录) is one grid: a cut needs data on one side at least
        data_around = any(start <= n <= a or n > b for n in amounts)
        if titled and data_around and not any(c.is_amount for c in cells[b]):
            out.append((start, a))
            start = b
    out.append((start, last))
    return out


def _cluster(anchors: list[Chunk]) -> list[_Column]:
    """Columns as groups of cells whose printed extents overlap, left to right."""
    columns: list[_Column] = []
    for chunk in sorted(anchors, key=lambda c: c.start):
        if columns and chunk.start < columns[-1].right:
            col = columns[-1]
            col.members.append(chunk)
            col.right = max(col.right, chunk.reach)
        else:
            columns.append(_Column(chunk.start, chunk.reach, False, [chunk]))
    return columns


def _spanning(anchors: list[Chunk]) -> set[Chunk]:
    """Cells that overlap two cells of another line: they span columns and must not join them.

    A cell overlaps two cells of a line exactly when it covers one of that line's gaps: a gap
    that opens (previous cell's right edge) after the cell starts and closes (next cell's
    start) before it ends. Gaps are swept in order of where they close, keeping the two
    latest openings from different lines, so a long dump costs n log n, not n².
    """
    by_line: dict[int, list[Chunk]] = {}
    for chunk in anchors:
        by_line.setdefault(chunk.line, []).append(chunk)
    gaps = sorted(
        (right.start, left.reach, line)
        for line, cells in by_line.items()
        for left, right in zip(sorted(cells, key=lambda c: c.start), sorted(cells, key=lambda c: c.start)[1:])
    )
    closes = [g[0] for g in gaps]
    best: list[tuple[tuple[float, int], tuple[float, int]]] = []
    first, second = (float("-inf"), -1), (float("-inf"), -1)
    for _, opens, line in gaps:
        if opens > first[0]:
            if line != first[1]:
                second = first
            first = (opens, line)
        elif opens > second[0] and line != first[1]:
            second = (opens, line)
        best.append((first, second))
    out = set()
    for chunk in anchors:
        k = bisect.bisect_left(closes, chunk.reach)
        if not k:
            continue
        first, second = best[k - 1]
        opens = first[0] if first[1] != chunk.line else second[0]
        if opens > chunk.start:
            out.add(chunk)
    return out


def _body_columns(body: list[list[Chunk]]) -> tuple[list[_Column], int]:
    """Columns from the data lines, and how many of their cells span columns.

    Words alone on a line are left out (they are often centred over several columns), numbers
    never (a number is right-aligned in its own cell). Numbers and words are grouped apart: a
    label centred over a span may overlap the numbers of the next column without being one of
    them. A few labels centred differently from the rest of their column (收入合计 under left-
    aligned items) make a column of their own; the interpreter reads the first label of a row.
    """
    anchors = [c for line in body for c in line if not c.pushed and (len(line) >= 2 or c.is_number)]
    spanning = _spanning(anchors)
    kept = [c for c in anchors if c not in spanning]
    numbers = _cluster([c for c in kept if c.is_number])
    words = _cluster([c for c in kept if not c.is_number])
    for col in numbers:
        starts = {c.start for c in col.members}
        reaches = {round(c.reach) for c in col.members}
        spread = (max(reaches) - min(reaches)) - (max(starts) - min(starts))
        # amounts are set right-aligned, codes left-aligned, unless their edges say otherwise
        col.right_aligned = spread < 0 or (spread == 0 and all(_AMOUNT.match(c.text) for c in col.members))
    columns = sorted(numbers + words, key=lambda col: (col.left, col.right))
    return columns, len(spanning)


def _body_column(chunk: Chunk, columns: list[_Column]) -> int:
    """A body cell starts inside its column's cell: the last column starting at or before it
    (a text starting left of a right-aligned column's numbers spans in from the left)."""
    index = 0
    for i, col in enumerate(columns):
        numbers_only = col.members[0].is_number
        if col.left <= chunk.start + (0 if numbers_only and not chunk.is_number else 1):
            index = i
    return index


def _boundaries(columns: list[_Column]) -> list[float]:
    """Where one column's cell ends and the next begins, for centred header words."""
    out = []
    for col, nxt in zip(columns, columns[1:]):
        if col.right_aligned:
            out.append(col.right + 0.5)
        else:
            # only its left-aligned labels say where this column ends: words centred further
            # right (当年支出小计 spanning into the next panel) do not widen it
            own = [c.reach for c in col.members if c.start <= col.left + 3 and c.reach <= nxt.left] or [col.left]
            out.append((max(own) + nxt.left) / 2)
    return out


def _header_column(chunk: Chunk, columns: list[_Column], bounds: list[float]) -> float:
    """Column position (fractional: a header-only column between body columns) of a header word."""
    center = chunk.center
    for i, bound in enumerate(bounds):
        if center < bound:
            return float(i)
    last = columns[-1]
    if last.right_aligned and center > last.right + 0.5:
        return len(columns) - 0.5  # beyond the last column of numbers: a column of its own
    return float(len(columns) - 1)


def _split_header_cells(
    assigned: dict[float, list[Chunk]], columns: list[_Column], header_lines: dict[int, int]
) -> dict[Chunk, float]:
    """Header words of one body column that stack in two separate piles side by side name two
    columns (one has no data below it): the pile nearest the column's data keeps it. Piles are
    side by side when they share a line or both reach down to the last two header lines; a
    pile that ends higher up is a group header (or caption) centred over several columns, and
    a pile of words each alone on its line is a label waiting for its amounts on the next line.
    `header_lines` maps each header line to its number of words."""
    rank = {line: i for i, line in enumerate(sorted(header_lines))}
    bottom = len(header_lines) - 2
    out: dict[Chunk, float] = {}
    for pos, members in assigned.items():
        piles: list[list[Chunk]] = []
        for chunk in sorted(members, key=lambda c: c.start):
            if piles and chunk.start <= max(c.end for c in piles[-1]) + 1:
                piles[-1].append(chunk)
            else:
                piles.append([chunk])
        if len(piles) == 1 or pos != int(pos):
            for chunk in members:
                out[chunk] = pos
            continue
        col = columns[int(pos)]
        data_mid = (col.left + col.right) / 2
        keep = min(range(len(piles)), key=lambda k: abs(_pile_mid(piles[k]) - data_mid))
        kept_lines = {c.line for c in piles[keep]}
        kept_low = max(rank[line] for line in kept_lines) >= bottom
        for k, pile in enumerate(piles):
            lines = {c.line for c in pile}
            beside = bool(lines & kept_lines) or (
                kept_low and max(rank[line] for line in lines) >= bottom
                and any(header_lines[line] >= 2 for line in lines)
            )
            offset = (k - keep) / (2 * len(piles)) if k != keep and beside else 0.0
            for chunk in pile:
                out[chunk] = pos + offset
    return out


def _pile_mid(pile: list[Chunk]) -> float:
    return (min(c.start for c in pile) + max(c.end for c in pile)) / 2


@dataclass
class _Cell:
    text: str
    line: int
    start: int
    end: int

    @property
    def center(self) -> float:
        return (self.start + self.end) / 2


@dataclass
class _Row:
    cells: dict[int, _Cell]  # column index -> cell
    first: int
    last: int

    def has_amount(self) -> bool:
        return any(_is_amount(c.text) for c in self.cells.values())

    def only_amounts(self) -> bool:
        return bool(self.cells) and all(_is_amount(c.text) for c in self.cells.values())


def _is_fragment(row: _Row, line: dict[int, _Cell], longest: dict[int, int]) -> bool:
    """A line that only carries the rest of labels cut off in the row above: each piece sits
    under a label of that row, aligned with it (left edge or centre), and that label was cut:
    an unclosed bracket, or as long as the column's longest with a short rest (a label wraps a
    few characters past its cell's width), or the piece starts with closing punctuation."""
    for col, piece in line.items():
        above = row.cells.get(col)
        if above is None or _NUMBER.match(above.text) or _NUMBER.match(piece.text) or _LIST_START.match(piece.text):
            return False
        if abs(piece.start - above.start) > 1 and abs(piece.center - above.center) > 1.5:
            return False
        cut = above.text.count("（") + above.text.count("(") > above.text.count("）") + above.text.count(")")
        short = len(piece.text) <= 2 or len(piece.text) * 3 <= len(above.text)
        full = len(above.text) >= longest.get(col, 0) - 1 and short
        if not (cut or full or _CLOSING.match(piece.text)):
            return False
    return True


def _rows(lines: dict[int, dict[int, _Cell]]) -> list[_Row]:
    """Lines into rows: amounts printed on the line just below (or above) their labels join
    them, and label fragments on the next line join the label they continue. A label line right
    above a line of amounts in other columns starts that row (the label wrapped around it)."""
    longest: dict[int, int] = {}
    for cells in lines.values():
        for col, cell in cells.items():
            if not _NUMBER.match(cell.text):
                longest[col] = max(longest.get(col, 0), len(cell.text))
    rows: list[_Row] = []
    for number in sorted(lines):
        cells = lines[number]
        here = _Row(dict(cells), number, number)
        below = lines.get(number + 1)
        opens_next = (
            below is not None and not here.has_amount() and not set(cells) & set(below)
            and any(_is_amount(c.text) for c in below.values())
        )
        if rows and rows[-1].last == number - 1 and not opens_next:
            above = rows[-1]
            disjoint = not set(cells) & set(above.cells)
            if disjoint and here.has_amount() and not above.has_amount():
                above.cells.update(cells)  # amounts printed just below their label
                above.last = number
                continue
            if disjoint and above.only_amounts() and above.first == above.last and not here.has_amount():
                above.cells.update(cells)  # amounts printed just above their label
                above.first = above.last = number
                continue
            if not here.has_amount() and _is_fragment(above, cells, longest):
                for col, piece in cells.items():
                    prev = above.cells[col]
                    joiner = " " if prev.text[-1:].isascii() and piece.text[:1].isascii() else ""
                    above.cells[col] = _Cell(prev.text + joiner + piece.text, prev.line, prev.start, prev.end)
                above.last = number
                continue
        rows.append(here)
    return rows


def _tables(cells: list[list[Chunk]], chain: list[tuple[int, int]]) -> list[AlignedTable]:
    """The grids of one chain of blocks (a table and its continuations on the next pages),
    read with one set of columns so that every page's grid has the same width."""
    blocks = [{n: cells[n] for n in range(first, last + 1) if cells[n]} for first, last in chain]
    head_ends = []
    for (first, _), block in zip(chain, blocks):
        data_lines = [n for n, line in block.items() if any(c.is_amount for c in line)]
        head_ends.append(data_lines[0] if data_lines else first)
    body = [line for block, head_end in zip(blocks, head_ends) for n, line in block.items() if n >= head_end]
    columns, n_spanning = _body_columns(body)
    multi = [n for block in blocks for n, line in block.items() if len(line) >= 2]
    if len(columns) < 2 or len(multi) < 2:
        return []
    anchors = sum(len(line) for line in body if len(line) >= 2)
    if n_spanning * 5 > anchors:
        return []  # cells that overlap two columns everywhere: running text, not a grid
    bounds = _boundaries(columns)
    head_ends = [_header_end(block, head_end, columns, bounds) for block, head_end in zip(blocks, head_ends)]
    placed: dict[Chunk, float] = {}
    captions: set[int] = set()
    last_words: list[Chunk] = []
    for block, head_end in zip(blocks, head_ends):
        header_words: dict[float, list[Chunk]] = {}
        for n, line in block.items():
            if n >= head_end:
                continue
            if n == min(block) and len(line) <= 2 and any(_KEY_VALUE.search(c.text) for c in line):
                # one or two 'key：value' words over the grid (部门：… | 单位：万元) are a caption:
                # they say nothing about columns, so they found none (the last stays last)
                for chunk in line:
                    pos = _header_column(chunk, columns, bounds)
                    placed[chunk] = float(len(columns) - 1) if pos >= len(columns) - 1 else float(round(pos))
                    if pos >= len(columns) - 1:
                        last_words.append(chunk)
                captions.add(n)
                continue
            for chunk in line:
                header_words.setdefault(_header_column(chunk, columns, bounds), []).append(chunk)
        header_lines = {n: len(line) for n, line in block.items() if n < head_end}
        placed.update(_split_header_cells(header_words, columns, header_lines))
    # a number pushed along by its neighbour goes to the next column, header-only ones included
    # (a column of wide numbers can push every value of the next one)
    known = sorted(set(placed.values()) | {float(i) for i in range(len(columns))})
    for block, head_end in zip(blocks, head_ends):
        for n, line in block.items():
            if n < head_end:
                continue
            previous = -1.0
            for chunk in line:
                pos = float(_body_column(chunk, columns))
                if chunk.pushed and pos <= previous:
                    pos = next((p for p in known if p > previous), pos)
                placed[chunk] = pos
                previous = pos
    positions = sorted(set(placed.values()) | {float(i) for i in range(len(columns))})
    for chunk in last_words:
        placed[chunk] = positions[-1]
    index_of = {p: i for i, p in enumerate(positions)}
    support: dict[int, set[int]] = {}
    lines: dict[int, dict[int, _Cell]] = {}
    for chunk, pos in sorted(placed.items(), key=lambda kv: (kv[0].line, kv[0].start)):
        col = index_of[pos]
        support.setdefault(col, set()).add(chunk.line)
        row = lines.setdefault(chunk.line, {})
        if col in row:
            prev = row[col]
            row[col] = _Cell(f"{prev.text} {chunk.text}", prev.line, prev.start, chunk.end)
        else:
            row[col] = _Cell(chunk.text, chunk.line, chunk.start, chunk.end)
    header_only = any(len(line) >= 3 for block in blocks for n, line in block.items() if n not in captions)
    if sum(1 for s in support.values() if len(s) >= 2) < 2 and not header_only:
        return []  # columns seen once each: a grid needs two lines that line up (or a header of three)
    width = len(positions)
    blank = _Cell("", 0, 0, 0)
    out = []
    for (first, last), head_end in zip(chain, head_ends):
        rows = _stack_header(_rows({n: row for n, row in lines.items() if first <= n <= last}), width, captions, head_end)
        if not rows:
            continue
        out.append(AlignedTable(
            start=first,
            end=last + 1,
            rows=[[r.cells.get(c, blank).text for c in range(width)] for r in rows],
            row_lines=[r.first for r in rows],
            cell_lines=[[r.cells[c].line if c in r.cells else r.first for c in range(width)] for r in rows],
        ))
    return out


def _header_end(block: dict[int, list[Chunk]], head_end: int, columns: list[_Column], bounds: list[float]) -> int:
    """The header ends with its last line that names a column of numbers: lines of labels
    below it, before the first amount, are rows (合计 waiting for its amount on the next line)."""
    def over_numbers(line: list[Chunk]) -> bool:
        for chunk in line:
            pos = _header_column(chunk, columns, bounds)
            if pos != int(pos) or columns[int(pos)].right_aligned:
                return True
        return False

    heads = [n for n in block if n < head_end]
    naming = [n for n in heads if over_numbers(block[n])]
    if not naming:
        return head_end
    return next((n for n in heads if n > naming[-1]), head_end)


def _stack_header(rows: list[_Row], width: int, captions: set[int], head_end: int) -> list[_Row]:
    """Header rows as each column's own words, bottom-aligned and filled upwards.

    A dump prints each header word at the vertical middle of its cell, so a word spanning the
    whole header height (合计) sits on the same line as words of a lower level in other
    columns, and a blank next to it says nothing about spans. Each column's header words are
    therefore stacked, innermost last, and a column with fewer levels repeats its top word:
    no header cell is left blank for a neighbour's word to be mistaken as spanning it. A first
    caption line (部门：… | 单位：万元 above the grid) stays a row of its own.
    """
    first_data = next((i for i, r in enumerate(rows) if r.has_amount() or r.first >= head_end), None)
    if not first_data or first_data < 2:
        return rows
    head, body = rows[:first_data], rows[first_data:]
    kept: list[_Row] = []
    if head[0].first in captions:
        kept, head = [head[0]], head[1:]
    stacks = {c: [r.cells[c] for r in head if c in r.cells] for c in range(width)}
    depth = max((len(s) for s in stacks.values()), default=0)
    if depth == 0:
        return rows
    stacked = []
    for level in range(depth):
        cells = {}
        for c, stack in stacks.items():
            if stack:
                cells[c] = stack[max(0, len(stack) - depth + level)]
        first_line = min(cell.line for cell in cells.values())
        stacked.append(_Row(cells, first_line, first_line))
    return kept + stacked + body


def _chains(cells: list[list[Chunk]], blocks: list[tuple[int, int]], page_starts: frozenset[int]) -> list[list[tuple[int, int]]]:
    """Blocks that continue the block before them on the next page: nothing but blank lines
    or a page number between them, and cells that line up with it."""
    chains: list[list[tuple[int, int]]] = []
    for first, last in blocks:
        if chains:
            previous_last = chains[-1][-1][1]
            between = range(previous_last + 1, first)
            crosses = any(n in page_starts for n in range(previous_last + 1, first + 1))
            if (crosses and all(not cells[n] or _is_page_number(cells[n]) for n in between)
                    and _continues(cells, chains[-1][-1], (first, last))):
                chains[-1].append((first, last))
                continue
        chains.append([(first, last)])
    return chains


def _continues(cells: list[list[Chunk]], before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Most cells of the page's first lines line up with cells of the page before: the same
    left edge, or for numbers the same right edge."""
    above = [c for n in range(before[0], before[1] + 1) for c in cells[n]]
    below = [c for n in range(after[0], after[1] + 1) for c in cells[n]][:24]
    lined = sum(1 for c in below if any(
        abs(o.start - c.start) <= 1 or (c.is_number and o.is_number and abs(o.reach - c.reach) <= 1.5) for o in above))
    return lined * 2 >= len(below)


def _is_page_number(line: list[Chunk]) -> bool:
    return len(line) == 1 and bool(_PAGE_NUMBER.match(line[0].text))


def find_aligned_tables(lines: list[str], page_starts: frozenset[int] = frozenset()) -> list[AlignedTable]:
    """Every space-aligned grid in `lines` (other lines may be blanked out by the caller).

    `page_starts` are indices of lines that begin a new page: a grid never runs across one,
    but a grid that goes on at the top of the next page with nothing printed in between is
    read with the same columns, so that stitching (a budget decision, made downstream) can
    join the two.
    """
    cells = [chunks(line, number) for number, line in enumerate(lines)]
    blocks = [(first, _trailing(cells, first, last, page_starts))
              for first, last in _candidate_blocks(cells, page_starts)]
    found: list[AlignedTable] = []
    for chain in _chains(cells, blocks, page_starts):
        found.extend(_tables(cells, chain))
    return found


def _trailing(cells: list[list[Chunk]], first: int, last: int, page_starts: frozenset[int]) -> int:
    """Single cells after the block's last row of several cells that still belong to it:
    amounts, and labels starting where a label column of the block starts that either sit
    right below the grid's last line (a wrapped label) or are followed by an amount (a label
    whose amount is printed on the next line)."""
    starts = {c.start for n in range(first, last + 1) for c in cells[n] if not c.is_number and not c.pushed}
    j, blank_run, end = last + 1, 0, last
    while j < len(cells) and j not in page_starts:
        line = cells[j]
        if not line:
            blank_run += 1
            if blank_run > _MAX_BLANK_RUN:
                break
            j += 1
            continue
        blank_run = 0
        if len(line) != 1 or _is_prose(line):
            break
        chunk = line[0]
        if not (chunk.is_amount or any(abs(chunk.start - s) <= 1 for s in starts)):
            break
        if chunk.is_amount or j == end + 1:
            end = j  # an amount, or the rest of a label wrapped onto the very next line
        j += 1
    return end  # other labels after the last amount are notes under the grid (注：…), not rows
