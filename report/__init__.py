"""Stage 5 (presentation): what is built from the DuckDB file alone.

``build(db, directory)`` writes the static HTML site (``report.html``); ``evaluate(gold_dir, db)``
measures the database against hand-checked gold files (``report.accuracy``).
"""
from .html import ReportError, build

__all__ = ["build", "ReportError"]
