"""The refresh: bring the database up to date with the files, redoing only what changed.

``refresh(paths, db)`` discovers the files, fingerprints them, extracts the new and changed ones in
worker processes, stores and audits them batch by batch and publishes the database atomically. It
returns a ``RefreshResult`` and reports each document through an optional progress callback; it
prints nothing (the command line does).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from .. import DEFAULT_CORPUS, PACKAGE_ROOT, __version__
from ..extract import sha256_file
from ..extract.readers import SUFFIXES


#: documents written (and audited) together: per-statement costs are paid once per batch
WRITE_BATCH = 16
#: ... or fewer: a batch is written once the results it holds weigh this much (their size as sent by
#: the workers), so that the main process's peak, storing and auditing a batch, is bounded whatever
#: the corpus (docs/performance.md)
WRITE_BATCH_BYTES = 1_500_000
#: batches written between two reopenings of the database connection (Writer.reopen), which empty
#: DuckDB's cache of the blocks written so far
REOPEN_EVERY = 8


@dataclass
class Progress:
    """One event of a refresh, for its progress callback: ``start`` (``total`` documents to extract,
    of ``seen``) once, then ``document`` for each document extracted, or ``warning``."""
    event: str
    done: int = 0
    total: int = 0
    seen: int = 0
    workers: int = 0
    document_id: str | None = None
    status: str | None = None
    kind: str | None = None
    seconds: float = 0.0
    error: str | None = None
    message: str | None = None


@dataclass
class DocumentSummary:
    """A stored document as the refresh's summary shows it."""
    document_id: str
    status: str
    kind: str | None
    provider_name: str | None
    overall_rating: str | None
    score: int | None
    score_max: int | None
    error: str | None
    completeness: str | None = None
    checks: list[str] = field(default_factory=list)    # the extraction checks' messages


