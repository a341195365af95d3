"""Stage 3: the DuckDB file researchers open. Knows tables and rows, nothing of PDFs.

Every write goes to a copy beside the published file and is published with an
atomic rename, so that a reader (or a killed refresh) never sees a half-written
database.
"""
from .db import Store, StoreError
from .schema import TABLES

__all__ = ["Store", "StoreError", "TABLES"]
