"""PDF reader: pages per second and cell accuracy, against the naive approach, in one run.

The naive approach is camelot's lattice parser with its default settings (rendering every
page at 300 dpi and finding rules with OpenCV) on every page. Both are run on

- the generated corpus: the five samples printed as ruled (lattice) and unruled (stream)
  PDFs by `dagster_project.synth.render_pdf`, where the true cells are known (the sample's
  own grids), and the line items can be compared with those of the text file;
- the twelve real Jiangsu PDFs in ../shared/realpdf (narrative files and table files), where
  the truth is every amount printed on their pages (pdfplumber's words with decimals or
  thousands separators) and the 177 values read by hand in tests/gold/realpdf.

Cell recall: share of the true non-empty cells (whitespace ignored) found among the cells
the reader returns, as a multiset. Line items: share of the text file's facts (synth.compare)
the PDF gives. Gold: share of hand-read values found as line items with the same dimensions.

    .venv/bin/python -m benchmarks.pdf_speed [--quick]     # writes its section of BENCHMARKS.md
"""

from __future__ import annotations

import os
import platform
import re
import sys
import tempfile
import time
import warnings
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pdfplumber
import yaml

from dagster_project.text.cells import fold
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.pdf import read_pdf
from dagster_project.synth.blocks import Grid, sample_blocks
from dagster_project.synth.compare import line_item_facts
from dagster_project.synth.render_pdf import STYLES, join_continued_grids, render_pdf

ROOT = Path(__file__).resolve().parent.parent
REALPDF = ROOT.parent / "shared" / "realpdf" / "jiangsu"
SAMPLES = sorted((ROOT / "data" / "raw").glob("*.txt"))
GOLD = sorted((ROOT / "tests" / "gold" / "realpdf").glob("*.yaml"))
REPORT = ROOT / "BENCHMARKS.md"
BEGIN, END = "<!-- pdf_speed: begin -->", "<!-- pdf_speed: end -->"
AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)$")


def naive_cells(data: bytes) -> list[str]:
    """camelot.read_pdf with default settings (lattice, raster engine) on every page."""
    import camelot

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(handle.name, pages="all", suppress_stdout=True)
    return [str(c) for t in tables for row in t.df.values.tolist() for c in row]


def our_cells(data: bytes) -> list[str]:
    return [c for t in read_pdf(data).tables for row in t.rows for c in row]


def _recall(truth: Counter, cells: list[str]) -> float:
    found = Counter(fold(c) for c in cells if fold(c))
    hits = sum((truth & found).values())
    return hits / max(sum(truth.values()), 1)


def _timed(fn, data: bytes):
    start = time.perf_counter()
    result = fn(data)
    return result, time.perf_counter() - start


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def generated(quick: bool) -> list[dict]:
    rows = []
    for sample in SAMPLES[:2] if quick else SAMPLES:
        text_bytes = sample.read_bytes()
        blocks = sample_blocks(text_bytes)
        truth = Counter(fold(c) for b in join_continued_grids(blocks) if isinstance(b, Grid)
                        for r in b.rows for c in r if fold(c))
        text_facts = line_item_facts(extract_document(text_bytes, sample.name))
        for style in STYLES:
            data = render_pdf(blocks, style)
            ours, our_s = _timed(our_cells, data)
            naive, naive_s = _timed(naive_cells, data)
            _, extract_s = _timed(lambda d: extract_document(d, sample.name), data)
            facts = line_item_facts(extract_document(data, sample.name))
            rows.append({
                "file": f"{sample.stem}.{style}", "pages": _pages(data), "ours_s": our_s, "extract_s": extract_s,
                "naive_s": naive_s, "ours_recall": _recall(truth, ours), "naive_recall": _recall(truth, naive),
                "items": sum((text_facts & facts).values()) / sum(text_facts.values()),
            })
    return rows


def _gold_hits(extraction, entries: list[dict]) -> int:
    hits = 0
    for e in entries:
        want = (e["code"], e["measure"], e["fund_source"], e["value_year"], Decimal(e["amount_yuan"]))
        if any((li.code, li.measure, li.fund_source, li.value_year, li.amount_yuan) == want and li.raw_text == e["raw"]
               for t in extraction.tables if t.page_from <= e["page"] <= (t.page_to or t.page_from)
               for li in t.line_items):
            hits += 1
    return hits


