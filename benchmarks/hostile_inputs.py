"""What the limits cost a hostile file: refused early versus read with the limit lifted.

Inputs come from the bad-input corpus (tests/badinputs/generate.py): the 2,000-page narrative
PDF (page limit), a one-line text file of growing length (the time limit's case: the layout
reader's cost grows faster than the line), the zip bomb (container limit) and a file over the
size limit (sparse: nothing is read). Times are wall seconds of `extract_document` / `extract_file`
in this process, best of `repeats`.

    .venv/bin/python -m benchmarks.hostile_inputs [repeats]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from dagster_project.ingest import extract_file
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.base import ReaderError
from tests.badinputs.generate import _canvas_pdf, zip_bomb_docx


def _timed(fn, repeats: int) -> tuple[float, str]:
    best, outcome = float("inf"), ""
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            doc = fn()
            outcome = f"{doc.status}: {doc.status_reason}"
        except ReaderError as exc:
            outcome = f"refused: {exc}"
        best = min(best, time.perf_counter() - start)
    return best, outcome


def main(repeats: int = 3) -> None:
    rows = []
    pdf = _canvas_pdf(2000)
    rows.append(("2,000-page narrative PDF, default limit (1000 pages)",
                 *_timed(lambda: extract_document(pdf, "x.pdf").document, repeats)))
    os.environ["BUDGETWH_MAX_PAGES"] = "5000"
    rows.append(("same PDF, BUDGETWH_MAX_PAGES=5000", *_timed(lambda: extract_document(pdf, "x.pdf").document, 1)))
    del os.environ["BUDGETWH_MAX_PAGES"]
    for repeat in (50_000, 100_000, 200_000, 400_000):
        line = ("预算 " * repeat).encode("utf-8")
        rows.append((f"one text line of {len(line) / 1e6:.2f} MB",
                     *_timed(lambda line=line: extract_document(line, "x.txt").document, 1)))
    bomb = zip_bomb_docx()
    rows.append(("DOCX expanding to 520 MiB (2.4 MB on disk)", *_timed(lambda: extract_document(bomb, "x.docx").document,
                                                                     repeats)))
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.txt"
        with big.open("wb") as handle:
            handle.truncate(201 * 1024 * 1024)
        rows.append(("201 MiB file (sparse), default limit 200 MB",
                     *_timed(lambda: extract_file(big, "big.txt")[0], repeats)))
    print("| input | seconds | outcome |")
    print("|---|---|---|")
    for name, seconds, outcome in rows:
        print(f"| {name} | {seconds:.3f} | {outcome[:90]} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
