"""Dagster definitions by domain: documents (raw files → staging Parquet), the dbt project,
and publishing; `dagster_project/definitions.py` merges them into one Definitions."""
