"""Running the pipeline past one machine (docs/scaling.md). Nothing here is imported by the
default pipeline or by the tests; the modules need optional packages (dagster-celery)."""
