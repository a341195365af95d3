"""Write and publish the DuckDB file.

A refresh works on a private copy (``.NAME.tmp-PID`` beside the database),
applies each document's rows in one transaction, checkpoints, and publishes the
copy with ``os.replace``: readers that have the old file open keep reading it,
and new readers see the whole new state. A process killed at any moment leaves
the published file as it was; its stale copy is removed by the next refresh.

Page text, most of what is written, is spooled to files beside the copy (one Parquet file per
batch, ``.NAME.tmp-PID.pages/``) and inserted into ``pages`` once, when the writer closes: see
``Writer.flush_pages``.
"""
from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from .schema import PER_DOCUMENT, TABLES, column_list, column_types, columns, ddl, qualified


#: DuckDB's memory budget while a refresh writes (its default is 80% of the machine's memory): DuckDB
#: keeps what it has written cached up to its budget, so without one the refresh's main process would
#: grow with the corpus (docs/performance.md)
WRITER_MEMORY_LIMIT = "128MB"
#: written data DuckDB keeps in memory (and its write-ahead log) before it checkpoints them to the file:
#: smaller than its default (16 MB), so that the last checkpoint is not the refresh's peak
CHECKPOINT_THRESHOLD = "4MB"

#: rows per row group of the tables the writer appends to (DuckDB's default is 122,880): a checkpoint
#: merges small row groups up to this size, holding what it merges in memory
ROW_GROUP_SIZE = 4096
#: DuckDB's memory budgets for inserting the spooled page text (Writer.flush_pages), tried in turn: the
#: insert fills the budget it is given, so the smallest that works is used; one too small fails
#: within about a second and is rolled back
FLUSH_MEMORY_LIMITS = ("24MB", "48MB", WRITER_MEMORY_LIMIT)
#: a batch whose text is larger than the writer's budget allows gets a larger budget for its write:
#: this many bytes of budget per byte of text (a page's text is held as the Python string, the
#: stage's copy and the copy being inserted), up to WRITER_MEMORY_CAP
TEXT_MEMORY_FACTOR = 5
WRITER_MEMORY_CAP_MB = 1536

#: the attached in-memory database that holds the batch of documents last written, with the same
#: tables, so that the audit of that batch reads its rows there instead of scanning the whole database
#: (a scan per batch makes each batch cost more as the corpus grows, and keeps every block of the
#: database cached: the refresh's memory then grows with the corpus)
STAGE = "staged"


def _mb(setting: str) -> float:
    """A DuckDB memory setting ('128MB', '256kB', '1GB') in MB."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMG]?)I?B\s*", setting.upper())
    if not m:
        raise ValueError(f"not a memory setting: {setting!r}")
    return float(m.group(1)) * {"K": 1 / 1024, "M": 1, "G": 1024, "": 1 / 2**20}[m.group(2)]


def budget_mb(text_chars: int) -> int:
    """DuckDB's memory budget (MB) for writing a batch or flush with this much page text."""
    return int(min(WRITER_MEMORY_CAP_MB, _mb(WRITER_MEMORY_LIMIT) + (TEXT_MEMORY_FACTOR * text_chars >> 20)))


