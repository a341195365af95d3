"""Hostile input, per-document limits, one-vs-two workers, crash and reader safety."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import CORPUS, ROOT, query
from fixtures import make_hostile_corpus


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "in"
    files = make_hostile_corpus(root, CORPUS / "pdf" / "liverpool-north-pdu-2023.pdf",
                                CORPUS / "text" / "liverpool-north-pdu-2023.md")
    shutil.copy(CORPUS / "text" / "merseyside-crc-2020.txt", root / "good.txt")
    from hmip_inspections.pipeline import refresh
    db = root.parent / "h.duckdb"
    run = refresh([str(root)], str(db), workers=2, time_limit=120)
    return root, files, db, run


EXPECTED = {
    "empty": ("failed", "empty file"),
    "truncated_pdf": ("failed", "unreadable PDF"),
    "encrypted_pdf": ("failed", "encrypted PDF"),
    "html_as_pdf": ("failed", "HTML page"),
    "random_as_pdf": ("failed", "not a PDF"),
    "scan_pdf": ("failed", "no text layer"),
    "many_pages_pdf": ("not_a_report", "not recognised"),
    "foreign_text": ("not_a_report", "not recognised"),
    "huge_text": ("not_a_report", "not recognised"),
    "other_type": ("failed", "unsupported file type '.docx'"),
    "no_suffix": ("failed", "unsupported file type 'README'"),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_bad_input_is_recorded_with_a_reason(hostile, kind):
    root, files, db, _ = hostile
    did = files[kind].relative_to(root).as_posix()
    status, error, n_std = query(db, "SELECT status, error, (SELECT count(*) FROM standard_ratings s "
                                     "WHERE s.document_id = d.document_id) FROM documents d WHERE document_id = ?",
                                 [did])[0]
    want_status, want_words = EXPECTED[kind]
    assert status == want_status and want_words in error, (kind, status, error)
    assert n_std == 0


@pytest.mark.parametrize("kind", ["utf16_text", "cp1252_text"])
def test_other_encodings_are_read_normally(hostile, kind):
    root, files, db, _ = hostile
    did = files[kind].relative_to(root).as_posix()
    row = query(db, "SELECT status, provider_name, overall_rating, score FROM documents WHERE document_id = ?", [did])[0]
    assert row == ("ok", "Liverpool North PDU", "Inadequate", 4)
    assert query(db, "SELECT count(*) FROM key_questions WHERE document_id = ?", [did])[0][0] == 13


def test_good_documents_in_the_same_run_are_processed(hostile):
    root, files, db, run = hostile
    assert query(db, "SELECT status, score FROM documents WHERE document_id = 'good.txt'")[0] == ("ok", 13)
    assert run.n_seen == len(files) + 1


def test_hidden_files_and_the_database_itself_are_not_documents(hostile, tmp_path):
    root, files, db, _ = hostile
    ids = {r[0] for r in query(db, "SELECT document_id FROM documents")}
    assert not any(i.startswith(".") or "/." in i for i in ids) and "saved/report.docx" in ids
    # a database kept in the folder it refreshes is not read as one of its documents
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(CORPUS / "text" / "merseyside-crc-blog-commentary.txt", folder / "blog.txt")
    from hmip_inspections.pipeline import refresh
    for _ in range(2):
        run = refresh([str(folder)], str(folder / "reports.duckdb"), workers=1)
    assert (run.n_seen, run.n_unchanged) == (1, 1)


def test_same_report_twice_is_recorded_once_with_both_paths(hostile):
    root, files, db, run = hostile
    ids = [r[0] for r in query(db, "SELECT document_id FROM documents WHERE document_id LIKE 'copy-%'")]
    assert ids == ["copy-a.txt"]
    paths = query(db, "SELECT source_path, duplicate FROM document_sources WHERE document_id = 'copy-a.txt' "
                      "ORDER BY source_path")
    assert [(Path(p).name, d) for p, d in paths] == [("copy-a.txt", False), ("copy-b.txt", True)]
    assert run.n_duplicate == 1


def test_time_limit_stops_a_document_and_the_run_goes_on(tmp_path):
    from hmip_inspections.pipeline import refresh
    src = tmp_path / "in"
    src.mkdir()
    # a real report with its body repeated 40 times: about 10 MB that take many seconds to read through
    report = (CORPUS / "text" / "merseyside-crc-2020.txt").read_text(encoding="utf-8")
    (src / "slow.txt").write_text(report + report[len(report) // 10:] * 40, encoding="utf-8")
    shutil.copy(CORPUS / "text" / "liverpool-north-pdu-2023.md", src / "fast.md")
    db = tmp_path / "t.duckdb"
    refresh([str(src)], str(db), workers=2, time_limit=2.0)
    rows = dict(query(db, "SELECT document_id, status || ': ' || coalesce(error, '') FROM documents"))
    assert rows["slow.txt"].startswith("failed") and "time limit of 2 s" in rows["slow.txt"]
    assert rows["fast.md"].startswith("ok")


def test_memory_limit_stops_a_document_and_the_run_goes_on(tmp_path):
    from hmip_inspections.pipeline import refresh
    src = tmp_path / "in"
    src.mkdir()
    # reading a 40 MB file needs more than 16 MB on top of the loaded pipeline, whatever the heap holds
    with open(src / "big.txt", "w", encoding="utf-8") as fh:
        line = "The probation service supervised 1,234 people in the year to March 2020.\n"
        fh.write(line * (40 * 1024 * 1024 // len(line)))
    shutil.copy(CORPUS / "text" / "liverpool-north-pdu-2023.md", src / "fine.md")
    db = tmp_path / "m.duckdb"
    refresh([str(src)], str(db), workers=2, memory_mb=16)
    rows = dict(query(db, "SELECT document_id, status || ': ' || coalesce(error, '') FROM documents"))
    assert rows["big.txt"].startswith("failed") and "memory limit of 16 MB" in rows["big.txt"]
    assert rows["fine.md"].startswith("ok")


def _dump(db):
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for t in ["documents", "standard_ratings", "key_questions", "prompts", "workforce", "key_facts",
                  "recommendations", "prose_figures", "audit_findings"]:
            cols = [c[0] for c in con.execute(f"DESCRIBE {t}").fetchall()
                    if c[0] not in ("first_seen", "extracted_at", "last_seen", "source_path", "size_bytes")]
            out[t] = sorted(map(repr, con.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall()))
    finally:
        con.close()
    return out


def test_two_workers_give_the_same_database_as_one(corpus_db, tmp_path):
    from hmip_inspections.pipeline import refresh
    db1 = tmp_path / "one.duckdb"
    refresh([str(CORPUS)], str(db1), workers=1)
    db2, _ = corpus_db          # built with 2 workers
    assert _dump(db1) == _dump(db2)


def _cli(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "hmip_inspections.cli.main", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **kw)


@pytest.fixture
def text_corpus(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(CORPUS / "text", src)
    shutil.copy(CORPUS / "pdf" / "liverpool-north-pdu-2023.pdf", src / "pdu.pdf")
    return src


def _descendants(pid: int) -> list[int]:
    """The processes below pid (children, their children, ...), from /proc."""
    parent_of = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent_of[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent_of.items() if pp == p]
        out += kids
        todo += kids
    return out


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has finished)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("when", ["while extracting", "while writing", "at random"])
def test_killed_refresh_leaves_the_previous_database_intact(text_corpus, tmp_path, when):
    from hmip_inspections.pipeline import refresh
    db = tmp_path / "k.duckdb"
    refresh([str(text_corpus)], str(db), workers=1)
    before = _dump(db)
    f = text_corpus / "merseyside-crc-2020.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("Score    13/30", "Score    14/30"), encoding="utf-8")
    proc = _cli("refresh", str(text_corpus), "--db", str(db), "--workers", "1")
    deadline = time.monotonic() + 60
    if when == "while writing":
        while not list(tmp_path.glob(".k.duckdb.tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    elif when == "while extracting":
        time.sleep(0.8)
    else:
        time.sleep(0.05 + (os.getpid() % 7) / 10)
    tree = _descendants(proc.pid)
    assert tree or when != "while extracting"       # its zygote and worker are running by then
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # no zygote or worker of the killed refresh is left behind, waiting for work forever
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in tree if _alive(p)]
    # the published file opens and holds exactly the previous content
    assert _dump(db) == before
    # and the next refresh completes normally, cleaning up after the killed one
    run = refresh([str(text_corpus)], str(db), workers=1)
    assert run.n_changed == 1
    assert query(db, "SELECT score FROM documents WHERE document_id = 'merseyside-crc-2020.txt'")[0][0] == 14
    assert not list(tmp_path.glob(".k.duckdb.tmp-*"))


READER = r"""
import sys, time, duckdb
db, seconds = sys.argv[1], float(sys.argv[2])
errors, seen = 0, set()
end = time.time() + seconds
while time.time() < end:
    try:
        con = duckdb.connect(db, read_only=True)
        seen.add(con.execute("SELECT max(score) FROM documents").fetchone()[0])
        con.execute("SELECT count(*) FROM key_questions").fetchone()
        con.close()
    except Exception as e:
        errors += 1
        print("ERROR", type(e).__name__, e, file=sys.stderr)
