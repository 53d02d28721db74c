"""One dynamic partition per report file, keyed by its path relative to the raw folder.

Paths are stable across content changes (a revised file keeps its partition; the content hash
in the staging manifest decides whether it needs work). The few paths Dagster cannot use as a
key (those containing "..." or control characters) are keyed by a digest of the path.
"""

import hashlib

import dagster as dg
from dagster._core.definitions.partitions.utils.base import INVALID_PARTITION_SUBSTRINGS

documents_partitions = dg.DynamicPartitionsDefinition(name="documents")


def partition_key(source_path: str) -> str:
    if any(bad in source_path for bad in INVALID_PARTITION_SUBSTRINGS):
        return "path-sha1-" + hashlib.sha1(source_path.encode("utf-8")).hexdigest()
    return source_path


def range_tags(keys: list[str]) -> dict[str, str]:
    """Run tags that make one run cover the partitions from the first to the last key (the
    asset uses a single-run backfill policy, so thousands of documents cost one run)."""
    return {
        "dagster/asset_partition_range_start": keys[0],
        "dagster/asset_partition_range_end": keys[-1],
    }
