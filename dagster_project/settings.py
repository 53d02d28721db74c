"""Configuration: one typed, frozen `Settings` built from the environment once, at an entry
point (`budgetwh` in cli.py, the Dagster code location in definitions.py, `load.run_load` for
in-process callers, benchmarks), and passed down as an argument or a resource field. No module
reads the environment at import, and no function deep in the stack reads it: a worker process
gets its `Limits` from the parent that started it. The variables, their defaults and what
happens over each limit are tabled once, in README.md ("Configuration"). Also here: the
repository-anchored default paths, and the rules a raw folder and a warehouse must follow to be
used together.

Documented exceptions: faults.py reads its crash-test variables when a fault point is hit
(tests only); dbt reads BUDGETWH_DBT_MEMORY / BUDGETWH_DBT_THREADS and the paths dbt_build
hands it from the environment of the dbt process (its profile is written that way); Settings
still validates the two dbt values so that a bad one is named before a load starts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
# What marks a folder as a budgetwh warehouse's: the lock `budgetwh run` takes beside the
# published file (load.py), and the staging manifest every load writes (staging/store.py).
LOCK_NAME = ".budgetwh.lock"
WAREHOUSE_FOLDERS = ("staging", "build", "marts")

DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse" / "budget.duckdb"
DEFAULT_RAW_DIR = REPO_ROOT / "data" / "raw"
DEFAULT_MAX_FILE_MB = 200.0
DEFAULT_MAX_PAGES = 1000
DEFAULT_SECONDS_PER_DOCUMENT = 300.0
DEFAULT_MB_PER_DOCUMENT = 2048
DEFAULT_STALE_HOURS = 12.0
DEFAULT_LOCK_TIMEOUT_SECONDS = 3600.0
DEFAULT_BATCH = 50
DEFAULT_DBT_MEMORY = "600MB"
DEFAULT_DBT_THREADS = 2


class SettingsError(ValueError):
    """An environment variable holds a value budgetwh cannot use; the message names it
    (`BUDGETWH_WORKERS=abc: not a whole number`)."""


@dataclass(frozen=True)
class Limits:
    """What one document's extraction is held to. Small and picklable: the extraction pool
    sends it to each worker with the document, so a worker never consults its own environment."""

    max_file_bytes: int = int(DEFAULT_MAX_FILE_MB * 1024 * 1024)
    max_pages: int = DEFAULT_MAX_PAGES
    seconds_per_document: float = DEFAULT_SECONDS_PER_DOCUMENT
    megabytes_per_document: int | None = DEFAULT_MB_PER_DOCUMENT  # None: no memory limit


DEFAULT_LIMITS = Limits()


def _cpu_count() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    """Everything budgetwh takes from its environment, parsed and checked once. Defaults are the
    documented ones; `Settings()` is a run with no variables set."""

    warehouse: Path = DEFAULT_WAREHOUSE  # BUDGETWH_WAREHOUSE
    raw_dir: Path = DEFAULT_RAW_DIR  # BUDGETWH_RAW_DIR
    workers: int = field(default_factory=_cpu_count)  # BUDGETWH_WORKERS (0 or unset: the CPU count)
    max_file_mb: float = DEFAULT_MAX_FILE_MB  # BUDGETWH_MAX_FILE_MB
    max_pages: int = DEFAULT_MAX_PAGES  # BUDGETWH_MAX_PAGES
    max_seconds_per_doc: float = DEFAULT_SECONDS_PER_DOCUMENT  # BUDGETWH_MAX_SECONDS_PER_DOC
    max_mb_per_doc: int | None = DEFAULT_MB_PER_DOCUMENT  # BUDGETWH_MAX_MB_PER_DOC (0: None, no limit)
    stale_hours: float = DEFAULT_STALE_HOURS  # BUDGETWH_STALE_HOURS
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS  # BUDGETWH_LOCK_TIMEOUT_SECONDS
    batch: int = DEFAULT_BATCH  # BUDGETWH_BATCH (documents per step of the Celery fan-out)
    dbt_memory: str = DEFAULT_DBT_MEMORY  # BUDGETWH_DBT_MEMORY (read by dbt's profile)
    dbt_threads: int = DEFAULT_DBT_THREADS  # BUDGETWH_DBT_THREADS (read by dbt's profile)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Parse every variable of `environ` (an unset or blank one takes its default); raise
        SettingsError naming the first variable whose value cannot be used."""
        env = _Env(environ)
        workers = env.whole("BUDGETWH_WORKERS", 0, minimum=0)
        mb_per_doc = env.number("BUDGETWH_MAX_MB_PER_DOC", DEFAULT_MB_PER_DOCUMENT)
        return cls(
            warehouse=env.path("BUDGETWH_WAREHOUSE", DEFAULT_WAREHOUSE),
            raw_dir=env.path("BUDGETWH_RAW_DIR", DEFAULT_RAW_DIR),
            workers=workers or _cpu_count(),
            max_file_mb=env.number("BUDGETWH_MAX_FILE_MB", DEFAULT_MAX_FILE_MB, positive=True),
            max_pages=env.whole("BUDGETWH_MAX_PAGES", DEFAULT_MAX_PAGES, minimum=1),
            max_seconds_per_doc=env.number("BUDGETWH_MAX_SECONDS_PER_DOC", DEFAULT_SECONDS_PER_DOCUMENT,
                                           positive=True),
            max_mb_per_doc=int(mb_per_doc) if mb_per_doc > 0 else None,
            stale_hours=env.number("BUDGETWH_STALE_HOURS", DEFAULT_STALE_HOURS, minimum=0),
            lock_timeout_seconds=lock_timeout_from(environ),
            batch=env.whole("BUDGETWH_BATCH", DEFAULT_BATCH, minimum=1),
            dbt_memory=env.memory("BUDGETWH_DBT_MEMORY", DEFAULT_DBT_MEMORY),
            dbt_threads=env.whole("BUDGETWH_DBT_THREADS", DEFAULT_DBT_THREADS, minimum=1),
        )

    @property
    def limits(self) -> Limits:
        return Limits(max_file_bytes=int(self.max_file_mb * 1024 * 1024), max_pages=self.max_pages,
                      seconds_per_document=self.max_seconds_per_doc, megabytes_per_document=self.max_mb_per_doc)

    @property
    def stale_seconds(self) -> float:
        return self.stale_hours * 3600


