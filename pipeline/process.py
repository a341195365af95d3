"""Run extract then normalise on one file, turning every failure into a 'failed' document row.

This is the code that runs in worker processes: it must never raise.
"""
from __future__ import annotations

import time
import traceback
from pathlib import Path

from ..extract import DocumentError, analyse_document, load, sha256_file
from ..extract.readers import HTML_SUFFIXES, PDF_SUFFIXES, TEXT_SUFFIXES
from ..normalise import failed_document, normalise


def file_format(path: Path) -> str:
    """Given a path, return the format its suffix says: pdf, html, markdown, text or other."""
    s = path.suffix.lower()
    if s in PDF_SUFFIXES:
        return "pdf"
    if s in HTML_SUFFIXES:
        return "html"
    if s in TEXT_SUFFIXES:
        return "markdown" if s in (".md", ".markdown") else "text"
    return "other"


def process_file(path: str, document_id: str) -> dict:
    """Given a file and its id, return {'rows': rows per table, 'seconds': float, 'error': str|None,
    'stages': seconds spent reading, extracting and normalising}."""
    p = Path(path)
    t0 = time.perf_counter()
    stages: dict[str, float] = {}
    try:
        doc = load(p)
        t1 = time.perf_counter()
        stages["read"] = t1 - t0
        ex = analyse_document(doc)
        t2 = time.perf_counter()
        stages["extract"] = t2 - t1
        rows = normalise(ex, document_id, str(p))
        stages["normalise"] = time.perf_counter() - t2
        err = rows["documents"][0].get("error") if rows["documents"][0]["status"] == "failed" else None
    except MemoryError:
        raise           # the worker reports the memory limit
    except DocumentError as e:
        err = f"{p.name}: {e}"
        rows = failed_document(document_id, str(p), _safe_sha(p), file_format(p), str(e), _size(p))
    except Exception as e:  # an extractor bug must not stop the run: record it
        tb = traceback.extract_tb(e.__traceback__)[-1]
        err = f"internal error {type(e).__name__}: {e} (at {Path(tb.filename).name}:{tb.lineno})"
        rows = failed_document(document_id, str(p), _safe_sha(p), file_format(p), err, _size(p))
    return {"rows": rows, "seconds": time.perf_counter() - t0, "error": err, "stages": stages}


def failed_result(path: str | Path, document_id: str, why: str, seconds: float = 0.0) -> dict:
    """The result of a document that could not be processed: a failed row that says why."""
    p = Path(path)
    return {"rows": failed_document(document_id, str(p), _safe_sha(p), file_format(p), why, _size(p)),
            "seconds": seconds, "error": f"{p.name}: {why}"}


def _safe_sha(p: Path) -> str | None:
    try:
        return sha256_file(p)
    except OSError:
        return None


def _size(p: Path) -> int | None:
    try:
        return p.stat().st_size
    except OSError:
        return None
