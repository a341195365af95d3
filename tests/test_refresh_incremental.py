"""Corpus to DuckDB with provenance, classification and an incremental refresh."""
from __future__ import annotations

from pathlib import Path

import pypdfium2
import duckdb
import pytest

from conftest import CORPUS, gold_files, query




def test_one_documents_row_per_corpus_file(corpus_db):
    db, run = corpus_db
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file())
    ids = [r[0] for r in query(db, "SELECT document_id FROM documents ORDER BY 1")]
    assert ids == files
    assert run.n_new == len(files) and run.n_failed == 0


def test_kind_provider_and_date_match_gold(corpus_db):
    db, _ = corpus_db
    rows = {r[0]: r[1:] for r in query(db, "SELECT document_id, kind, status, provider_name, provider_type, "
                                          "published_year, published_month FROM documents")}
    checked = 0
    for name, gold in gold_files().items():
        renderings = [gold["source_file"], *gold.get("pdf_renderings", [])]
        for did, (kind, status, prov, ptype, year, month) in rows.items():
            if Path(did).name not in renderings and not Path(did).name.startswith(Path(gold["source_file"]).stem + "-"):
                continue
            checked += 1
            assert kind == gold["document_kind"], did
            assert status == ("ok" if gold["is_inspection_report"] else "not_a_report"), did
            assert prov == gold["provider_name"], did
            assert ptype == gold["provider_type"], did
            assert year == gold["publication"]["year"], did
            assert month == gold["publication"]["month"], did
    assert checked == 8


def test_pdf_page_counts_match_an_independent_reader(corpus_db):
    db, _ = corpus_db
    for did, pages in query(db, "SELECT document_id, pages FROM documents WHERE format = 'pdf'"):
        pdf = pypdfium2.PdfDocument(str(CORPUS / did))
        assert pages == len(pdf), did
        pdf.close()


def test_blog_is_recorded_as_not_a_report_with_a_reason(corpus_db):
    db, _ = corpus_db
    status, err, n = query(db, "SELECT status, error, (SELECT count(*) FROM standard_ratings s WHERE s.document_id = d.document_id) "
                            "FROM documents d WHERE document_id LIKE '%blog%'")[0]
    assert status == "not_a_report" and "not an inspection report" in err and n == 0


def test_pages_table_and_provenance(corpus_db):
    db, _ = corpus_db
    # every PDF page is a row, with text
    for did, pages in query(db, "SELECT document_id, pages FROM documents WHERE format = 'pdf'"):
        n = query(db, "SELECT count(*), count(DISTINCT page) FROM pages WHERE document_id = ?", [did])[0]
        assert n == (pages, pages)
    # text renderings: the footer 'Inspection of probation services: Merseyside   60' ends page 60
    text = query(db, "SELECT text FROM pages WHERE document_id = 'text/merseyside-crc-2020.txt' AND page = 60")[0][0]
    assert text.rstrip().endswith("Merseyside   60")


def test_page_text_is_stored_compressed(corpus_db, tmp_path):
    """Page text is most of the database; left to DuckDB's choice it was mostly stored uncompressed once
    a corpus reached a few thousand documents (and pages shorter than 4 KB are never given zstd). The
    schema asks for zstd, and the file must use it, for the corpus and for short, varied pages."""
    from hmip_inspections.store import Store
    sql = ("SELECT DISTINCT compression FROM pragma_storage_info('pages') "
           "WHERE column_name = 'text' AND segment_type = 'VARCHAR'")
    assert {r[0] for r in query(corpus_db[0], sql)} == {"ZSTD"}
    pages = [{"document_id": "d", "page": i, "first_line": 40 * i + 1, "last_line": 40 * i + 40,
              "text": " ".join(f"line {i}.{k}: {i * k % 97} per cent of {k + i} cases" for k in range(40))}
             for i in range(1, 300)]
    db = tmp_path / "short.duckdb"
    with Store(db).writer() as w:
        w.replace_documents([{"documents": [{"document_id": "d", "status": "ok"}], "pages": pages}], "test")
    assert {r[0] for r in query(db, sql)} == {"ZSTD"}
    assert query(db, "SELECT count(*), sum(length(text)) FROM pages") == [(299, sum(len(p["text"]) for p in pages))]


