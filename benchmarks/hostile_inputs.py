"""What the limits cost a hostile file: refused early versus read with the limit lifted.

Inputs come from the bad-input corpus (tests/badinputs/generate.py): the 2,000-page narrative
PDF (page limit), a one-line text file of growing length (the time limit's case: the layout
reader's cost grows faster than the line), the zip bomb (container limit) and a file over the
size limit (sparse: nothing is read). Times are wall seconds of `extract_document` / `extract_file`
in this process, best of `repeats`.

    .venv/bin/python -m benchmarks.hostile_inputs [repeats]

`memory` measures instead the peak memory of one extraction (`extract_document`) per input, each
in a fresh Python process: the memory bombs of the corpus, the samples and the real PDFs of the
folders given (default: ../shared/realpdf/ when it exists). Peak RSS is the child's ru_maxrss;
peak data is VmData (what RLIMIT_DATA, hence BUDGETWH_MAX_MB_PER_DOC, counts) sampled every
10 ms; "start" is both after the imports, before the document. Each child runs under a safety
cap (RLIMIT_DATA, `--cap-mb`, default 8192) so that measuring code without the bounds cannot
take the host down; a run that hits it reports MemoryError or a killed process.

    .venv/bin/python -m benchmarks.hostile_inputs memory [--cap-mb N] [PDF folders ...]
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dagster_project.ingest import extract_file
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.base import ReaderError, page_limit
from tests.badinputs.generate import (
    S000,
    S003,
    SAMPLES_DIR,
    _canvas_pdf,
    far_cell_xlsx,
    grid_before_docx,
    huge_page_pdf,
    many_sheets_xlsx,
    span_bomb_html,
    utf16_declared_html,
    zip_bomb_docx,
)

REPO = Path(__file__).resolve().parents[1]
REAL_PDFS = REPO.parent / "shared" / "realpdf"


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
    with page_limit(5000):
        rows.append(("same PDF, BUDGETWH_MAX_PAGES=5000", *_timed(lambda: extract_document(pdf, "x.pdf").document, 1)))
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


# --- memory ----------------------------------------------------------------------------------

_CHILD = r"""
import json, os, re, resource, sys, threading, time
cap = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_DATA, (cap << 20, resource.getrlimit(resource.RLIMIT_DATA)[1]))
os.environ.setdefault("POLARS_MAX_THREADS", "1")  # as in the extraction workers (warm.py)
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.base import ReaderError

peak = [0]
def data_mb():
    with open("/proc/self/status") as status:
        return int(re.search(r"VmData:\s+(\d+)", status.read()).group(1)) / 1024
def sample():
    while True:
        peak[0] = max(peak[0], data_mb())
        time.sleep(0.01)
threading.Thread(target=sample, daemon=True).start()
data = open(sys.argv[1], "rb").read()
start_rss, start_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, data_mb()
started = time.perf_counter()
try:
    doc = extract_document(data, os.path.basename(sys.argv[1])).document
    outcome = f"{doc.status}: {doc.status_reason}" if doc.status_reason else doc.status
except ReaderError as exc:
    outcome = f"refused: {exc}"
except MemoryError:
    outcome = f"MemoryError at the safety cap ({cap} MB)"
seconds = time.perf_counter() - started
time.sleep(0.03)
print(json.dumps({"start_rss": start_rss, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "start_data": start_data, "peak_data": max(peak[0], data_mb()), "seconds": seconds,
                  "outcome": outcome}))
"""


def bombs() -> list[tuple[str, bytes]]:
    """The memory bombs of the bad-input corpus, as (file name, bytes)."""
    return [
        ("huge_page.pdf", huge_page_pdf()),
        ("span_bomb.html", span_bomb_html()),
        ("grid_before.docx", grid_before_docx(S003)),
        ("far_cell.xlsx", far_cell_xlsx(S000)),
        ("sheets_20000.xlsx", many_sheets_xlsx()),
        ("utf16_declared.html", utf16_declared_html("东山县林业局")),
    ]


def measure(path: Path, cap_mb: int = 8192, timeout: float = 900) -> dict:
    """Peak memory of extracting one file in a fresh process (module docstring)."""
    import dagster_project

    code = str(Path(dagster_project.__file__).resolve().parents[1])  # the child reads with the code this process has
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [code, os.environ.get("PYTHONPATH")]))}
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(cap_mb)], capture_output=True,
                              text=True, timeout=timeout, cwd=path.parent, env=env)
    except subprocess.TimeoutExpired:
        return {"outcome": f"still running after {timeout:g} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        return {"outcome": f"process died (exit code {proc.returncode}): {proc.stderr.strip()[-200:]}"}
    return json.loads(lines[-1])


def _row(name: str, size: int, m: dict) -> str:
    if "peak_rss" not in m:
        return f"| {name} | {size:,} | | | | {m['outcome'][:110]} |"
    return (f"| {name} | {size:,} | {m['peak_rss']:,.0f} (+{m['peak_rss'] - m['start_rss']:,.0f}) | "
            f"{m['peak_data']:,.0f} (+{m['peak_data'] - m['start_data']:,.0f}) | {m['seconds']:.1f} | "
            f"{m['outcome'][:110].replace('|', '/')} |")


def memory_main(argv: list[str]) -> None:
    cap = 8192
    if argv[:1] == ["--cap-mb"]:
        cap, argv = int(argv[1]), argv[2:]
    folders = [Path(a) for a in argv] or ([REAL_PDFS] if REAL_PDFS.is_dir() else [])
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; safety cap {cap} MB (RLIMIT_DATA)")
    print("| input | bytes | peak RSS MB (+ over start) | peak data MB (+ over start) | seconds | outcome |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, data in bombs():
            path = Path(folder) / name
            path.write_bytes(data)
            print(_row(name, len(data), measure(path, cap)), flush=True)
    for path in sorted(SAMPLES_DIR.glob("*.txt")) + sorted(p for f in folders for p in f.rglob("*.pdf")):
        print(_row(path.name, path.stat().st_size, measure(path, cap)), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"]:
        memory_main(sys.argv[2:])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
