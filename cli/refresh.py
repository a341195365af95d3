"""``inspections refresh``: bring the database up to date with the files, redoing only what changed."""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from extract import sha256_file
from extract.document import HTML_SUFFIXES, PDF_SUFFIXES, TEXT_SUFFIXES


SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES
#: documents written (and audited) together: per-statement costs are paid once per batch
WRITE_BATCH = 16
#: ... or fewer: a batch is written once the results it holds weigh this much (their size as sent by
#: the workers). Storing and auditing a batch is the main process's peak, so a bound on the batch's
#: weight, not only on its count, bounds that peak whatever the corpus: 16 of its largest reports
#: weigh 4.3 MB, and a batch of them peaked some 15 MB above a batch of mixed ones
WRITE_BATCH_BYTES = 1_500_000
#: batches written between two reopenings of the database connection (Writer.reopen), which empty
#: DuckDB's cache of the blocks written so far: at 1,000 benchmark documents the main process peaked
#: at 143 MB with this, 154 MB without
REOPEN_EVERY = 8
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def package_version() -> str:
    """The package version plus a fingerprint of the code and reference data that make a document's rows.

    A document is re-extracted when its bytes change or when this changes, so that an upgraded
    extractor (or a corrected metric mapping) reaches every document at the next refresh."""
    try:
        from importlib.metadata import version
        v = version("hmip-inspections")
    except Exception:
        v = "0.0.0"
    from extract.pdf import pdf_engine
    return f"{v}+{code_fingerprint()}.{pdf_engine()}"


def code_fingerprint(stages: tuple[str, ...] = ("extract", "normalise"), extra: tuple[str, ...] = ("cli/pipeline.py",)) -> str:
    """A short hash of the code and data files of the given stages."""
    import hashlib
    root = Path(__file__).resolve().parent.parent
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
    from normalise import failed_document

    from .pipeline import _fmt, _safe_sha, _size
    kinds = ", ".join(sorted(SUFFIXES))
    why = f"unsupported file type '{path.suffix.lower() or path.name}': the pipeline reads {kinds}"
    return {"rows": failed_document(document_id, str(path), _safe_sha(path), _fmt(path), why, _size(path)),
            "seconds": 0.0, "error": f"{path.name}: {why}"}


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


def refresh(paths: list[str], db: str, workers: int = 1, quiet: bool = False, out=None,
            time_limit: float | None = None, memory_mb: int | None = None) -> dict:
    from .workers import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT
    time_limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    memory_mb = DEFAULT_MEMORY_LIMIT_MB if memory_mb is None else memory_mb
    t0 = time.perf_counter()
    from .workers import zygote
    # the workers' zygote is started before anything else: it loads the pipeline (spaCy, the longest
    # part of a small refresh) while this process hashes the files and opens the database; when
    # nothing turns out to need extracting it is stopped unused
    with zygote() as z:
        return _refresh(paths, db, z, workers, quiet, out, time_limit, memory_mb, t0)