def test_page_text_is_written_once_when_the_writer_closes_in_row_groups_of_bounded_size(tmp_path):
    """Each batch's page text is spooled and inserted when the writer closes, in row groups of at most
    the writer's size. Appended batch by batch, the table was left in small row groups that each
    checkpoint merged into larger ones (up to 122,880 rows), holding what it merged in memory: the more,
    the larger the corpus."""
    from hmip_inspections.store import Store
    from hmip_inspections.store.db import ROW_GROUP_SIZE
    db = tmp_path / "rg.duckdb"
    n_docs, per_doc = 50, 400
    with Store(db).writer(spool_pages=True) as w:
        for b in range(0, n_docs, 10):
            w.replace_documents([{"documents": [{"document_id": f"d{d}", "status": "ok"}],
                                  "pages": [{"document_id": f"d{d}", "page": p, "first_line": p, "last_line": p,
                                             "text": f"page {p} of d{d}: {d * p % 97} per cent"}
                                            for p in range(1, per_doc + 1)]}
                                 for d in range(b, b + 10)], "test")
            assert w.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
    sizes = [r[0] for r in query(db, "SELECT max(count) FROM pragma_storage_info('pages') "
                                     "WHERE column_name = 'text' GROUP BY row_group_id ORDER BY row_group_id")]
    assert sum(sizes) == n_docs * per_doc and max(sizes) <= ROW_GROUP_SIZE
    # no two neighbours fit in one row group: nothing is left for a later checkpoint to merge
    assert all(a + b > ROW_GROUP_SIZE for a, b in zip(sizes, sizes[1:]))
    # in the order written, each document's pages together
    got = query(db, "SELECT document_id, page FROM pages ORDER BY rowid")
    assert got == [(f"d{d}", p) for d in range(n_docs) for p in range(1, per_doc + 1)]


def test_a_page_flush_whose_memory_budget_is_too_small_is_rolled_back_and_retried_with_a_larger_one(
        tmp_path, monkeypatch):
    """The spooled page text is inserted under the smallest budget that works: one too small fails
    (DuckDB's OutOfMemoryException), leaves nothing behind, and the next budget is tried."""
    import duckdb

    import hmip_inspections.store.db as store_db
    from hmip_inspections.store import Store
    db = tmp_path / "budget.duckdb"
    n_docs, per_doc = 20, 300
    expected = [(f"d{d}", p) for d in range(n_docs) for p in range(1, per_doc + 1)]
    monkeypatch.setattr(store_db, "FLUSH_MEMORY_LIMITS", ("256kB", "1MB", store_db.WRITER_MEMORY_LIMIT))
    with Store(db).writer(spool_pages=True) as w:
        w.replace_documents([{"documents": [{"document_id": f"d{d}", "status": "ok"}],
                              "pages": [{"document_id": f"d{d}", "page": p, "first_line": p, "last_line": p,
                                         "text": f"page {p} of d{d}: " + " ".join(str(d * p * k % 9973) for k in range(200))}
                                        for p in range(1, per_doc + 1)]}
                             for d in range(n_docs)], "test")
        spooled = [str(f) for f in w._spooled]
        before = w.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        # the first two budgets are too small for this text: DuckDB fails, when set to one (it holds
        # more already) or when inserting under it
        for budget in store_db.FLUSH_MEMORY_LIMITS[:2]:
            with pytest.raises(duckdb.OutOfMemoryException):
                w.execute(f"SET memory_limit = '{budget}'")
                w.execute("INSERT INTO pages SELECT * FROM read_parquet(?)", [spooled])
        w.execute(f"SET memory_limit = '{before}'")
        assert w.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
        w.flush_pages()
        assert w.execute("SELECT current_setting('memory_limit')").fetchone()[0] == before
        assert w.execute("SELECT document_id, page FROM pages ORDER BY rowid").fetchall() == expected
    assert query(db, "SELECT document_id, page FROM pages ORDER BY rowid") == expected


