"""What an extraction worker that fails to start prints (warm._worker_start_failed): nothing for
the replacement the pool starts as it shuts down, a full traceback for anything else."""

from __future__ import annotations

import os
import sys

from dagster_project.warm import _worker_start_failed


def _raised_in(filename_of_lock: str, error: BaseException) -> tuple[type[BaseException], BaseException, object]:
    """An exception raised by `__setstate__` in `filename_of_lock`, called from multiprocessing's
    spawn._main, with the traceback a forked worker has."""
    namespace: dict = {"error": error}
    exec(compile("def __setstate__():\n    raise error\n", filename_of_lock, "exec"), namespace)
    spawn = os.path.join("lib", "python3.11", "multiprocessing", "spawn.py")
    exec(compile("def _main():\n    __setstate__()\n", spawn, "exec"), namespace)
    try:
        namespace["_main"]()
    except BaseException:  # noqa: BLE001 - the test inspects it
        return sys.exc_info()  # type: ignore[return-value]
    raise AssertionError("not raised")


def test_a_replacement_started_as_the_pool_closes_exits_quietly(capsys):
    lock = os.path.join("lib", "python3.11", "multiprocessing", "synchronize.py")
    _worker_start_failed(*_raised_in(lock, FileNotFoundError(2, "No such file or directory")))
    assert capsys.readouterr().err == ""


def test_any_other_start_failure_prints_its_traceback(capsys):
    lock = os.path.join("lib", "python3.11", "multiprocessing", "synchronize.py")
    _worker_start_failed(*_raised_in(lock, PermissionError(13, "Permission denied")))
    elsewhere = os.path.join("dagster_project", "readers", "pdf.py")
    _worker_start_failed(*_raised_in(elsewhere, FileNotFoundError(2, "No such file or directory")))
    err = capsys.readouterr().err
    assert err.count("Traceback (most recent call last)") == 2
    assert "PermissionError" in err and "FileNotFoundError" in err