def _refresh(paths, db, z, workers, quiet, out, time_limit, memory_mb, t0) -> dict:
    from store import Store
    from store.db import STAGE

    from .workers import run_all
    started = datetime.now().replace(microsecond=0)
    version = package_version()
    own = Path(db).resolve()
    files, roots = discover(paths, frozenset({own, own.with_name(own.name + ".wal")}))
    store = Store(db)
    state = store.state()
    todo: list[tuple[str, Path, str]] = []
    unchanged: list[tuple[str, Path]] = []
    counts = Counter()
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
            counts["duplicate"] += 1
            continue          # the same bytes under another name: recorded once
        old = state.get(did)
        if old and sha and old["sha256"] == sha and old["extractor_version"] == version and old["status"] != "missing":
            unchanged.append((did, f))
        else:
            todo.append((did, f, "changed" if old else "new"))
    seen_ids = {did for did, _ in files}
    missing = [did for did, st in state.items()
               if did not in seen_ids and st["status"] != "missing" and _under(st["source_path"] or "", roots)]

    def progress(i: int, n: int, did: str, res: dict) -> None:
        if quiet:
            return
        d = res["rows"]["documents"][0]
        what = d.get("kind") or "-"
        msg = f"  [{i}/{n}] {did}: {d['status']} {what} ({res['seconds']:.1f}s)"
        if res["error"]:
            msg += f" - {res['error']}"
        print(msg, file=sys.stderr, flush=True)

    # a file of a type the pipeline does not read gets its failed row here, without a worker
    unreadable = [(did, f) for did, f, _ in todo if f.suffix.lower() not in SUFFIXES]
    readable = [(did, f) for did, f, _ in todo if f.suffix.lower() in SUFFIXES]
    if readable and not quiet:
        print(f"Extracting {len(readable)} of {len(files)} documents with {workers} worker(s)...", file=sys.stderr)
    if not readable and z is not None:
        z.close()                     # nothing to extract: the zygote is not needed
        z = None
    change_of = {did: change for did, _, change in todo}
    stages: Counter = Counter()       # seconds per stage, summed over documents (workers) or measured (parent)
    n_failed = 0
    import audit
    # page text is spooled until the end: the refresh reads each batch's pages from the stage
    with store.writer(spool_pages=True) as w:
        # the audit's rules and reference data: when they changed since the last run, every document
        # is re-audited; otherwise only the documents that changed
        audit_version = audit_fingerprint()
        last = w.execute("SELECT audit_version FROM refresh_runs ORDER BY run_id DESC LIMIT 1").fetchall()
        full_audit = not last or last[0][0] != audit_version
        if full_audit:
            from normalise.reference import reference_rows
            for t, rows in reference_rows().items():
                w.replace_table(t, rows)
        audited: list[str] = []
        batch: list[tuple[str, dict]] = []       # (document id, result)

        def reaudit(ids: list[str], source: str | None = None) -> None:
            """Replace the findings of these documents (a missing document is not audited: none),
            their rows read from source (the stage of the batch just written) or the database."""
            w.execute("DELETE FROM audit_findings WHERE list_contains(?, document_id)", [ids])
            w.insert("audit_findings", audit.run(w.con, documents=ids, source=source))
            audited.extend(ids)

        written = 0                     # batches written

        def flush() -> None:
            """Store the batch, then audit it: both overlap with the workers' extraction."""
            nonlocal written
            if not batch:
                return
            t = time.perf_counter()
            w.replace_documents([res["rows"] for _, res in batch], version)
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
        def on_result(did: str, res: dict) -> None:
            nonlocal n_failed
            counts[change_of[did]] += 1
            progress(counts["new"] + counts["changed"], len(todo), did, res)
            if res["rows"]["documents"][0]["status"] == "failed":
                n_failed += 1
            for k, v in (res.get("stages") or {}).items():
                stages[k] += v
            batch.append((did, res))
            # the batch's size as sent by the workers (a failure the parent wrote weighs nothing)
            if len(batch) >= WRITE_BATCH or sum(r.get("bytes", 0) for _, r in batch) >= WRITE_BATCH_BYTES:
                flush()

        # what does not wait for extraction is done first, while the zygote loads the pipeline:
        # unchanged and missing documents, the paths seen, the views (recreated every run: cheap,
        # and never stale); documents not re-extracted are re-audited only when the rules changed,
        # missing ones lose their findings
        w.touch_many([(did, str(f)) for did, f in unchanged])
        for did in missing:
            w.mark_missing(did)
        w.replace_sources(sources, [str(r) for r in roots])
        from store.queries import load as load_queries
        for problem in w.create_views({q.name: q.sql for q in load_queries().values()}):
            print(f"warning: view not created: {problem}", file=sys.stderr)
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
        t_extract = time.perf_counter() - t_extract
        findings = w.execute("SELECT count(*) FROM audit_findings").fetchone()[0]
        run = {"started_at": started, "finished_at": datetime.now().replace(microsecond=0),
               "package_version": version, "paths": "; ".join(str(r) for r in roots), "workers": workers,
               "n_seen": len(files), "n_new": counts["new"], "n_changed": counts["changed"],
               "n_unchanged": len(unchanged), "n_failed": n_failed, "n_missing": len(missing),
               "n_duplicate": counts["duplicate"], "audit_version": audit_version, "n_audited": len(audited),
               "seconds": round(time.perf_counter() - t0, 3)}
        w.log_run(run)
        run["findings"] = findings
        kinds = w.execute("SELECT document_id, status, coalesce(kind, '-'), coalesce(provider_name, ''), "
                          "coalesce(overall_rating, ''), score, score_max, coalesce(error, '') "
                          "FROM documents ORDER BY document_id").fetchall()
    run["seconds"] = round(time.perf_counter() - t0, 3)
    run["documents"] = kinds
    run["extract_wall_seconds"] = round(t_extract, 3)
    run["stage_seconds"] = {k: round(v, 3) for k, v in stages.items()}
    if not quiet:
        print_summary(run, db, out or sys.stdout)
    return run


def print_summary(run: dict, db: str, out) -> None:
    nothing = run["n_new"] == 0 and run["n_changed"] == 0 and run["n_missing"] == 0
    print(f"{db}: {run['n_seen']} documents seen in {run['seconds']:.1f}s"
          + (" - nothing changed, nothing redone" if nothing else ""), file=out)
    print(f"  new {run['n_new']}, changed {run['n_changed']}, unchanged {run['n_unchanged']}, "
          f"failed {run['n_failed']}, missing {run['n_missing']}"
          + (f", duplicates {run['n_duplicate']} (same content under another name)" if run.get("n_duplicate") else ""),
          file=out)
    by = Counter((st, kind) for _, st, kind, *_ in run["documents"])
    print("  by kind: " + ", ".join(f"{k} ({st}) {n}" for (st, k), n in sorted(by.items())), file=out)
    w = max((len(r[0]) for r in run["documents"]), default=10)
    for did, st, kind, prov, rating, score, mx, err in run["documents"]:
        sc = f"{score}/{mx}" if score is not None else ""
        line = f"  {did:<{w}}  {st:<12} {kind:<28} {prov[:40]:<40} {rating} {sc}".rstrip()
        if err and st != "ok":
            line += f"\n  {'':<{w}}  -> {err}"
        print(line, file=out)
