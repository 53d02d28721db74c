"""One dynamic partition per report file, keyed by its path relative to the raw folder.

Paths are stable across content changes (a revised file keeps its partition; the content hash
in the staging manifest decides whether it needs work). The few paths Dagster cannot use as a
key are keyed by a digest of the path: those containing "..." or the control characters Dagster
refuses, any other control character (a key is shown in the UI and in run tags, where an ESC
sequence or a line break would do harm), and any string that is not valid UTF-8 (Dagster's
storage encodes keys as UTF-8 and fails on anything else; `ingest.display_path` already gives
every file a valid name, this is the last line of defence for other callers).
"""

import hashlib
import unicodedata

import dagster as dg

documents_partitions = dg.DynamicPartitionsDefinition(name="documents")

# Dagster refuses a partition key holding "..." or one of a few control characters (no public
# API lists them); keys here hold neither "..." nor any control character at all, a stricter
# rule of our own. tests/e2e/test_dagster.py checks it against what Dagster actually refuses.
ELLIPSIS = "..."


def _usable(source_path: str) -> bool:
    """Whether Dagster can store and show the path as it is."""
    if ELLIPSIS in source_path:
        return False
    if any(unicodedata.category(char) == "Cc" for char in source_path):  # C0 (\0, \t, \n, ...), DEL and C1
        return False
    try:
        source_path.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: a file name's undecodable bytes
        return False
    return True


def partition_key(source_path: str) -> str:
    """The partition key of a report's path: the path itself when Dagster can use it, else a
    digest of its bytes (stable, so a file keeps its partition)."""
    if not _usable(source_path):
        raw = source_path.encode("utf-8", "surrogateescape")  # the name's own bytes, whatever they are
        return "path-sha1-" + hashlib.sha1(raw).hexdigest()
    return source_path


def range_tags(keys: list[str]) -> dict[str, str]:
    """Run tags that make one run cover the partitions from the first to the last key (the
    asset uses a single-run backfill policy, so thousands of documents cost one run)."""
    return {
        "dagster/asset_partition_range_start": keys[0],
        "dagster/asset_partition_range_end": keys[-1],
    }
