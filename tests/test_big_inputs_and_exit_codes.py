"""Big inputs never sink a run; exit codes say what happened; the audit counts reports, not
renderings, and renderings that read differently are listed."""
from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import CORPUS

PDU_TXT = CORPUS / "text" / "liverpool-north-pdu-2023.md"
CRC_TXT = CORPUS / "text" / "merseyside-crc-2020.txt"
QI_TXT = CORPUS / "text" / "west-mercia-quality-impact-2017.txt"


def _cli(*args: str) -> int:
    from hmip_inspections.cli.main import main
    return main(list(args))


def _big_text(path: Path, mb: int) -> Path:
    """A text file of about `mb` MB of sentences (no report in it)."""
    rnd = random.Random(mb)
    words = "the of probation case staff risk planning assessment review service delivery cases people".split()
    block = "".join(" ".join(rnd.choice(words) for _ in range(14)) + ".\n" for _ in range(20_000))
    with open(path, "w", encoding="utf-8") as f:
        while f.tell() < mb * 2**20:
            f.write(block)
    return path


def _statuses(db: Path) -> dict[str, tuple[str, str | None]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {d: (s, e) for d, s, e in con.execute("SELECT document_id, status, error FROM documents").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("mb", [40, 150])
def test_a_big_text_file_beside_a_report_is_recorded_and_the_report_stored(tmp_path, mb):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PDU_TXT, folder)
    _big_text(folder / "huge.txt", mb)
    db = tmp_path / "x.duckdb"
    assert _cli("refresh", str(folder), "--db", str(db), "-q") == 0
    st = _statuses(db)
    assert st[PDU_TXT.name][0] == "ok"
    # the big file has its row, with its status and the reason
    assert st["huge.txt"][0] == "not_a_report" and "not an inspection report" in st["huge.txt"][1]


def test_a_document_too_large_to_store_is_failed_with_the_reason_and_the_others_are_stored(tmp_path, monkeypatch):
    # a writer allowed no more than its ordinary budget cannot store 40 MB of text: that document is
    # recorded failed, saying so, the report beside it is stored, and the run exits 3
    from hmip_inspections.store import db as store_db
    monkeypatch.setattr(store_db, "WRITER_MEMORY_CAP_MB", 128)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PDU_TXT, folder)
    _big_text(folder / "huge.txt", 40)
    db = tmp_path / "x.duckdb"
    assert _cli("refresh", str(folder), "--db", str(db), "-q") == 3
    st = _statuses(db)
    assert st[PDU_TXT.name][0] == "ok"
    assert st["huge.txt"][0] == "failed" and "could not be stored" in st["huge.txt"][1]