def test_a_document_written_twice_by_one_writer_keeps_only_its_last_pages(tmp_path):
    from hmip_inspections.store import Store
    db = tmp_path / "twice.duckdb"

    def doc(version: str, n: int) -> dict:
        return {"documents": [{"document_id": "d", "status": "ok"}],
                "pages": [{"document_id": "d", "page": p, "first_line": p, "last_line": p, "text": f"{version} {p}"}
                          for p in range(1, n + 1)]}
    with Store(db).writer(spool_pages=True) as w:
        w.replace_documents([doc("first", 3)], "test")
        w.replace_documents([doc("second", 2)], "test")
    assert query(db, "SELECT page, text FROM pages ORDER BY page") == [(1, "second 1"), (2, "second 2")]
    assert not list(tmp_path.glob(".twice.duckdb.tmp-*"))        # no copy or spool is left behind


def test_the_working_copy_and_page_spool_of_a_dead_refresh_are_removed(tmp_path):
    import subprocess
    import sys

    from hmip_inspections.store import Store
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    copy = tmp_path / f".x.duckdb.tmp-{dead}"
    spool = tmp_path / f".x.duckdb.tmp-{dead}.pages"
    copy.write_bytes(b"half-written")
    spool.mkdir()
    (spool / "000000.parquet").write_bytes(b"pages")
    with Store(tmp_path / "x.duckdb").writer():
        pass
    assert not copy.exists() and not spool.exists()


def test_a_database_written_before_page_text_was_compressed_is_rebuilt_with_its_rows(tmp_path):
    import duckdb

    from hmip_inspections.store import Store
    from hmip_inspections.store.schema import TABLES, ddl
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    for t in TABLES:
        con.execute(ddl(t).replace(" USING COMPRESSION zstd", ""))
    rows = [("a", 1, 1, 30, "first page"), ("a", 2, 31, 60, "second page"), ("b", None, 1, 9, "text")]
    con.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?)", rows)
    con.close()
    assert "COMPRESSION" not in query(db, "SELECT sql FROM duckdb_tables() WHERE table_name = 'pages'")[0][0]
    with Store(db).writer():
        pass
    assert "USING COMPRESSION ZSTD" in query(db, "SELECT sql FROM duckdb_tables() WHERE table_name = 'pages'")[0][0]
    assert query(db, "SELECT * FROM pages ORDER BY rowid") == rows
    assert query(db, "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\\_old%' ESCAPE '\\'") == [(0,)]


def test_refresh_runs_logged_with_version(corpus_db):
    db, _ = corpus_db
    rows = query(db, "SELECT package_version, n_seen, n_new, started_at <= finished_at FROM refresh_runs")
    assert rows and rows[-1][1] == len(list(CORPUS.rglob("*.*"))) and rows[-1][3] is True and rows[-1][0]


def test_second_refresh_redoes_nothing(small_corpus, tmp_path):
    from hmip_inspections.pipeline import refresh
    db = tmp_path / "x.duckdb"
    first = refresh([str(small_corpus)], str(db), workers=1)
    before = query(db, "SELECT document_id, extracted_at FROM documents ORDER BY 1")
    second = refresh([str(small_corpus)], str(db), workers=1)
    assert first.n_new == 4
    assert (second.n_new, second.n_changed, second.n_unchanged) == (0, 0, 4)
    assert query(db, "SELECT document_id, extracted_at FROM documents ORDER BY 1") == before
    assert query(db, "SELECT count(*) FROM refresh_runs")[0][0] == 2