LOCK_TIMEOUT_ENV = "BUDGETWH_LOCK_TIMEOUT_SECONDS"


def lock_timeout_from(environ: Mapping[str, str]) -> float:
    """BUDGETWH_LOCK_TIMEOUT_SECONDS of `environ` (default 3600): zero or more seconds."""
    raw = environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    if value < 0 or value != value:
        raise SettingsError(f"{LOCK_TIMEOUT_ENV}={raw!r} must be zero or more seconds")
    return value


class _Env:
    """Typed reads of one environment mapping; every error names the variable and its value."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return value.strip() if value is not None and value.strip() else None

    def path(self, name: str, default: Path) -> Path:
        raw = self.environ.get(name)
        return Path(raw) if raw else default

    def whole(self, name: str, default: int, minimum: int) -> int:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw}: not a whole number") from None
        if value < minimum:
            raise SettingsError(f"{name}={raw}: must be {minimum} or more")
        return value

    def number(self, name: str, default: float, positive: bool = False, minimum: float | None = None) -> float:
        raw = self._raw(name)
        if raw is None:
            return float(default)
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw}: not a number") from None
        if not math.isfinite(value):
            raise SettingsError(f"{name}={raw}: not a finite number")
        if positive and value <= 0:
            raise SettingsError(f"{name}={raw}: must be more than 0")
        if minimum is not None and value < minimum:
            raise SettingsError(f"{name}={raw}: must be {minimum:g} or more")
        return value

    def memory(self, name: str, default: str) -> str:
        """A DuckDB memory size as dbt's profile passes it on (`600MB`, `2GB`, `1.5GiB`)."""
        raw = self._raw(name)
        if raw is None:
            return default
        digits = raw.rstrip("BbKkMmGgTtIi ")
        unit = raw[len(digits):].strip().upper()
        try:
            ok = float(digits) > 0 and unit in {"B", "KB", "MB", "GB", "TB", "KIB", "MIB", "GIB", "TIB"}
        except ValueError:
            ok = False
        if not ok:
            raise SettingsError(f"{name}={raw}: not a memory size such as 600MB or 2GB")
        return raw