def test_a_pdf_of_several_hundred_pages_is_read_and_its_gaps_said(tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    src = pdfium.PdfDocument(str(CORPUS / "pdf" / "merseyside-crc-2020.pdf"))
    big = pdfium.PdfDocument.new()
    for _ in range(10):
        big.import_pages(src)
    folder = tmp_path / "in"
    folder.mkdir()
    big.save(str(folder / "ten-times.pdf"))
    assert len(big) >= 600
    db = tmp_path / "x.duckdb"
    assert _cli("refresh", str(folder), "--db", str(db), "-q") == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        status, completeness = con.execute("SELECT status, completeness FROM documents").fetchone()
        pages = con.execute("SELECT count(*) FROM pages").fetchone()[0]
    finally:
        con.close()
    # the same report ten times over is not one report read completely: the checks say so
    assert (status, completeness, pages) == ("ok", "partial", len(big))


# ---------------------------------------------------------------------------------- exit codes

def test_refresh_exit_codes(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(QI_TXT, good)
    assert _cli("refresh", str(good), "--db", str(tmp_path / "a.duckdb"), "-q") == 0
    # one good and one broken document: published, exit 3
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(QI_TXT, mixed)
    (mixed / "broken.pdf").write_bytes(b"%PDF-1.7 this is not really a PDF")
    db = tmp_path / "b.duckdb"
    assert _cli("refresh", str(mixed), "--db", str(db), "-q") == 3
    assert _statuses(db)["broken.pdf"][0] == "failed" and db.exists()
    # nothing published (the database is a folder): 1; a wrong option: 2
    assert _cli("refresh", str(good), "--db", str(tmp_path), "-q") == 1
    assert _cli("refresh", str(good), "--workers", "0") == 2
    assert _cli("refresh", "--no-such-option") == 2


def test_audit_exit_codes(tmp_path):
    clean, dirty = tmp_path / "clean", tmp_path / "dirty"
    for folder, src in ((clean, QI_TXT), (dirty, CRC_TXT)):
        folder.mkdir()
        shutil.copy(src, folder)
        assert _cli("refresh", str(folder), "--db", str(folder / "x.duckdb"), "-q") == 0
    assert _cli("audit", "--db", str(clean / "x.duckdb")) == 0
    assert _cli("audit", "--db", str(dirty / "x.duckdb")) == 1
    # could not run: no database, a folder, a file that is not a database
    (tmp_path / "junk.duckdb").write_bytes(b"not a database" * 100)
    for db in (tmp_path / "none.duckdb", tmp_path, tmp_path / "junk.duckdb"):
        assert _cli("audit", "--db", str(db)) == 4, db
    assert _cli("audit", "--no-such-option") == 2


def test_the_exit_codes_are_documented():
    from hmip_inspections.cli.main import EXIT, __doc__ as usage
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for code in set(EXIT.values()):
        assert f"  {code}  " in usage
        assert f"| {code} |" in readme, f"README does not describe exit code {code}"


# ---------------------------------------------------------------------- reports, not renderings

def test_the_audit_counts_reports_not_renderings_and_lists_renderings_that_differ(tmp_path, capsys):
    from hmip_inspections.cli.audit import print_findings
    folder = tmp_path / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    shutil.copy(CRC_TXT, folder / "a")
    # a second rendering of the same report, which reads one standard's rating differently
    text = CRC_TXT.read_text(encoding="utf-8")
    lines = text.split("\n")
    k = next(i for i, ln in enumerate(lines) if ln.strip() == "Through the Gate Outstanding")
    lines[k] = lines[k].replace("Outstanding", "Good")
    (folder / "b" / CRC_TXT.name).write_text("\n".join(lines), encoding="utf-8")
    db = tmp_path / "x.duckdb"
    assert _cli("refresh", str(folder), "--db", str(db), "-q") == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    capsys.readouterr()
    n = print_findings(str(db))
    out = capsys.readouterr().out
    # one report: its contradictions counted once, not once per rendering
    assert "in 1 of 1 report (2 renderings)" in out
    con = duckdb.connect(str(db), read_only=True)
    try:
        shown = con.execute("SELECT document_id FROM reports").fetchone()[0]
        per_doc = con.execute("SELECT count(*) FROM audit_findings WHERE severity = 'contradiction' "
                              "AND document_id = ?", [shown]).fetchone()[0]
        differ = con.execute("SELECT item, \"values\" FROM rendering_disagreements").fetchall()
    finally:
        con.close()
    assert n == per_doc
    assert ("rating of 4.2", "a/merseyside-crc-2020.txt: Outstanding; b/merseyside-crc-2020.txt: Good") in differ
    assert "Renderings that read differently" in out and "rating of 4.2" in out
    # printing the findings only read the database
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_a_document_whose_rows_repeat_a_key_is_failed_with_the_reason_and_the_others_are_stored(tmp_path, monkeypatch):
    # DuckDB rejects a batch with a duplicate primary key: the documents are written one by one, and
    # the one whose rows break the key is recorded failed, saying so
    from hmip_inspections.store import db as store_db
    real = store_db.Writer._replace_documents

    def strict(self, batch, version, text):
        for rows in batch:
            d = rows["documents"][0]
            if d["document_id"] == "twice.txt" and d["status"] != "failed":
                raise duckdb.ConstraintException('Duplicate key "document_id: twice.txt, standard_code: 2.1"')
        return real(self, batch, version, text)
    monkeypatch.setattr(store_db.Writer, "_replace_documents", strict)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PDU_TXT, folder)
    shutil.copy(QI_TXT, folder / "twice.txt")
    db = tmp_path / "x.duckdb"
    assert _cli("refresh", str(folder), "--db", str(db), "-q") == 3
    st = _statuses(db)
    assert st[PDU_TXT.name][0] == "ok"
    assert st["twice.txt"][0] == "failed" and "repeat a key of the schema" in st["twice.txt"][1]