def test_changed_file_is_reextracted_and_its_rows_replaced(small_corpus, tmp_path):
    from hmip_inspections.pipeline import refresh
    db = tmp_path / "x.duckdb"
    refresh([str(small_corpus)], str(db), workers=1)
    f = small_corpus / "merseyside-crc-2020.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("Score    13/30", "Score    14/30"), encoding="utf-8")
    run = refresh([str(small_corpus)], str(db), workers=1)
    assert (run.n_changed, run.n_unchanged) == (1, 3)
    assert query(db, "SELECT score FROM documents WHERE document_id = 'merseyside-crc-2020.txt'")[0][0] == 14
    # no duplicated rows after replacement
    assert query(db, "SELECT count(*) FROM standard_ratings WHERE document_id = 'merseyside-crc-2020.txt'")[0][0] == 10


def test_disappeared_file_is_kept_and_marked_missing(small_corpus, tmp_path):
    from hmip_inspections.pipeline import refresh
    db = tmp_path / "x.duckdb"
    refresh([str(small_corpus)], str(db), workers=1)
    (small_corpus / "liverpool-north-pdu-2023.md").unlink()
    run = refresh([str(small_corpus)], str(db), workers=1)
    assert run.n_missing == 1
    status, n = query(db, "SELECT status, (SELECT count(*) FROM key_questions k WHERE k.document_id = d.document_id) "
                       "FROM documents d WHERE document_id = 'liverpool-north-pdu-2023.md'")[0]
    assert status == "missing" and n == 13