print(errors, sorted(x for x in seen if x is not None))
"""


def test_reader_keeps_reading_during_a_refresh_and_sees_new_data(text_corpus, tmp_path):
    from hmip_inspections.pipeline import refresh
    db = tmp_path / "r.duckdb"
    refresh([str(text_corpus)], str(db), workers=1)
    f = text_corpus / "merseyside-crc-2020.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("Score    13/30", "Score    29/30"), encoding="utf-8")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), "8"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    refresh([str(text_corpus)], str(db), workers=1)
    out, err = reader.communicate(timeout=60)
    errors, seen = out.strip().split(" ", 1)
    assert errors == "0", err
    assert "13" in seen and "29" in seen       # old data while refreshing, new data after reopening


def test_workers_are_forked_from_the_zygote_and_answer(tmp_path):
    """Workers come from one small process forked right after the pipeline is loaded (so a replacement
    worker does not inherit the parent's grown heap); if it is gone, workers are forked directly."""
    import multiprocessing as mp
    from hmip_inspections.pipeline import workers as W
    from conftest import CORPUS
    ctx = mp.get_context("fork")
    z = W._Zygote(ctx)
    try:
        slot = W._Slot(ctx, None, z)
        with open(f"/proc/{slot.proc.pid}/stat") as fh:
            parent_of_worker = int(fh.read().rsplit(")", 1)[1].split()[1])
        assert parent_of_worker == z.proc.pid
        slot.give((str(CORPUS / "text" / "liverpool-north-pdu-2023.md"), "t"))
        res = slot.conn.recv()
        assert res["rows"]["documents"][0]["status"] == "ok"
        slot.stop()
        assert not slot.proc.is_alive()
    finally:
        z.close()
    assert not z.proc.is_alive()
    fallback = W._Slot(ctx, None, z)          # the zygote has gone: a worker forked from here
    try:
        assert fallback.proc.is_alive() and isinstance(fallback.proc, mp.process.BaseProcess)
    finally:
        fallback.stop()


def test_an_unused_zygote_is_stopped_at_once_and_a_refresh_with_nothing_to_do_stops_its_zygote(tmp_path, monkeypatch):
    """The zygote starts before the refresh knows whether anything changed; when nothing did, it is
    killed while still loading (not waited for), and closing it again is harmless."""
    import multiprocessing as mp
    import signal
    from hmip_inspections.pipeline import workers as W
    from hmip_inspections.pipeline import refresh
    from conftest import CORPUS
    z = W._Zygote(mp.get_context("fork"))
    z.close()
    assert z.proc.exitcode == -signal.SIGKILL        # killed, not asked to finish loading spaCy
    z.close()                                        # a second close: no error
    started = []
    real = W.start_zygote

    def spy():
        started.append(real())
        return started[-1]
    monkeypatch.setattr(W, "start_zygote", spy)
    db = tmp_path / "x.duckdb"
    first = refresh([str(CORPUS / "text" / "merseyside-crc-blog-commentary.txt")], str(db))
    again = refresh([str(CORPUS / "text" / "merseyside-crc-blog-commentary.txt")], str(db))
    assert (first.n_new, again.n_unchanged, again.n_new + again.n_changed) == (1, 1, 0)
    assert len(started) == 2 and all(s.closed and not s.proc.is_alive() for s in started)
    assert started[0].forked == 1 and started[1].forked == 0 and started[1].proc.exitcode == -signal.SIGKILL


def test_the_refresh_writes_within_a_fixed_duckdb_memory_budget(tmp_path):
    """DuckDB caches what it writes up to its memory limit (80% of the machine by default): the
    writer's connection has a fixed budget, so the refresh's main process does not grow with the
    corpus; readers of the published file get DuckDB's defaults."""
    import duckdb
    from hmip_inspections.store import Store
    from hmip_inspections.store.db import CHECKPOINT_THRESHOLD, WRITER_MEMORY_LIMIT
    db = tmp_path / "m.duckdb"
    q = "SELECT current_setting('memory_limit'), current_setting('checkpoint_threshold')"
    with Store(db).writer() as w:
        limit, threshold = w.execute(q).fetchone()
    assert limit.endswith("MiB") and float(limit.split()[0]) <= int(WRITER_MEMORY_LIMIT.removesuffix("MB"))
    # what is written is checkpointed to the file every few MB, not held until DuckDB's default 16 MB
    assert threshold.endswith("MiB") and float(threshold.split()[0]) <= int(CHECKPOINT_THRESHOLD.removesuffix("MB"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute(q).fetchone() != (limit, threshold)
    finally:
        con.close()


def _batches_written(monkeypatch) -> list[int]:
    """The size of each batch of documents written from now on, in order (a list filled as they are)."""
    from hmip_inspections.store.db import Writer
    stored: list[int] = []
    real = Writer.replace_documents

    def spy(self, batch, version):
        stored.append(len(batch))
        return real(self, batch, version)
    monkeypatch.setattr(Writer, "replace_documents", spy)
    return stored


def test_a_batch_is_written_once_its_results_weigh_the_budget(small_corpus, tmp_path, monkeypatch):
    """A batch is bounded by the size of the results it holds, not only by their number: each result
    comes with its size as sent, and a refresh writes the batch once the sizes reach the budget
    (the main process's peak is storing and auditing a batch: a batch of large reports weighs more)."""
    import pickle

    from hmip_inspections.pipeline import orchestrate as r
    from hmip_inspections.pipeline import workers as W
    jobs = [(str(f), f.name) for f in sorted(small_corpus.iterdir())]
    got = W.run_all(jobs, workers=1)
    for did, res in got.items():
        sent = {k: v for k, v in res.items() if k != "bytes"}
        # the size of the message as sent (the pickle protocol may differ by a few bytes)
        assert abs(res["bytes"] - len(pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL))) < 64, did
    sizes = sorted(res["bytes"] for res in got.values())
    stored = _batches_written(monkeypatch)
    # a budget below the smallest result: each document is a batch of its own
    monkeypatch.setattr(r, "WRITE_BATCH_BYTES", sizes[0])
    r.refresh([str(small_corpus)], str(tmp_path / "a.duckdb"), workers=1)
    assert stored == [1] * len(jobs)
    # a budget above them all: the count decides
    stored.clear()
    monkeypatch.setattr(r, "WRITE_BATCH_BYTES", sum(sizes) + 1)
    monkeypatch.setattr(r, "WRITE_BATCH", 2)
    r.refresh([str(small_corpus)], str(tmp_path / "b.duckdb"), workers=1)
    assert sum(stored) == len(jobs) and max(stored) == 2 and len(stored) >= len(jobs) // 2


def test_once_every_document_is_with_a_worker_what_has_arrived_is_stored_before_the_last_one(small_corpus, tmp_path,
                                                                                              monkeypatch):
    """The end of a refresh is the last document's storing and auditing, not a whole batch's: once the
    queue is empty and no result has come for a moment, run_all calls on_drained while the last
    documents are extracted, and the refresh stores and audits the results it holds then."""
    import time

    from hmip_inspections.pipeline import process as P
    from hmip_inspections.pipeline import workers as W
    from hmip_inspections.pipeline import refresh
    jobs = [(str(f), f.name) for f in sorted(small_corpus.iterdir())]
    # the smallest document, the last handed out, takes a while (workers are forked after this)
    last = min(jobs, key=lambda j: W._cost(j[0]))[1]
    real = P.process_file

    def slow_last(path, document_id):
        if document_id == last:
            time.sleep(1.0)
        return real(path, document_id)
    monkeypatch.setattr(P, "process_file", slow_last)
    events: list[tuple[str, str]] = []
    W.run_all(jobs, workers=2, on_result=lambda did, res: events.append(("result", did)),
              on_drained=lambda: events.append(("drained", sum(e[0] == "result" for e in events))))
    drained = [n for e, n in events if e == "drained"]
    assert drained and min(drained) >= len(jobs) - 2      # not before every document was handed out
    assert events[-1] == ("result", last) and events[-2][0] == "drained"
    stored = _batches_written(monkeypatch)
    run = refresh([str(small_corpus)], str(tmp_path / "d.duckdb"), workers=2)
    # the slow last document is stored alone, after the others (the ones before it may come in one
    # batch or two, as they come within DRAIN_QUIET of each other or not)
    assert run.n_new == len(jobs) == sum(stored) and stored[-1] == 1 and stored[0] >= len(jobs) - 2


def test_results_that_come_within_a_moment_of_each_other_at_the_end_are_stored_together(small_corpus, tmp_path,
                                                                                        monkeypatch):
    """When the last documents are done within DRAIN_QUIET of each other, no store and audit starts
    between them: one batch, not a batch for the ones that came first and another for the last."""
    from hmip_inspections.pipeline import workers as W
    from hmip_inspections.pipeline import refresh
    jobs = [(str(f), f.name) for f in sorted(small_corpus.iterdir())]
    monkeypatch.setattr(W, "DRAIN_QUIET", 60.0)
    events: list[str] = []
    W.run_all(jobs, workers=2, on_result=lambda did, res: events.append("result"),
              on_drained=lambda: events.append("drained"))
    assert events == ["result"] * len(jobs)
    stored = _batches_written(monkeypatch)
    refresh([str(small_corpus)], str(tmp_path / "d.duckdb"), workers=2)
    assert stored == [len(jobs)]


def test_a_refresh_that_reopens_its_connection_between_batches_writes_the_same_database(small_corpus, tmp_path,
                                                                                        monkeypatch):
    """The refresh reopens its database connection every few batches (DuckDB's cache of what it has
    written is emptied): what it writes, page text included, is the same as without."""
    from hmip_inspections.pipeline import orchestrate as r
    from hmip_inspections.store.db import Writer
    reopened = []
    real = Writer.reopen

    def spy(self):
        before = self.con
        real(self)
        reopened.append(self.con is not before)
    monkeypatch.setattr(Writer, "reopen", spy)
    monkeypatch.setattr(r, "WRITE_BATCH", 1)
    monkeypatch.setattr(r, "REOPEN_EVERY", 1)
    r.refresh([str(small_corpus)], str(tmp_path / "a.duckdb"), workers=1)
    n = len(list(small_corpus.iterdir()))
    assert reopened == [True] * n
    monkeypatch.setattr(r, "REOPEN_EVERY", n + 1)
    r.refresh([str(small_corpus)], str(tmp_path / "b.duckdb"), workers=1)
    assert len(reopened) == n
    assert _dump(tmp_path / "a.duckdb") == _dump(tmp_path / "b.duckdb")
    pages = "SELECT document_id, page, first_line, last_line, text FROM pages ORDER BY document_id, first_line"
    assert query(tmp_path / "a.duckdb", pages) == query(tmp_path / "b.duckdb", pages) != []
