"""The schema says what is unique, and DuckDB enforces it: a duplicate row is rejected."""
from __future__ import annotations

import duckdb
import pytest

from hmip_inspections.store.schema import PER_DOCUMENT, TABLES


def test_every_per_document_table_has_a_key_or_says_why_not():
    for t in PER_DOCUMENT:
        spec = TABLES[t]
        assert spec.get("key") or spec.get("unique") or t in (
            "prose_figures", "extraction_notes", "extraction_checks"), t


@pytest.mark.parametrize("table,row", [
    ("documents", {"document_id": "a.txt", "status": "ok"}),
    ("standard_ratings", {"document_id": "a.txt", "standard_code": "2.1", "rating": "Good"}),
    ("case_samples", {"document_id": "a.txt", "sample": "case_supervision", "cases": 40}),
])
def test_duckdb_rejects_a_duplicate_row(corpus_db, tmp_path, table, row):
    import shutil
    db = tmp_path / "copy.duckdb"
    shutil.copy(corpus_db[0], db)
    con = duckdb.connect(str(db))
    try:
        cols = ", ".join(f'"{c}"' for c in row)
        sql = f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(row))})'
        con.execute(sql, list(row.values()))
        with pytest.raises(duckdb.ConstraintException):
            con.execute(sql, list(row.values()))
    finally:
        con.close()


def test_a_document_id_is_never_null(corpus_db, tmp_path):
    import shutil
    db = tmp_path / "copy.duckdb"
    shutil.copy(corpus_db[0], db)
    con = duckdb.connect(str(db))
    try:
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO recommendations (document_id, number, text) VALUES (NULL, 1, 'x')")
    finally:
        con.close()


@pytest.mark.parametrize("table", sorted(t for t, spec in TABLES.items() if spec.get("unique")))
def test_every_declared_unique_key_holds_on_the_corpus(corpus_db, table):
    # not enforced by an index (its memory would grow with the corpus): checked here, a NULL page
    # counted as a value like any other
    cols = ", ".join(f'"{c}"' for c in TABLES[table]["unique"])
    con = duckdb.connect(str(corpus_db[0]), read_only=True)
    try:
        dup = con.execute(f'SELECT {cols}, count(*) AS n FROM "{table}" GROUP BY ALL HAVING n > 1').fetchall()
        rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()
    assert dup == [] and rows > 0
