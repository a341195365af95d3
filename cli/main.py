"""``inspections``: a thin command line over the pipeline stages.

Examples:
  inspections refresh                       # the embedded corpus into inspections.duckdb
  inspections refresh reports/ --db my.duckdb --workers 2
  inspections fetch --corpus corpus/                # download what the inspectorate has published
  inspections refresh --fetch corpus/               # both: the nightly job
  inspections evaluate tests/gold           # accuracy against hand-checked gold files
  inspections audit                         # do the reports' ratings follow from their numbers?
  inspections schema --markdown             # the public schema as a table

Exit codes (the same for every command where they apply):
  0  done: every document stored (ok or not_a_report); for audit, no unexplained contradiction
  1  an error: nothing was published; for audit, unexplained contradictions were found
  2  usage: a wrong option or argument
  3  refresh: the run completed and published, but some documents failed (see their error);
     fetch: some documents (or listing pages) could not be fetched, the others were
  4  audit: the audit could not run (no database, a database it cannot read)
"""
from __future__ import annotations

import argparse
import os
import sys

DEFAULT_DB = "inspections.duckdb"

#: the exit codes, by what happened (the module's docstring, README and docs/ describe them)
EXIT = {"ok": 0, "error": 1, "contradictions": 1, "usage": 2, "some_failed": 3, "audit_could_not_run": 4}


class UsageError(Exception):
    """A wrong argument that argparse cannot see (exit 2)."""


class DatabaseError(Exception):
    """The database named by --db cannot be used (the message names it and says why)."""


