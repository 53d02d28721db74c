"""What the extraction pool's fork server does once, before it forks any worker.

Everything a worker needs is loaded and exercised once, in the fork server: the modules
(Polars, the readers, the interpreter), the place-name data behind region lookups (cpca, which
imports pandas: about a second), the classification catalogs and their name indexes, and the
regular expressions and memoized cell functions, by extracting one small report. Every worker
forked afterwards, including the replacements the pool starts after a worker's task quota,
begins warm instead of paying all of that again.

Importing this module does nothing: `prepare_fork_server` does it, called by
`warm_preload` (the module the pool names as the fork server's preload, whose import is the
only hook the fork server offers).
"""

from __future__ import annotations

import os
import sys
import traceback
from types import TracebackType

_SAMPLE = """丹凤县医疗保障局
2024年部门预算公开说明
2024年本部门收入预算100.00万元，支出预算100.00万元。
一般公共预算支出表
部门名称：丹凤县医疗保障局
单位：万元
科目编码\t科目名称\t合计\t基本支出\t项目支出
\t合计\t100.00\t60.00\t40.00
210\t卫生健康支出\t100.00\t60.00\t40.00
21015\t医疗保障管理事务\t100.00\t60.00\t40.00
2101501\t行政运行\t100.00\t60.00\t40.00
""".encode()


def prepare_fork_server() -> None:
    """Set the workers' library environment, then import and exercise the extraction code.

    One Polars thread per worker: the pool's processes are the parallelism, and a thread pool
    per worker only adds synchronisation to writing a document's small frames. Polars reads
    POLARS_MAX_THREADS when it is first imported, so it is set here, before the imports below,
    in the fork server (a fresh process) only: an environment setting for a library, not a
    budgetwh setting (those reach workers as `Limits`)."""
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    sys.excepthook = _worker_start_failed
    from dagster_project import catalogs
    from dagster_project.ingest import stage_document  # noqa: F401 - imported to be inherited by workers
    from dagster_project.parsing.document import region
    from dagster_project.parsing.extract import extract_document

    catalogs.resolve_function_name("行政运行")
    catalogs.resolve_economic_name("基本工资", "econ_department")
    region("丹凤县医疗保障局")
    extract_document(_SAMPLE, "warm.txt")


def _worker_start_failed(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """What a forked worker that could not start prints (the fork server's children report
    through `sys.excepthook`, inherited from here).

    One failure is not worth a traceback: the pool (pebble) starts a replacement for a worker it
    stopped at a document's time limit, and when that was the last document the pool is shutting
    down as the replacement starts; the pool's locks are already gone when the new process
    unpickles them (FileNotFoundError in multiprocessing/synchronize.py). That worker has no
    task and nothing is lost, so it exits quietly. Every other failure prints as Python would."""
    frames = traceback.extract_tb(tb)
    if (isinstance(error, FileNotFoundError) and frames
            and frames[-1].filename.endswith(os.path.join("multiprocessing", "synchronize.py"))
            and any(f.name == "_main" and f.filename.endswith("spawn.py") for f in frames)):
        return
    sys.__excepthook__(kind, error, tb)
