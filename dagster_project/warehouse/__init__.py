"""The warehouse stage: dbt builds the marts into a private build file, and a publish step
copies them into a new DuckDB file that atomically replaces the published one."""