@dataclass
class RefreshResult:
    """What a refresh did: counts of documents by what happened to them, the findings and timings."""
    db: str
    started_at: datetime
    finished_at: datetime
    package_version: str
    paths: str
    workers: int
    n_seen: int = 0
    n_new: int = 0
    n_changed: int = 0
    n_unchanged: int = 0
    n_failed: int = 0
    n_missing: int = 0
    n_duplicate: int = 0
    audit_version: str = ""
    n_audited: int = 0
    findings: int = 0
    seconds: float = 0.0
    extract_wall_seconds: float = 0.0
    stage_seconds: dict = field(default_factory=dict)
    documents: list[DocumentSummary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def nothing_changed(self) -> bool:
        return self.n_new == 0 and self.n_changed == 0 and self.n_missing == 0

    def run_row(self) -> dict:
        """The row of refresh_runs this run writes."""
        keys = ("started_at", "finished_at", "package_version", "paths", "workers", "n_seen", "n_new",
                "n_changed", "n_unchanged", "n_failed", "n_missing", "n_duplicate", "audit_version",
                "n_audited", "seconds")
        return {k: getattr(self, k) for k in keys}

    def as_dict(self) -> dict:
        """The result as plain data (JSON-ready with ``default=str``)."""
        from dataclasses import asdict
        return asdict(self)


def package_version() -> str:
    """The package version plus a fingerprint of the code and reference data that make a document's rows.

    A document is re-extracted when its bytes change or when this changes, so that an upgraded
    extractor (or a corrected metric mapping) reaches every document at the next refresh."""
    from ..extract.pdf import pdf_engine
    return f"{__version__}+{code_fingerprint()}.{pdf_engine()}"


def code_fingerprint(stages: tuple[str, ...] = ("extract", "normalise"), extra: tuple[str, ...] = ("pipeline/process.py",)) -> str:
    """A short hash of the code and data files of the given stages."""
    import hashlib
    root = PACKAGE_ROOT
    h = hashlib.sha256()
    files = [root / e for e in extra]
    for stage in stages:
        files += sorted(f for f in (root / stage).rglob("*") if f.suffix in (".py", ".json"))
    for f in files:
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def audit_fingerprint() -> str:
    """What the audit's findings depend on besides the rows: its rules and the reference data."""
    return code_fingerprint(("audit",), ("normalise/reference/methodologies.json", "normalise/reference/metrics.json",
                                         "normalise/reference.py"))


class RefreshError(Exception):
    pass


def unsupported(document_id: str, path: Path) -> dict:
    """The result for a file of a type the pipeline does not read: a failed document that says so."""
    from .process import failed_result
    kinds = ", ".join(sorted(SUFFIXES))
    why = f"unsupported file type '{path.suffix.lower() or path.name}': the pipeline reads {kinds}"
    return failed_result(path, document_id, why)


def discover(paths: list[str], exclude: frozenset[Path] = frozenset()) -> tuple[list[tuple[str, Path]], list[Path]]:
    """Given files and folders, return ([(document_id, path)], roots scanned), leaving out the paths in
    exclude (the database itself, when it is kept among the reports)."""
    found: list[tuple[str, Path]] = []
    roots: list[Path] = []
    for raw in paths:
        p = Path(raw).resolve()
        if not p.exists():
            raise RefreshError(f"{raw}: no such file or folder")
        roots.append(p)
        if p.is_file():
            found.append((p.name, p))
            continue
        for f in sorted(p.rglob("*")):
            # every file is recorded, one the pipeline cannot read too (as failed, saying why): none is
            # dropped silently; hidden files and folders are not documents
            rel = f.relative_to(p)
            if f.is_file() and not any(part.startswith(".") for part in rel.parts) and f not in exclude:
                found.append((rel.as_posix(), f))
    seen: set[str] = set()
    out = []
    for did, f in found:
        if did in seen:
            continue
        seen.add(did)
        out.append((did, f))
    return out, roots


def _under(path: str, roots: list[Path]) -> bool:
    p = Path(path)
    return any(p == r or r in p.parents for r in roots)


def _size_text(rows: dict) -> str:
    """A document's page text, in MB, for a message."""
    n = sum(len(p.get("text") or "") for p in rows.get("pages", []))
    return f"{n / 2**20:.0f} MB"


def one_reason(e: Exception) -> str:
    """The first line of an error's message."""
    return " ".join(str(e).strip().split("\n")[0].split())


def refresh(paths: list[str] | None, db: str, *, workers: int = 1, time_limit: float | None = None,
            memory_mb: int | None = None,
            on_progress: Callable[[Progress], None] | None = None) -> RefreshResult:
    """Given files and folders (None or []: the embedded corpus) and a database file, bring the
    database up to date, publish it and return what was done. Each document extracted (and the start)
    is reported to on_progress. Raises RefreshError when nothing could be published."""
    from .workers import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT, zygote
    time_limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    memory_mb = DEFAULT_MEMORY_LIMIT_MB if memory_mb is None else memory_mb
    paths = [str(p) for p in paths] if paths else [str(DEFAULT_CORPUS)]
    report = on_progress or (lambda ev: None)
    t0 = time.perf_counter()
    # the workers' zygote is started before anything else: it loads the pipeline (spaCy, the longest
    # part of a small refresh) while this process hashes the files and opens the database; when
    # nothing turns out to need extracting it is stopped unused
    with zygote() as z:
        return _refresh(paths, str(db), z, max(1, workers), report, time_limit, memory_mb, t0)


def write_reference(w) -> None:
    """Write the reference tables (the inspectorate's rules, as data) into a writer's database."""
    from ..normalise.reference import reference_rows
    for t, rows in reference_rows().items():
        w.replace_table(t, rows)


def rerun_audit(db: str) -> int:
    """Re-run every audit rule on a published database (the rules and reference data of this version)
    and publish the findings; return how many there are."""
    from .. import audit
    from ..store import Store
    if not Path(db).exists():
        raise RefreshError(f"{db}: no such database (run 'inspections refresh' first)")
    with Store(db).writer() as w:
        write_reference(w)
        findings = audit.run(w.con)
        w.replace_table("audit_findings", findings)
    return len(findings)


def _refresh(paths, db, z, workers, report, time_limit, memory_mb, t0) -> RefreshResult:
    import duckdb

    from .. import audit
    from ..store import Store
    from ..store.db import STAGE
    from ..store.queries import load as load_queries
    from .fetch import source_urls
    from .process import failed_result
    from .workers import run_all
    res = RefreshResult(db=db, started_at=datetime.now().replace(microsecond=0), finished_at=None,
                        package_version=package_version(), paths="", workers=workers)
    version = res.package_version
    own = Path(db).resolve()
    files, roots = discover(paths, frozenset({own, own.with_name(own.name + ".wal")}))
    res.paths = "; ".join(str(r) for r in roots)
    res.n_seen = len(files)
    store = Store(db)
    state = store.state()
    todo: list[tuple[str, Path, str]] = []
    unchanged: list[tuple[str, Path]] = []
    by_sha: dict[str, str] = {}
    sources: list[dict] = []        # every path seen, with the document it is (duplicates share one)
    for did, f in files:
        try:
            sha = sha256_file(f)
        except OSError:
            sha = None
        canonical = by_sha.setdefault(sha, did) if sha else did
        sources.append({"document_id": canonical, "source_path": str(f), "sha256": sha,
                        "duplicate": canonical != did})
        if canonical != did:
            res.n_duplicate += 1
            continue          # the same bytes under another name: recorded once
        old = state.get(did)
        if old and sha and old["sha256"] == sha and old["extractor_version"] == version and old["status"] != "missing":
            unchanged.append((did, f))
        else:
            todo.append((did, f, "changed" if old else "new"))
    res.n_unchanged = len(unchanged)
    seen_ids = {did for did, _ in files}
    missing = [did for did, st in state.items()
               if did not in seen_ids and st["status"] != "missing" and _under(st["source_path"] or "", roots)]
    res.n_missing = len(missing)

    # a file of a type the pipeline does not read gets its failed row here, without a worker
    unreadable = [(did, f) for did, f, _ in todo if f.suffix.lower() not in SUFFIXES]
    readable = [(did, f) for did, f, _ in todo if f.suffix.lower() in SUFFIXES]
    if readable:
        report(Progress("start", total=len(readable), seen=len(files), workers=workers))
    if not readable and z is not None:
        z.close()                     # nothing to extract: the zygote is not needed
        z = None
    change_of = {did: change for did, _, change in todo}
    stages: Counter = Counter()       # seconds per stage, summed over documents (workers) or measured (parent)
    # page text is spooled until the end: the refresh reads each batch's pages from the stage
    with store.writer(spool_pages=True) as w:
        # the audit's rules and reference data: when they changed since the last run, every document
        # is re-audited; otherwise only the documents that changed
        res.audit_version = audit_fingerprint()
        last = w.execute("SELECT audit_version FROM refresh_runs ORDER BY run_id DESC LIMIT 1").fetchall()
        full_audit = not last or last[0][0] != res.audit_version
        if full_audit:
            write_reference(w)
        batch: list[tuple[str, dict]] = []       # (document id, result)

        def reaudit(ids: list[str], source: str | None = None) -> None:
            """Replace the findings of these documents (a missing document is not audited: none),
            their rows read from source (the stage of the batch just written) or the database."""
            w.execute("DELETE FROM audit_findings WHERE list_contains(?, document_id)", [ids])
            w.insert("audit_findings", audit.run(w.con, documents=ids, source=source))
            res.n_audited += len(ids)

        written = 0                     # batches written

        def flush() -> None:
            """Store the batch, then audit it: both overlap with the workers' extraction."""
            nonlocal written
            if not batch:
                return
            t = time.perf_counter()
            try:
                w.replace_documents([r["rows"] for _, r in batch], version)
            except (duckdb.OutOfMemoryException, duckdb.ConstraintException):
                # one document that cannot be stored (too large; rows that repeat a key of the schema)
                # must not sink the run: each is written alone, and one that still cannot be is
                # recorded failed, with the reason
                for k, (did, r) in enumerate(batch):
                    try:
                        w.replace_documents([r["rows"]], version)
                    except (duckdb.OutOfMemoryException, duckdb.ConstraintException) as e:
                        d = r["rows"]["documents"][0]
                        why = (f"could not be stored: its text ({_size_text(r['rows'])}) needs more memory than "
                               f"the writer may use ({one_reason(e)})"
                               if isinstance(e, duckdb.OutOfMemoryException) else
                               f"could not be stored: its rows repeat a key of the schema ({one_reason(e)})")
                        batch[k] = (did, failed_result(d["source_path"], did, why, r["seconds"]))
                        w.replace_documents([batch[k][1]["rows"]], version)
                        res.n_failed += d["status"] != "failed"
                        report(Progress("warning", message=f"{did}: {why}"))
            # this process's ids, not the results' strings: nothing of a result outlives its batch
            ids = [did for did, _ in batch]
            t_audit = time.perf_counter()
            stages["store"] += t_audit - t
            reaudit(ids, STAGE)
            stages["audit"] += time.perf_counter() - t_audit
            batch.clear()
            written += 1
            if written % REOPEN_EVERY == 0:
                w.reopen()

        # results are written in batches as they arrive: the parent holds at most one batch of rows
        def on_result(did: str, r: dict) -> None:
            if change_of[did] == "new":
                res.n_new += 1
            else:
                res.n_changed += 1
            d = r["rows"]["documents"][0]
            report(Progress("document", done=res.n_new + res.n_changed, total=len(todo), document_id=did,
                            status=d["status"], kind=d.get("kind"), seconds=r["seconds"], error=r["error"]))
            if d["status"] == "failed":
                res.n_failed += 1
            for k, v in (r.get("stages") or {}).items():
                stages[k] += v
            batch.append((did, r))
            # the batch's size as sent by the workers (a failure the parent wrote weighs nothing)
            if len(batch) >= WRITE_BATCH or sum(x.get("bytes", 0) for _, x in batch) >= WRITE_BATCH_BYTES:
                flush()

        # what does not wait for extraction is done first, while the zygote loads the pipeline:
        # unchanged and missing documents, the paths seen, the views (recreated every run: cheap,
        # and never stale); documents not re-extracted are re-audited only when the rules changed,
        # missing ones lose their findings
        w.touch_many([(did, str(f)) for did, f in unchanged])
        for did in missing:
            w.mark_missing(did)
        w.replace_sources(sources, [str(r) for r in roots])
        for problem in w.create_views({q.name: q.sql for q in load_queries().values()}):
            res.warnings.append(f"view not created: {problem}")
            report(Progress("warning", message=res.warnings[-1]))
        t_audit = time.perf_counter()
        rest = [did for did, _ in unchanged] if full_audit else []
        if rest or missing:
            reaudit(rest + missing)
        stages["audit"] += time.perf_counter() - t_audit

        for did, f in unreadable:
            on_result(did, unsupported(did, f))
        t_extract = time.perf_counter()
        # once the last documents are with the workers, what has arrived is stored and audited while
        # they finish: a refresh then ends with the last document's work, not a whole batch's
        run_all([(str(f), did) for did, f in readable], workers=workers, time_limit=time_limit,
                memory_mb=memory_mb, on_result=on_result, zygote=z, on_drained=flush)
        flush()
        res.extract_wall_seconds = round(time.perf_counter() - t_extract, 3)
        # where fetched documents came from (the manifest `inspections fetch` keeps in a corpus folder)
        urls = {}
        for r in roots:
            if r.is_dir():
                urls.update({rel: (e["source_url"], e["fetched_at"]) for rel, e in source_urls(r).items()})
        w.set_source_urls(urls)
        res.findings = w.execute("SELECT count(*) FROM audit_findings").fetchone()[0]
        res.finished_at = datetime.now().replace(microsecond=0)
        res.seconds = round(time.perf_counter() - t0, 3)
        w.log_run(res.run_row())
        res.documents = [DocumentSummary(*row) for row in w.execute(
            "SELECT document_id, status, kind, provider_name, overall_rating, score, score_max, error, completeness, "
            "coalesce((SELECT list(c.message ORDER BY c.page, c.line) FROM extraction_checks c "
            "WHERE c.document_id = d.document_id), []) FROM documents d ORDER BY document_id").fetchall()]
    res.seconds = round(time.perf_counter() - t0, 3)
    res.stage_seconds = {k: round(v, 3) for k, v in stages.items()}
    return res
