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


def test_a_standard_printed_twice_in_the_ratings_table_is_one_row_and_a_note(tmp_path):
    from conftest import CORPUS
    from hmip_inspections.extract import analyse_document
    from hmip_inspections.extract.readers import document_from_text
    from hmip_inspections.normalise import normalise
    src = CORPUS / "text" / "liverpool-north-pdu-2023.md"
    text = src.read_text(encoding="utf-8")
    row = "2.3\tPlanning\tInadequate"
    assert row in text
    doc = document_from_text(text.replace(row, row + "\n2.3\tPlanning\tRequires improvement", 1), src, "markdown")
    out = normalise(analyse_document(doc), "x.md", "x.md")
    rated = [r for r in out["standard_ratings"] if r["standard_code"] == "2.3"]
    # one row for the standard (the primary key holds: the document is stored, not failed), the first
    assert len(rated) == 1 and rated[0]["rating"] == "Inadequate"
    assert any("standard 2.3 again" in n["note"] for n in out["extraction_notes"])
