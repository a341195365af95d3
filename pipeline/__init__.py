"""The refresh: the stages run over a corpus, as a library.

``refresh(paths, db)`` brings a DuckDB file up to date with the reports under ``paths`` and returns a
``RefreshResult``; ``rerun_audit(db)`` re-runs the audit on a published database. Both publish
atomically: a reader never sees a half-written database.
"""
from .orchestrate import (DocumentSummary, Progress, RefreshError, RefreshResult, discover, refresh,
                      rerun_audit)

__all__ = ["refresh", "rerun_audit", "discover", "RefreshResult", "DocumentSummary", "Progress",
           "RefreshError"]
