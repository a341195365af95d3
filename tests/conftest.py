"""Shared fixtures: the database built once from the embedded corpus (session scope)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = Path(__file__).resolve().parent / "gold"


def gold_files() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))}


def renderings(gold_name: str) -> list[str]:
    """The document ids of every rendering of a gold file's report in the embedded corpus: its text,
    its PDFs and its web page."""
    g = json.loads((GOLD / gold_name).read_text(encoding="utf-8"))
    out = [f"text/{Path(g['source_file']).name}"]
    out += [f"pdf/{Path(p).name}" for p in g.get("pdf_renderings", [])]
    out += [f"html/{Path(p).name}" for p in g.get("html_renderings", [])]
    return out


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory):
    """The embedded corpus refreshed into a fresh database; returns (db path, refresh run)."""
    from hmip_inspections.pipeline import refresh
    db = tmp_path_factory.mktemp("db") / "corpus.duckdb"
    run = refresh([str(CORPUS)], str(db), workers=2)
    return db, run


@pytest.fixture
def small_corpus(tmp_path):
    """A writable copy of the text part of the corpus (fast to refresh)."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS / "text", dst)
    return dst


def query(db, sql, params=None):
    """Run one read-only query on a database file and return its rows."""
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