#: the commands that only read the database named by --db
READS_DB = ("query", "export", "report", "evaluate")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="inspections", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("refresh", help="extract new and changed reports into the DuckDB file",
                       description="Read every report under PATH (files or folders; default: the embedded "
                                   "corpus) and bring the DuckDB file up to date. Example: inspections refresh corpus/ --db x.duckdb")
    r.add_argument("paths", nargs="*", metavar="PATH")
    r.add_argument("--db", default=DEFAULT_DB, help=f"database file (default {DEFAULT_DB})")
    r.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="worker processes for extraction (default: up to 2)")
    r.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="per-document time limit (default 300); a document over it is recorded as failed")
    r.add_argument("--memory-limit", type=int, default=None, metavar="MB",
                   help="memory one document may use, in MB, beyond the loaded pipeline (default 2048)")
    r.add_argument("--pdf-engine", choices=["pdfium", "pdfplumber"], default=None,
                   help="library that reads PDF words: pdfium (default, fast) or pdfplumber (the reference); "
                        "both give the same rows")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
    r.add_argument("--fetch", action="store_true",
                   help="first fetch what the inspectorate has published into the first PATH (default ./corpus), "
                        "then refresh: the nightly job")
    r.add_argument("--source", action="append", metavar="URL", help="with --fetch: a listing page to read instead "
                   "of the configured sites (repeatable)")

    f = sub.add_parser("fetch", help="download new and changed reports from the inspectorate into a folder",
                       description="Read the inspectorate's listing pages (pipeline/sources.json, or --source), "
                                   "and download new or changed report documents into DIR. Example: "
                                   "inspections fetch --corpus corpus/ --since 2026-01-01")
    f.add_argument("--source", action="append", metavar="URL", help="a listing page to read (repeatable)")
    f.add_argument("--urls", metavar="FILE", help="a file of document URLs, one per line")
    f.add_argument("--corpus", default="corpus", metavar="DIR", help="folder to download into (default corpus/)")
    f.add_argument("--since", metavar="YYYY-MM-DD", help="documents not fetched before: only if modified since")
    f.add_argument("--dry-run", action="store_true", help="read the listings and say what would be fetched")
    f.add_argument("--delay", type=float, default=None, metavar="SECONDS",
                   help="seconds between requests to a site (default 1)")
    f.add_argument("-q", "--quiet", action="store_true", help="only the summary")

    e = sub.add_parser("evaluate", help="compare the database with gold files and print accuracy",
                       description="Example: inspections evaluate tests/gold --db inspections.duckdb")
    e.add_argument("gold_dir", metavar="GOLD_DIR")
    e.add_argument("--db", default=DEFAULT_DB)
    e.add_argument("--json", action="store_true", help="print the figures as JSON")

    a = sub.add_parser("audit", help="print the audit's findings; exit 1 on an unexplained contradiction",
                       description="Print the stored findings (the database is only read). Example: "
                                   "inspections audit --db inspections.duckdb")
    a.add_argument("--db", default=DEFAULT_DB)
    a.add_argument("--rerun", action="store_true",
                   help="re-run every rule with this version's rules first, and publish (as a refresh does)")

    q = sub.add_parser("query", help="run one of the queries in queries/ and print the result",
                       description="Run queries/NAME.sql on the database (read-only). Without NAME, list the "
                                   "queries. Example: inspections query league_table --csv")
    q.add_argument("name", nargs="?", metavar="NAME")
    q.add_argument("--db", default=DEFAULT_DB)
    q.add_argument("--where", metavar="CONDITION", help="filter the rows, e.g. \"standard_code = '2.1'\"")
    fmt = q.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    fmt.add_argument("--json", action="store_true", help="print JSON (a list of records)")

    x = sub.add_parser("export", help="write every public table as Parquet or CSV files",
                       description="Example: inspections export --format parquet out/")
    x.add_argument("directory", metavar="DIR")
    x.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    x.add_argument("--db", default=DEFAULT_DB)

    h = sub.add_parser("report", help="write a static HTML site: league table, audit summary, a page per report",
                       description="Example: inspections report --html site/")
    h.add_argument("--html", required=True, metavar="DIR", help="folder to write the site into")
    h.add_argument("--db", default=DEFAULT_DB)

    s = sub.add_parser("schema", help="print the public schema",
                       description="Example: inspections schema --markdown")
    s.add_argument("--markdown", action="store_true", help="print Markdown (docs/schema.md is made of it)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as e:       # argparse has printed the usage and the error
        return EXIT["ok"] if e.code == 0 else EXIT["usage"]
    try:
        if args.command in READS_DB and not (args.command == "query" and not args.name):
            from ..store.db import db_problem
            problem = db_problem(args.db)
            if problem:
                raise DatabaseError(problem)
        if args.command == "fetch":
            return _fetch(args.corpus, args.source, args.urls, args.since, args.dry_run, args.delay, args.quiet)
        if args.command == "refresh":
            from ..pipeline import refresh
            from .summary import print_progress, print_summary
            if args.pdf_engine:
                os.environ["INSPECTIONS_PDF_ENGINE"] = args.pdf_engine   # read by the workers
            if args.workers < 1:
                raise UsageError(f"--workers must be 1 or more, not {args.workers}")
            from ..store.db import db_problem
            problem = db_problem(args.db, must_exist=False, writing=True)
            if problem:
                raise DatabaseError(problem)
            fetched = 0
            if args.fetch:
                args.paths = args.paths or ["corpus"]
                fetched = _fetch(args.paths[0], args.source, quiet=args.quiet)
                if fetched == EXIT["error"]:
                    return fetched
            res = refresh(args.paths, args.db, workers=args.workers, time_limit=args.time_limit,
                          memory_mb=args.memory_limit, on_progress=None if args.quiet else print_progress)
            if not args.quiet:
                print_summary(res)
            failed = any(d.status == "failed" for d in res.documents) or fetched == EXIT["some_failed"]
            return EXIT["some_failed"] if failed else EXIT["ok"]
        if args.command == "evaluate":
            from ..report.accuracy import evaluate, print_report
            rep = evaluate(args.gold_dir, args.db)
            if args.json:
                import json
                print(json.dumps(rep, indent=2, default=str))
            else:
                print_report(rep)
            return 0
        if args.command == "audit":
            return _audit(args)
        if args.command == "query":
            from ..store.queries import load, print_result, run
            if not args.name:
                for qq in load().values():
                    print(f"{qq.name:26} {qq.summary}")
                return 0
            if args.name not in load():
                raise UsageError(f"no query named {args.name!r}; the queries are: {', '.join(load())}")
            df = run(args.db, args.name, args.where)
            print_result(df, "csv" if args.csv else "json" if args.json else "table")
            return 0
        if args.command == "export":
            from ..store.export import export
            from ..store.schema import TABLES
            counts = export(args.db, args.directory, args.format)
            n_tables = sum(1 for t in counts if t in TABLES)
            print(f"{args.directory}: {n_tables} tables and {len(counts) - n_tables} views, {sum(counts.values())} "
                  f"rows as {args.format} (schema.json describes them)")
            return 0
        if args.command == "report":
            from ..report import build
            res = build(args.db, args.html, quiet=False)
            print(f"{res['index']}: index and {len(res['reports'])} report pages")
            return 0
        if args.command == "schema":
            from ..store.schema import markdown, text
            print(markdown() if args.markdown else text())
            return 0
    except KeyboardInterrupt:
        print("inspections: interrupted", file=sys.stderr)
        return 130
    except UsageError as e:
        print(f"inspections {args.command}: usage error: {e}", file=sys.stderr)
        return EXIT["usage"]
    except Exception as e:  # one clear line, no traceback
        print(f"inspections: error: {one_line(e, getattr(args, 'db', None))}", file=sys.stderr)
        return EXIT["error"]
    return EXIT["usage"]


def _fetch(corpus: str, source: list[str] | None, urls_file: str | None = None, since: str | None = None,
           dry_run: bool = False, delay: float | None = None, quiet: bool = False) -> int:
    """``inspections fetch`` (and the first step of ``refresh --fetch``): 0 every document found
    fetched or unchanged, 3 some failed (or a listing could not be read), 1 nothing could be read."""
    from datetime import date

    from ..pipeline.fetch import FetchError, fetch
    from .summary import plural
    day = None
    if since:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since wants a date as YYYY-MM-DD, not {since!r}") from None
    urls = None
    if urls_file:
        from pathlib import Path
        try:
            urls = [u.strip() for u in Path(urls_file).read_text(encoding="utf-8").splitlines()
                    if u.strip() and not u.lstrip().startswith("#")]
        except OSError as e:
            raise FetchError(f"{urls_file}: cannot be read ({e.strerror or e})") from None
    say = (lambda m: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    opts = {} if delay is None else {"interval": delay}
    res = fetch(corpus, source=source, urls=urls, since=day, dry_run=dry_run, say=say, **opts)
    for problem in res.problems:
        print(f"problem: {problem}", file=sys.stderr)
    print(f"{res.corpus}: {plural(res.listings, 'listing page')} read; "
          f"{plural(len(res.outcomes), 'document')} found: fetched {res.count('fetched')}, "
          f"unchanged {res.count('unchanged')}, same content as another {res.count('duplicate')}, "
          f"skipped {res.count('skipped')}, failed {res.count('failed')}"
          + (f", would fetch {res.count('would_fetch')}" if dry_run else ""))
    if not res.listings and not res.outcomes:
        return EXIT["error"]
    return EXIT["some_failed"] if res.failed else EXIT["ok"]


def _audit(args) -> int:
    """``inspections audit``: 0 no unexplained contradiction, 1 some, 4 the audit could not run."""
    from ..store.db import db_problem
    try:
        problem = db_problem(args.db)
        if problem:
            raise DatabaseError(problem)
        from .audit import print_findings
        if args.rerun:
            from ..pipeline import rerun_audit
            rerun_audit(args.db)
        found = print_findings(args.db)
    except KeyboardInterrupt:
        raise
    except Exception as e:
        print(f"inspections: audit could not run: {one_line(e, args.db)}", file=sys.stderr)
        return EXIT["audit_could_not_run"]
    return EXIT["contradictions"] if found else EXIT["ok"]


def one_line(e: Exception, db: str | None = None) -> str:
    """An error as one line: its first paragraph (DuckDB's messages go on with "Possible solutions:"
    and a link), named by its type unless that is a plain ...Error; one from DuckDB names the database
    it happened in, when the message does not already."""
    name = type(e).__name__
    text = " ".join(str(e).strip().split("\n\n")[0].split())
    msg = text if name.endswith("Error") and text else f"{name}: {text}" if text else name
    if db and type(e).__module__.lstrip("_").split(".")[0] == "duckdb" and str(db) not in msg:
        msg = f"{db}: {msg}"
    return msg


if __name__ == "__main__":
    sys.exit(main())
