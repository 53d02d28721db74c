"""How long the text path takes on space-aligned dumps of real reports.

The twelve Jiangsu PDFs in ../shared/realpdf are dumped once with pdfplumber
`extract_text(layout=True)` (timed separately: that is the PDF library's cost, not ours), then
the dumps are read (`parse_text`: find the grids) and extracted (`extract_document`: the whole
pure pipeline) several times; the best of the repeats is reported per file. A generated
50-page 项目支出表 of 2,000 rows (one grid continued over every page) shows how it scales.

    .venv/bin/python -m benchmarks.aligned_dumps [repeats]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pdfplumber

from dagster_project.parsing.extract import extract_document
from dagster_project.readers.text import parse_text

REALPDF = Path(__file__).resolve().parent.parent.parent / "shared" / "realpdf"


def _best(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(repeats: int = 5) -> None:
    print(f"{'file':58s} {'pages':>5s} {'lines':>6s} {'dump s':>7s} {'read ms':>8s} {'extract ms':>10s} {'items':>6s}")
    totals = [0.0, 0.0, 0.0]
    for pdf in sorted(REALPDF.rglob("*.pdf")):
        start = time.perf_counter()
        with pdfplumber.open(pdf) as doc:
            pages = [page.extract_text(layout=True) or "" for page in doc.pages]
        dump_s = time.perf_counter() - start
        text = "\f".join(pages)
        data = text.encode("utf-8")
        read_s = _best(lambda: parse_text(text), repeats)
        extract_s = _best(lambda: extract_document(data, pdf.name), repeats)
        items = len(extract_document(data, pdf.name).line_items)
        name = str(pdf.relative_to(REALPDF / "jiangsu"))
        print(f"{name:58s} {len(pages):5d} {text.count(chr(10)) + 1:6d} {dump_s:7.2f} "
              f"{read_s * 1000:8.1f} {extract_s * 1000:10.1f} {items:6d}")
        totals = [totals[0] + dump_s, totals[1] + read_s, totals[2] + extract_s]
    print(f"{'total':58s} {'':5s} {'':6s} {totals[0]:7.2f} {totals[1] * 1000:8.1f} {totals[2] * 1000:10.1f}")
    text = _long_table(pages=50, rows_per_page=40)
    data = text.encode("utf-8")
    read_s = _best(lambda: parse_text(text), repeats)
    extract_s = _best(lambda: extract_document(data, "generated"), repeats)
    items = len(extract_document(data, "generated").line_items)
    print(f"{'generated 项目支出表, 2,000 rows over 50 pages':50s} {50:5d} {text.count(chr(10)) + 1:6d} {'':7s} "
          f"{read_s * 1000:8.1f} {extract_s * 1000:10.1f} {items:6d}")


def _long_table(pages: int, rows_per_page: int) -> str:
    out, row = [], 0
    for _ in range(pages):
        lines = ["     项目名称                 单位编码        金额        基本支出       项目支出"]
        for _ in range(rows_per_page):
            row += 1
            lines.append(f"     项目{row:05d}号专项工作经费        {100000 + row}     "
                         f"{row * 3.5:>10,.2f}  {row * 1.5:>10,.2f}  {row * 2.0:>10,.2f}")
        out.append("\n".join(lines))
    return "项目支出表\n单位：万元\n" + "\n\f".join(out)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
