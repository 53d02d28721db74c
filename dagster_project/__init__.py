"""Budget-disclosure warehouse: Chinese 部门预算公开 reports into one reconciled DuckDB file."""

__version__ = "0.1.0"