def real(quick: bool) -> list[dict]:
    gold = {}
    for path in GOLD:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        gold[doc["files"]["tables"]] = doc["line_items"]
    rows = []
    files = sorted(REALPDF.rglob("*.pdf"))
    for pdf in files[:4] if quick else files:
        relative = str(pdf.relative_to(REALPDF))
        data = pdf.read_bytes()
        with pdfplumber.open(pdf) as doc:
            truth = Counter(w for page in doc.pages for w in (page.extract_text() or "").split() if AMOUNT.match(w))
        is_tables = relative in gold
        if not is_tables:
            truth = Counter()  # narrative files: their numbers are prose, no table cell should hold them
        ours, our_s = _timed(our_cells, data)
        naive, naive_s = _timed(naive_cells, data)
        extraction, extract_s = _timed(lambda d: extract_document(d, relative), data)
        amount_cells = Counter(fold(c) for c in ours if AMOUNT.match(fold(c)))
        naive_amounts = Counter(fold(c) for c in naive if AMOUNT.match(fold(c)))
        rows.append({
            "file": relative, "pages": _pages(data), "ours_s": our_s, "extract_s": extract_s, "naive_s": naive_s,
            "ours_recall": _recall(truth, ours) if truth else None,
            "naive_recall": _recall(truth, naive) if truth else None,
            "ours_extra": sum(amount_cells.values()) if not truth else None,
            "naive_extra": sum(naive_amounts.values()) if not truth else None,
            "gold": f"{_gold_hits(extraction, gold[relative])}/{len(gold[relative])}" if is_tables else "",
        })
    return rows


def _table(rows: list[dict], real_files: bool) -> list[str]:
    head = ("| file | pages | ours s | ours pages/s | extract s | naive s | naive pages/s | speed-up | "
            "cell recall ours | cell recall naive |" + (" gold values |" if real_files else " line items |"))
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        recall_o = "—" if r["ours_recall"] is None else f"{r['ours_recall']:.1%}"
        recall_n = "—" if r["naive_recall"] is None else f"{r['naive_recall']:.1%}"
        if r.get("ours_extra") is not None:
            recall_o += f" ({r['ours_extra']} amounts in tables)"
            recall_n += f" ({r['naive_extra']} amounts in tables)"
        last = r["gold"] if real_files else f"{r['items']:.1%}"
        out.append(f"| {r['file']} | {r['pages']} | {r['ours_s']:.2f} | {r['pages'] / r['ours_s']:.1f} | "
                   f"{r['extract_s']:.2f} | {r['naive_s']:.2f} | {r['pages'] / r['naive_s']:.1f} | "
                   f"{r['naive_s'] / r['ours_s']:.1f}× | {recall_o} | {recall_n} | {last} |")
    pages = sum(r["pages"] for r in rows)
    ours = sum(r["ours_s"] for r in rows)
    extract = sum(r["extract_s"] for r in rows)
    naive = sum(r["naive_s"] for r in rows)
    out.append(f"| **total** | {pages} | {ours:.2f} | **{pages / ours:.1f}** | {extract:.2f} | {naive:.2f} | "
               f"**{pages / naive:.1f}** | **{naive / ours:.1f}×** | | | |")
    return out


def _machine() -> str:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{model or platform.processor()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    gen = generated(quick)
    rea = real(quick)
    lines = [
        BEGIN,
        "## PDF reader (`benchmarks/pdf_speed.py`)",
        "",
        f"Command: `make bench` (`.venv/bin/python -m benchmarks.run_all`). Machine: {_machine()}; "
        "one process, single-threaded, other jobs may share the machine. \"ours\" is the PDF reader "
        "(`readers.pdf.read_pdf`: PDFium pre-filter, camelot lattice with the vector engine on ruled "
        "pages, raster where vector misses rules, unruled tables from text gutters); \"extract\" is "
        "the whole pure pipeline (`extract_document`); \"naive\" is `camelot.read_pdf(path, "
        "pages='all')` with default settings (lattice, 300 dpi raster) on every page.",
        "",
        "### Generated PDFs (samples rendered ruled and unruled)",
        "",
        *_table(gen, False),
        "",
        "### Real Jiangsu PDFs (narrative files and table files)",
        "",
        "Cell recall on table files: printed amounts found in table cells. Narrative files have no "
        "tables: the count is amounts a reader wrongly put in table cells.",
        "",
        *_table(rea, True),
        END,
    ]
    section = "\n".join(lines)
    print(section)
    if not quick:
        text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
        if BEGIN in text:
            text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        REPORT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
