"""`inspections export`: every public table and view as Parquet or CSV files, for pandas, R, Spark
or a warehouse.

Layout of DIR (documented in docs/researchers.md):
    DIR/<table>.parquet  or  DIR/<table>.csv   one file per public table and view (header row in CSV)
    DIR/schema.json                            each file's columns, DuckDB types, descriptions, and
                                               how to read a CSV file back with its types
The files are written to a temporary folder inside DIR and moved into place only when all of them
are complete. Paths are exported relative to the folder the refresh read (``text/x.txt``), never
as the absolute paths of the machine that ran it.

Parquet is written by DuckDB and read by pandas through pyarrow (a dependency: pandas reads no
Parquet without pyarrow or fastparquet, and pyarrow is the engine pandas itself prefers).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .schema import TABLES

FORMATS = ("parquet", "csv")

#: how pandas reads each DuckDB type back from CSV (schema.json gives these per table: a code such
#: as '2.1' stays text, a count stays an integer with missing values allowed)
PANDAS_DTYPES = {"VARCHAR": "string", "INTEGER": "Int64", "BIGINT": "Int64", "DOUBLE": "float64",
                 "FLOAT": "float64", "BOOLEAN": "boolean", "HUGEINT": "Int64", "DECIMAL": "float64"}
#: the types pandas parses as dates
DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
#: columns that hold paths of the machine that ran the refresh (a file; the folders a run read)
PATH_COLUMNS = ("source_path", "paths")


class ExportError(Exception):
    pass


def _pandas_read(types: dict[str, str]) -> dict:
    """The arguments of pandas.read_csv that give a CSV file's columns their types back."""
    dtype, dates = {}, []
    for c, t in types.items():
        base = t.split("(")[0].upper()
        if base in DATE_TYPES:
            dates.append(c)
        elif base in PANDAS_DTYPES:
            dtype[c] = PANDAS_DTYPES[base]
        else:
            dtype[c] = "string"      # lists and other nested types: their text
    return {"dtype": dtype, "parse_dates": dates}


def _select(con, name: str, cols: list[str], root: str | None) -> str:
    """SELECT of a table or view for export: a path column relative to the refreshed folder."""
    out = []
    for c in cols:
        if c in PATH_COLUMNS and root:
            r = root.rstrip("/")
            lit, lit_slash = ("'" + x.replace("'", "''") + "'" for x in (r, r + "/"))
            out.append(f'CASE WHEN "{c}" = {lit} THEN \'.\' ELSE replace("{c}", {lit_slash}, \'\') END AS "{c}"')
        else:
            out.append(f'"{c}"')
    return f'SELECT {", ".join(out)} FROM "{name}"'


def _root(con, have: set[str]) -> str | None:
    """The folder every source path is under (what paths are exported relative to), if any."""
    if "document_sources" not in have:
        return None
    paths = [r[0] for r in con.execute("SELECT DISTINCT source_path FROM document_sources "
                                       "UNION SELECT DISTINCT source_path FROM documents").fetchall() if r[0]]
    if not paths:
        return None
    try:
        root = os.path.commonpath(paths)
    except ValueError:
        return None
    return os.path.dirname(root) if root in paths else root


def export(db: str, directory: str, fmt: str = "parquet", quiet: bool = False) -> dict[str, int]:
    """Write every public table and view of the database into `directory`; return rows per file."""
    import duckdb
    from .queries import load
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose {' or '.join(FORMATS)})")
    if not Path(db).is_file():
        raise ExportError(f"{db}: " + ("a folder, not a database file" if Path(db).is_dir()
                                       else "no such database (run `inspections refresh` first)"))
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    counts: dict[str, int] = {}
    con = None
    try:
        con = duckdb.connect(db, read_only=True)
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                 "WHERE table_schema = 'main'").fetchall())
        have = set(kinds)
        root = _root(con, have)
        queries = load()
        objects = [(t, "table", TABLES[t]["doc"]) for t in TABLES if kinds.get(t) == "BASE TABLE"]
        objects += [(q, "view", queries[q].summary) for q in queries if kinds.get(q) == "VIEW"]
        schema = {}
        for name, kind, doc in objects:
            types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                     "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                                     [name]).fetchall())
            target = tmp / f"{name}.{fmt}"
            opts = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
            con.execute(f"COPY ({_select(con, name, list(types), root)}) TO '{target.as_posix()}' ({opts})")
            counts[name] = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            described = {c: d for c, _, d in TABLES[name]["columns"]} if kind == "table" else {}
            schema[name] = {"kind": kind, "description": doc, "rows": counts[name], "file": target.name,
                            "columns": [{"name": c, "type": t, "description": described.get(c, "")}
                                        for c, t in types.items()],
                            "pandas_read_csv": _pandas_read(types)}
            if not quiet:
                print(f"  {name}: {counts[name]} rows", file=sys.stderr)
        (tmp / "schema.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        con.close()
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    except duckdb.Error as e:
        raise ExportError(f"{db}: export failed: {str(e).splitlines()[0]}") from e
    finally:
        if con is not None:
            try:
                con.close()
            except Exception:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    return counts


def read_csv(directory: str | Path, name: str):
    """Read one exported CSV file into pandas with the types schema.json gives its columns."""
    import pandas as pd
    d = Path(directory)
    spec = json.loads((d / "schema.json").read_text(encoding="utf-8"))[name]["pandas_read_csv"]
    return pd.read_csv(d / f"{name}.csv", dtype=spec["dtype"], parse_dates=spec["parse_dates"])