def test_cli_refresh_prints_summary_and_errors_are_one_line(small_corpus, tmp_path, capsys):
    from hmip_inspections.cli.main import main
    db = tmp_path / "c.duckdb"
    assert main(["refresh", str(small_corpus), "--db", str(db), "--workers", "1"]) == 0
    out = capsys.readouterr()
    assert "new 4, changed 0, unchanged 0, failed 0, missing 0" in out.out
    assert "crc_inspection_2018_2020" in out.out
    assert "[4/4]" in out.err   # progress
    assert main(["refresh", str(tmp_path / "nope"), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0] and "no such file" in err[0]


def test_a_duckdb_error_during_a_refresh_is_one_line_naming_the_database(small_corpus, tmp_path, capsys,
                                                                        monkeypatch):
    """DuckDB's messages run to several lines (an out-of-memory one goes on with "Possible solutions:"
    and a link) and do not say which database: the command line prints the first paragraph on one
    line, names the database, exits 1 and leaves no published file behind."""
    import duckdb

    from hmip_inspections import audit
    from hmip_inspections.cli.main import main
    db = tmp_path / "e.duckdb"

    def fail(*a, **k):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data of size 32.0 MiB "
                                          "(11.4 MiB/30.5 MiB used)\n\nPossible solutions:\n* Reducing the "
                                          "number of threads (SET threads=X)\n\nSee also https://duckdb.org")
    monkeypatch.setattr(audit, "run", fail)
    assert main(["refresh", str(small_corpus), "--db", str(db), "--workers", "1", "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert str(db) in err[0] and "failed to allocate data of size 32.0 MiB" in err[0]
    assert "Possible solutions" not in err[0] and not db.exists()


def test_audit_reruns_only_changed_documents_and_agrees_with_a_full_audit(small_corpus, tmp_path, monkeypatch):
    from hmip_inspections.pipeline import orchestrate as r
    db = tmp_path / "x.duckdb"
    first = r.refresh([str(small_corpus)], str(db), workers=1)
    assert query(db, "SELECT n_audited FROM refresh_runs WHERE run_id = 1")[0][0] == 4
    f = small_corpus / "merseyside-crc-2020.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("Score    13/30", "Score    16/30"), encoding="utf-8")
    r.refresh([str(small_corpus)], str(db), workers=1)
    assert query(db, "SELECT n_audited FROM refresh_runs WHERE run_id = 2")[0][0] == 1
    incremental = sorted(query(db, "SELECT * FROM audit_findings"))
    assert any(row[1] == "score_sum" for row in incremental)         # the altered score is found
    # a new audit version (changed rules or reference data) re-audits everything, with the same result
    monkeypatch.setattr(r, "audit_fingerprint", lambda: "changed-rules")
    third = r.refresh([str(small_corpus)], str(db), workers=1)
    assert query(db, "SELECT n_audited FROM refresh_runs WHERE run_id = 3")[0][0] == 4
    assert sorted(query(db, "SELECT * FROM audit_findings")) == incremental
    assert third.n_unchanged == 4 and first.findings > 0


def test_each_batch_written_is_staged_alone_and_its_audit_there_agrees_with_the_database(tmp_path):
    """A refresh audits each batch it writes from the stage (an attached in-memory copy of the tables
    holding that batch only), not by scanning the whole database: the stage holds exactly the last
    batch, the database every batch, and the audit reads the same rows, in the same order, from both."""
    import duckdb

    from hmip_inspections import audit
    from hmip_inspections.pipeline.process import process_file
    from conftest import CORPUS
    from hmip_inspections.store import Store
    from hmip_inspections.store.db import STAGE
    from hmip_inspections.store.schema import PER_DOCUMENT
    texts = sorted((CORPUS / "text").iterdir())
    results = {f.name: process_file(str(f), f.name)["rows"] for f in texts}
    second = ["liverpool-north-pdu-2023.md", "merseyside-crc-2020.txt"]      # reports with findings
    first = sorted(set(results) - set(second))
    db = tmp_path / "s.duckdb"
    with Store(db).writer(spool_pages=True) as w:
        w.replace_documents([results[d] for d in first], "test")
        w.replace_documents([results[d] for d in second], "test")
        staged = {r[0] for r in w.execute(f"SELECT document_id FROM {STAGE}.documents").fetchall()}
        stored = {r[0] for r in w.execute("SELECT document_id FROM documents").fetchall()}
        assert staged == set(second) and stored == set(results)
        # page text waits in the spool until the writer closes, or until someone asks for it
        assert w.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
        w.flush_pages()
        assert {r[0] for r in w.execute("SELECT DISTINCT document_id FROM pages").fetchall()} == set(results)
        for t in PER_DOCUMENT:
            q = f"SELECT * FROM {{}}\"{t}\" WHERE list_contains(?, document_id) ORDER BY rowid"
            assert (w.execute(q.format(STAGE + "."), [second]).fetchall()
                    == w.execute(q.format(""), [second]).fetchall()), t
        from_stage = audit.run(w.con, documents=second, source=STAGE)
        from_db = audit.run(w.con, documents=second)
        assert from_db and from_stage == from_db
        assert {f["document_id"] for f in from_db} == set(second)
        # a document of an earlier batch is not in the stage: auditing it there finds nothing to read
        assert audit.run(w.con, documents=first, source=STAGE) == []
    # the stage is not part of the published file
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert STAGE not in {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    finally:
        con.close()


def test_a_page_flush_of_much_text_does_not_start_from_a_budget_too_small_for_it(tmp_path):
    """40 MB of spooled page text: the smallest budgets would fail the commit (DuckDB can then
    invalidate the database rather than roll back); the flush starts from one that fits the text."""
    from hmip_inspections.store import Store
    db = tmp_path / "much.duckdb"
    text = "probation " * 100_000          # 1 MB a page
    with Store(db).writer(spool_pages=True) as w:
        for d in range(40):
            w.replace_documents([{"documents": [{"document_id": f"d{d}", "status": "ok"}],
                                  "pages": [{"document_id": f"d{d}", "page": None, "first_line": 1,
                                             "last_line": 1, "text": text + str(d)}]}], "test")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*), sum(length(text)) FROM pages").fetchone() == (40, 40 * len(text) + 70)
    finally:
        con.close()
