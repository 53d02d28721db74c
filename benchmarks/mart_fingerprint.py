"""A fingerprint of every published table: the SHA-256 of its sorted rows, per table.

Why: a refactor that must not change behaviour (issue 18's cleanup) is checked by loading the
same raw folder before and after and comparing these digests table by table. Columns that
name the load itself (`load_id`, and any `*_load_id` / `loaded_at`) differ on every run by
design and are left out, as is `meta.load` (the load's own record: its id, clock times and
durations); everything else, amounts, codes, names, findings, counts, is in.

    python -m benchmarks.mart_fingerprint [--raw-dir data/raw] [--out fingerprint.json]
    python -m benchmarks.mart_fingerprint --compare before.json after.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
VOLATILE = ("load_id", "loaded_at")
VOLATILE_TABLES = ("meta.load",)


def _is_volatile(column: str) -> bool:
    return column in VOLATILE or column.endswith("_load_id")


def fingerprint(published: Path) -> dict[str, dict[str, object]]:
    """{schema.table: {"rows": n, "sha256": digest of the sorted, text-rendered rows}}."""
    out: dict[str, dict[str, object]] = {}
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2").fetchall()
        for schema, table in tables:
            if f"{schema}.{table}" in VOLATILE_TABLES:
                continue
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table]).fetchall() if not _is_volatile(c)]
            select = ", ".join(f'cast("{c}" as varchar)' for c in columns)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            lines = sorted("\x1f".join("\x00" if v is None else v for v in row) for row in rows)
            digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
            out[f"{schema}.{table}"] = {"rows": len(rows), "columns": len(columns), "sha256": digest}
    return out


def load_and_fingerprint(raw: Path) -> dict[str, dict[str, object]]:
    """Load `raw` into a fresh warehouse with `budgetwh run` and fingerprint what it published."""
    from dagster_project.cli import main

    with tempfile.TemporaryDirectory(prefix="budgetwh-fingerprint-") as tmp:
        warehouse = Path(tmp) / "budget.duckdb"
        code = main(["run", "--raw-dir", str(raw), "--warehouse", str(warehouse)])
        if code not in (0, None):
            raise SystemExit(f"budgetwh run exited {code}")
        return fingerprint(warehouse)


def compare(before: dict, after: dict) -> list[str]:
    """The tables whose fingerprint differs (or that exist on one side only)."""
    return [f"{name}: {before.get(name)} != {after.get(name)}"
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", type=Path, default=REPO / "data" / "raw")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        differences = compare(before, after)
        print("\n".join(differences) or f"all {len(before)} tables identical")
        return 1 if differences else 0
    result = load_and_fingerprint(args.raw_dir)
    text = json.dumps(result, indent=1, sort_keys=True)
    if args.out:
        args.out.write_text(text)
    print(f"{len(result)} tables fingerprinted" + (f" into {args.out}" if args.out else ""))
    if not args.out:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