def db_problem(path: str | Path, must_exist: bool = True, writing: bool = False) -> str | None:
    """What stops a command using this database file, as one line naming it ('x.duckdb: a folder,
    not a database file'), or None. The same words for every command."""
    p = Path(path)
    if p.is_dir():
        return f"{p}: a folder, not a database file"
    if not p.exists():
        if must_exist:
            return f"{p}: no such database (run 'inspections refresh' first)"
        parent = p.parent if str(p.parent) else Path(".")
        if parent.exists() and not parent.is_dir():
            return f"{parent}: not a folder, so the database cannot be written there"
        if writing and parent.is_dir() and not os.access(parent, os.W_OK):
            return f"{parent}: a read-only folder: the database cannot be written there"
        return None
    if not os.access(p, os.R_OK):
        return f"{p}: cannot be read (permission denied)"
    if writing and not os.access(p.parent if str(p.parent) else Path("."), os.W_OK):
        return f"{p.parent}: a read-only folder: the database cannot be written there"
    try:
        with open(p, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        return f"{p}: cannot be read ({e.strerror or e})"
    if len(head) < 12 or head[8:12] != b"DUCK":
        return f"{p}: not a DuckDB database file"
    return None


class StoreError(Exception):
    """The database could not be read or written (the message says why)."""


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    # ----------------------------------------------------------------- reading
    def state(self) -> dict[str, dict]:
        """Return {document_id: {sha256, extractor_version, status, source_path}} of the published file."""
        if not self.path.exists():
            return {}
        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as e:
            raise StoreError(f"{self.path}: cannot open database ({e})") from e
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if "documents" not in tables:
                return {}
            rows = con.execute(
                "SELECT document_id, sha256, extractor_version, status, source_path FROM documents").fetchall()
        finally:
            con.close()
        return {r[0]: {"sha256": r[1], "extractor_version": r[2], "status": r[3], "source_path": r[4]}
                for r in rows}

    # ----------------------------------------------------------------- writing
    def _cleanup_stale(self) -> None:
        """Remove the working copies (and page spools) of refreshes that are no longer running, and
        any this process left (or one with its pid before it)."""
        for p in self.path.parent.glob(f".{self.path.name}.tmp-*"):
            pid = p.name.rsplit("-", 1)[-1].split(".")[0]
            alive = False
            if pid.isdigit():
                try:
                    os.kill(int(pid), 0)
                    alive = int(pid) != os.getpid()
                except OSError:
                    alive = False
            if not alive:
                if p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    p.unlink(missing_ok=True)

    @contextmanager
    def writer(self, spool_pages: bool = False):
        """Yield a Writer on a private copy; publish it atomically if the block succeeds.

        With spool_pages, the page text of each batch written waits in files beside the copy until
        the writer closes (Writer.flush_pages): for a writer that writes many batches and does not
        read ``pages`` back meanwhile, as a refresh does."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._cleanup_stale()
        tmp = self.path.parent / f".{self.path.name}.tmp-{os.getpid()}"
        spool = tmp.with_name(tmp.name + ".pages")
        if self.path.exists():
            shutil.copyfile(self.path, tmp)
        try:
            con = _connect(tmp)
        except duckdb.Error as e:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"{self.path}: cannot open a working copy ({e})") from e
        ok = False
        w = Writer(con, spool if spool_pages else None, lambda: _connect(tmp))
        try:
            for t in TABLES:
                con.execute(ddl(t))
            _migrate(con)
            yield w
            w.close_stage()
            w.flush_pages()
            w.con.execute("CHECKPOINT")
            ok = True
        finally:
            w.con.close()
            shutil.rmtree(spool, ignore_errors=True)
            if ok:
                with open(tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
                try:
                    dfd = os.open(self.path.parent, os.O_RDONLY)
                    os.fsync(dfd)
                    os.close(dfd)
                except OSError:
                    pass
            else:
                tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)


#: the name the working copy is attached under while a refresh writes it
WORKING = "working"


def _connect(tmp: Path):
    """A connection to the working copy, with the writer's settings."""
    con = duckdb.connect(config={"memory_limit": WRITER_MEMORY_LIMIT,
                                 "checkpoint_threshold": CHECKPOINT_THRESHOLD,
                                 # a bulk insert buffers this many row groups before writing them
                                 "write_buffer_row_group_count": 1})
    try:
        # the copy is attached rather than opened: the row group size is an option of ATTACH
        con.execute(f"ATTACH {_literal(tmp)} AS {WORKING} (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute(f"USE {WORKING}")
    except duckdb.Error:
        con.close()
        raise
    return con


def _literal(path: Path) -> str:
    """A path as an SQL string literal (ATTACH and COPY take no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _migrate(con) -> None:
    """Add columns that a newer schema has and an older file lacks; rebuild a table whose columns lack
    the compression the schema asks for (DuckDB fixes it when the table is created)."""
    for t, spec in TABLES.items():
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
            "AND table_name = ?", [t]).fetchall()}
        for c, typ, _ in spec["columns"]:
            if c not in have:
                con.execute(f'ALTER TABLE "{t}" ADD COLUMN "{c}" {typ}')
        packed = spec.get("compression")
        sql = con.execute("SELECT sql FROM duckdb_tables() WHERE database_name = current_database() "
                          "AND schema_name = 'main' AND table_name = ?", [t]).fetchone()[0]
        if packed and not all(re.search(rf'(^|[(,\s])"?{re.escape(c)}"?\s+\w+\s+USING COMPRESSION {m}\b', sql, re.I)
                              for c, m in packed.items()):
            _rebuild(con, t)
        elif spec.get("key") and "PRIMARY KEY" not in sql.upper():
            # a file written before the schema declared its keys: rebuilt with them (a duplicate row
            # stops the refresh with DuckDB's message, naming the key)
            _rebuild(con, t)


def _rebuild(con, table: str) -> None:
    """Recreate a table with the schema's definition, keeping its rows in their order (DuckDB keeps
    the order of a plain scan, preserve_insertion_order; an ORDER BY would sort the whole table in
    memory: rebuilding the pages of 1,000 benchmark documents that way ran out of the writer's budget)."""
    cols = column_list(table)
    con.execute(f'ALTER TABLE "{table}" RENAME TO "_old_{table}"')
    con.execute(ddl(table))
    con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM "_old_{table}"')
    con.execute(f'DROP TABLE "_old_{table}"')


def _unnest(spec: list[tuple[str, str]]) -> str:
    """A select list that turns one list parameter per column into rows of the column's type."""
    return ", ".join(f'unnest(?::{typ}[]) AS "{c}"' for c, typ in spec)


class Writer:
    def __init__(self, con, spool: Path | None = None, connect=None):
        self.con = con
        self._connect = connect
        #: where the page text of each batch written waits for flush_pages (None: written at once)
        self.spool = spool
        self._spooled: list[Path] = []
        self._spooled_ids: set[str] = set()
        self._spooled_text = 0          # characters of page text spooled since the last flush
        self.budget_mb = int(_mb(WRITER_MEMORY_LIMIT))      # DuckDB's memory budget now (budget_for raises it)

    def _insert(self, table: str, rows: list[dict], catalog: str | None = None) -> None:
        if not rows:
            return
        cols = columns(table)
        unknown = set().union(*[r.keys() for r in rows]) - set(cols)
        if unknown:
            raise StoreError(f"table {table} has no column(s) {sorted(unknown)}")
        collist = column_list(table)
        target = qualified(table, catalog)
        if len(rows) < 8:
            sql = f'INSERT INTO {target} ({collist}) VALUES ({", ".join("?" * len(cols))})'
            self.con.executemany(sql, [tuple(r.get(c) for c in cols) for r in rows])
            return
        # many rows: one columnar insert, each column passed as one list (executemany costs a round
        # trip per row; a pandas frame would cost importing pandas, a fifth of an unchanged refresh)
        self.con.execute(f'INSERT INTO {target} ({collist}) SELECT {_unnest(column_types(table))}',
                         [[r.get(c) for r in rows] for c in cols])

    def budget_for(self, text_chars: int) -> None:
        """Make DuckDB's memory budget enough to write this much text (the writer's budget plus
        TEXT_MEMORY_FACTOR bytes per character, capped): a large document's write needs more than a
        batch of ordinary ones, and the budget adapts to it rather than failing the run. The budget
        stays raised for the rest of the writer's life (and its reopened connections): each later
        checkpoint may pin the large document's text again, and fails if it cannot."""
        need = budget_mb(text_chars)
        if need > self.budget_mb:
            self.budget_mb = need
            self.con.execute(f"SET memory_limit = '{need}MB'")

    def _stage(self, docs: list[dict], batch: list[dict[str, list[dict]]]) -> None:
        """Put the batch's rows, and nothing else, in the stage (a fresh in-memory database each time:
        rows deleted from an in-memory table would keep their memory)."""
        self.con.execute(f"DETACH DATABASE IF EXISTS {STAGE}")
        self.con.execute(f"ATTACH ':memory:' AS {STAGE}")
        for t in ["documents", *PER_DOCUMENT]:
            self.con.execute(ddl(t, STAGE))
        self._insert("documents", docs, STAGE)
        for t in PER_DOCUMENT:
            self._insert(t, [r for rows in batch for r in rows.get(t, [])], STAGE)

    def close_stage(self) -> None:
        self.con.execute(f"DETACH DATABASE IF EXISTS {STAGE}")

    def reopen(self) -> None:
        """Close the connection and open the working copy again (what is committed stays; the stage
        goes). DuckDB keeps every block it has written or read cached until its budget is full, so a
        long refresh's main process would grow with the corpus; a new connection starts with an empty
        cache."""
        if self._connect is None:
            return
        self.close_stage()
        self.con.close()
        self.con = self._connect()
        if self.budget_mb > _mb(WRITER_MEMORY_LIMIT):
            self.con.execute(f"SET memory_limit = '{self.budget_mb}MB'")

    def replace_document(self, rows: dict[str, list[dict]], version: str) -> None:
        """Replace every row of one document, in one transaction."""
        self.replace_documents([rows], version)

    def replace_documents(self, batch: list[dict[str, list[dict]]], version: str) -> None:
        """Replace every row of each document of the batch, in one transaction, and leave the batch's
        rows in the stage (the attached database STAGE, same tables) until the next batch.

        One DELETE and one INSERT per table for the whole batch: per-statement costs are paid once
        per batch, not once per document. The rows are converted once, into the stage, and copied
        from there (a transaction writes to one database only: the stage is filled before it)."""
        if not batch:
            return
        text = sum(len(r.get("text") or "") for rows in batch for r in rows.get("pages", []))
        self.budget_for(text)
        self._replace_documents(batch, version, text)

    def _replace_documents(self, batch: list[dict[str, list[dict]]], version: str, text: int) -> None:
        now = _now()
        ids = [rows["documents"][0]["document_id"] for rows in batch]
        if self._spooled_ids.intersection(ids):
            self.flush_pages()          # a document written again: its spooled pages must be deleted
        spool = self.spool is not None
        first = dict(self.con.execute("SELECT document_id, first_seen FROM documents "
                                      "WHERE list_contains(?, document_id)", [ids]).fetchall())
        docs = []
        for rows in batch:
            doc = dict(rows["documents"][0])
            doc.update({"extractor_version": version, "first_seen": first.get(doc["document_id"], now),
                        "extracted_at": now, "last_seen": now})
            docs.append(doc)
        self._stage(docs, batch)
        self.con.execute("BEGIN TRANSACTION")
        try:
            if first:
                old = list(first)
                self.con.execute("DELETE FROM documents WHERE list_contains(?, document_id)", [old])
                for t in PER_DOCUMENT:
                    self.con.execute(f'DELETE FROM "{t}" WHERE list_contains(?, document_id)', [old])
            for t in ["documents", *PER_DOCUMENT]:
                if t == "pages" and spool:
                    continue
                cols = column_list(t)
                # the stage's rows in their order (an old file may have its columns in another order)
                self.con.execute(f"INSERT INTO {qualified(t)} ({cols}) SELECT {cols} FROM {qualified(t, STAGE)} "
                                 "ORDER BY rowid")
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        if spool:
            # after the commit: only the pages of a batch that was written wait to be inserted
            self.spool.mkdir(exist_ok=True)
            f = self.spool / f"{len(self._spooled):06d}.parquet"
            cols = column_list("pages")
            self.con.execute(f"COPY (SELECT {cols} FROM {qualified('pages', STAGE)} ORDER BY rowid) "
                             f"TO {_literal(f)} (FORMAT parquet)")
            self._spooled.append(f)
            self._spooled_ids.update(ids)
            self._spooled_text += text

    def flush_pages(self) -> None:
        """Insert the page text spooled since the last flush into ``pages``, in one statement.

        Why the pages wait: a checkpoint merges the small row groups that each batch's insert leaves
        into larger ones, and merging page text held it in memory, more the larger the table (the
        refresh's main process peaked at 186 / 245 MB for 1,000 / 2,000 benchmark documents). Inserted
        together, they are written in full row groups that no checkpoint merges again, within a smaller
        memory budget. The writer flushes when it closes, before its last checkpoint; a reader of
        ``pages`` in the working copy before then calls this first."""
        if not self._spooled:
            return
        cols = column_list("pages")
        files = [str(f) for f in self._spooled]
        try:
            # a budget under half the text's size in MB is not tried: DuckDB can fail such a commit
            # in a way it does not roll back (the database invalidated), not only with an
            # OutOfMemoryException
            floor = (self._spooled_text >> 20) / 2
            budgets = [b for b in FLUSH_MEMORY_LIMITS if _mb(b) >= floor] or [WRITER_MEMORY_LIMIT]
            largest = budget_mb(self._spooled_text)
            if largest > _mb(WRITER_MEMORY_LIMIT):
                budgets.append(f"{largest}MB")
            for i, budget in enumerate(budgets):
                try:
                    # setting a budget fails too, when DuckDB already holds more than it
                    self.con.execute(f"SET memory_limit = '{budget}'")
                    self.con.execute(f"INSERT INTO pages ({cols}) SELECT {cols} FROM read_parquet(?)", [files])
                    break
                except (duckdb.OutOfMemoryException, duckdb.TransactionException):
                    # the statement is rolled back: nothing of it stays; a larger budget is tried
                    if i == len(budgets) - 1:
                        raise
        finally:
            # the writer's budget, as it was set (the setting reads back rounded, in MiB)
            self.con.execute(f"SET memory_limit = '{self.budget_mb}MB'")
        for f in self._spooled:
            f.unlink(missing_ok=True)
        self._spooled.clear()
        self._spooled_ids.clear()
        self._spooled_text = 0

    def touch(self, document_id: str, source_path: str) -> None:
        self.touch_many([(document_id, source_path)])

    def touch_many(self, docs: list[tuple[str, str]]) -> None:
        """Record that unchanged documents were seen again (and where), in one statement."""
        if not docs:
            return
        self.con.execute("UPDATE documents SET last_seen = ?, source_path = _seen.source_path "
                         f"FROM (SELECT {_unnest([('document_id', 'VARCHAR'), ('source_path', 'VARCHAR')])}) _seen "
                         "WHERE documents.document_id = _seen.document_id",
                         [_now(), [d for d, _ in docs], [p for _, p in docs]])

    def set_source_urls(self, urls: dict[str, tuple[str, str | None]]) -> None:
        """Record where fetched documents came from: {document_id: (source_url, fetched_at ISO)}."""
        if not urls:
            return
        ids = list(urls)
        self.con.execute(
            "UPDATE documents SET source_url = _u.url, fetched_at = CAST(_u.at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' "
            f"FROM (SELECT {_unnest([('document_id', 'VARCHAR'), ('url', 'VARCHAR'), ('at', 'VARCHAR')])}) _u "
            "WHERE documents.document_id = _u.document_id",
            [ids, [urls[d][0] for d in ids], [urls[d][1] for d in ids]])

    def mark_missing(self, document_id: str) -> None:
        self.con.execute("UPDATE documents SET status = 'missing', error = 'file no longer present at ' || "
                         "source_path WHERE document_id = ?", [document_id])

    def replace_sources(self, sources: list[dict], roots: list[str]) -> None:
        """Record every path seen under the refreshed roots; paths not seen again are marked not present."""
        now = _now()
        if sources:
            spec = [("document_id", "VARCHAR"), ("source_path", "VARCHAR"), ("sha256", "VARCHAR"), ("duplicate", "BOOLEAN")]
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS SELECT {_unnest(spec)}",
                             [[s["document_id"] for s in sources], [s["source_path"] for s in sources],
                              [s["sha256"] for s in sources], [bool(s["duplicate"]) for s in sources]])
            try:
                self.con.execute(
                    "CREATE OR REPLACE TEMP TABLE _kept AS SELECT d.source_path, d.first_seen FROM document_sources d "
                    "JOIN _src USING (source_path)")
                self.con.execute("DELETE FROM document_sources WHERE source_path IN (SELECT source_path FROM _src)")
                self.con.execute(
                    "INSERT INTO document_sources (document_id, source_path, sha256, duplicate, present, first_seen, "
                    "last_seen) SELECT s.document_id, s.source_path, s.sha256, s.duplicate, true, "
                    "coalesce(k.first_seen, ?), ? FROM _src s LEFT JOIN _kept k USING (source_path)", [now, now])
                self.con.execute("DROP TABLE _kept")
            finally:
                self.con.execute("DROP TABLE IF EXISTS _src")
        seen = [s["source_path"] for s in sources]
        for root in roots:
            self.con.execute("UPDATE document_sources SET present = false WHERE (source_path = ? OR "
                             "starts_with(source_path, ? || '/')) AND NOT list_contains(?, source_path)",
                             [root, root, seen])

    def insert(self, table: str, rows: list[dict]) -> None:
        """Append rows to a table."""
        self._insert(table, rows)

    def replace_table(self, table: str, rows: list[dict]) -> None:
        self.con.execute(f'DELETE FROM "{table}"')
        self._insert(table, rows)

    def log_run(self, run: dict) -> None:
        n = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM refresh_runs").fetchone()[0]
        self._insert("refresh_runs", [dict(run, run_id=n)])

    def create_views(self, views: dict[str, str]) -> list[str]:
        """CREATE OR REPLACE each view (name -> SELECT), in whatever order their dependencies need.

        Returns the views that could not be created, each with the reason."""
        tables = set(TABLES)
        pending = dict(views)
        errors: dict[str, str] = {}
        while pending:
            progress = False
            for name, sql in list(pending.items()):
                if name in tables:
                    errors[name] = "a table has this name"
                    del pending[name]
                    continue
                try:
                    self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS {sql}')
                    del pending[name]
                    errors.pop(name, None)
                    progress = True
                except duckdb.Error as e:
                    errors[name] = str(e).splitlines()[0]
            if not progress:
                break
        return [f"{n}: {errors[n]}" for n in pending] + [f"{n}: {e}" for n, e in errors.items() if n in tables]

    def execute(self, sql: str, params=None):
        return self.con.execute(sql, params or [])