def staging_dir(warehouse: Path) -> Path:
    """Staging Parquet sits in `staging/` beside the warehouse file."""
    return warehouse.parent / "staging"


def holds_warehouse(folder: Path) -> bool:
    """Whether `folder` is where a budgetwh warehouse lives (its lock file, or a staging folder
    with a manifest). The raw-folder walk never reads such a folder: its Parquet, DuckDB and log
    files are a load's own output, and reading them as reports would feed every load the last."""
    try:
        return (folder / LOCK_NAME).exists() or (folder / "staging" / "manifest").is_dir()
    except OSError:  # a folder that cannot be looked into is reported by the walk itself
        return False


def sql_path_problem(path: Path, *, database: bool = False) -> str | None:
    """Why DuckDB (or, for a `database` file, dbt-duckdb) would not take `path` literally, or
    None; the reason follows the path's name in a message (`<path> contains a backslash ...`).

    Glob characters, quotes and braces are escaped where the path becomes SQL (dbt's staging
    source), and any other character is fine, but two things have no escape:
    - DuckDB reads a backslash as a path separator on every platform, in file patterns and when
      it opens a database: `/srv/a\\b/budget.duckdb` would build into `/srv/a/b/`;
    - dbt-duckdb parses its database path as a URL to name the catalog, so `?` and `#` (and `;`
      in the file name) cut the name short: `/srv/q?/budget.duckdb` makes dbt look for a
      catalog `q`, and the build fails.
    Such a path is refused, naming it and the reason, rather than misread."""
    text = str(path)
    if "\\" in text:
        return ("contains a backslash, which DuckDB reads as a path separator (it would read and "
                "write another folder): choose a warehouse folder without one")
    parsed = urlparse(text)
    if database and (parsed.path != text or parsed.scheme or parsed.netloc):
        return ("would be cut short: dbt-duckdb reads a database path as a URL, where `?` and `#` "
                "(and `;` in a file name) end the path; choose a warehouse folder and file name "
                "without them")
    return None


def build_file_pattern(warehouse: Path) -> Path:
    """Where dbt builds a load of `warehouse` (warehouse/paths.py names it
    `<warehouse dir>/build/<stem>.<load id>.duckdb`; load ids are plain): what to check first."""
    return warehouse.parent / "build" / f"{warehouse.stem}.load.duckdb"


def warehouse_refusal(raw: Path, warehouse: Path) -> str | None:
    """Why `budgetwh run` must not load `raw` into `warehouse`, or None when it may.

    A warehouse inside the raw folder would have each load read the previous load's output as
    reports (the corpus grows with every run); a raw folder inside the warehouse's own staging,
    build or marts folder is the same loop from the other side."""
    raw_real = raw.resolve()
    root = warehouse.absolute().parent.resolve()
    if root.is_relative_to(raw_real):
        return (f"the warehouse {warehouse} lies inside the raw folder {raw}: every load would read "
                "the previous load's output (staging, build files, marts) as reports; "
                "put the warehouse outside the raw folder")
    for name in WAREHOUSE_FOLDERS:
        if raw_real.is_relative_to(root / name):
            return (f"the raw folder {raw} lies inside the warehouse's {name} folder ({root / name}, "
                    f"of {warehouse}): every load would read its own output as reports; "
                    "choose another raw folder")
    if (problem := sql_path_problem(build_file_pattern(warehouse.absolute()).resolve(), database=True)):
        return f"the warehouse path {warehouse} {problem}"
    return None
