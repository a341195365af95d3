"""`inspections export`: every public table as Parquet or CSV files, for pandas, R, Spark or a warehouse.

Layout of DIR (documented in docs/researchers.md):
    DIR/<table>.parquet  or  DIR/<table>.csv   one file per public table (header row in CSV)
    DIR/schema.json                            every table's columns, DuckDB types and descriptions
The files are written to a temporary folder inside DIR and moved into place
only when all of them are complete.
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


class ExportError(Exception):
    pass


def export(db: str, directory: str, fmt: str = "parquet", quiet: bool = False) -> dict[str, int]:
    import duckdb
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose {' or '.join(FORMATS)})")
    if not Path(db).exists():
        raise ExportError(f"{db}: no such database (run `inspections refresh` first)")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    counts: dict[str, int] = {}
    con = duckdb.connect(db, read_only=True)
    try:
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                          "WHERE table_type = 'BASE TABLE'").fetchall()}
        schema = {}
        for t, spec in TABLES.items():
            if t not in have:
                continue
            target = tmp / f"{t}.{fmt}"
            opts = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
            con.execute(f"COPY (SELECT * FROM \"{t}\") TO '{target.as_posix()}' ({opts})")
            counts[t] = con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                     "WHERE table_name = ?", [t]).fetchall())
            schema[t] = {"description": spec.get("doc", ""), "rows": counts[t], "file": target.name,
                         "columns": [{"name": c, "type": types.get(c, typ), "description": d}
                                     for c, typ, d in spec["columns"]]}
            if not quiet:
                print(f"  {t}: {counts[t]} rows", file=sys.stderr)
        (tmp / "schema.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        con.close()
        for f in tmp.iterdir():
            os.replace(f, out / f.name)
    except duckdb.Error as e:
        raise ExportError(f"{db}: export failed: {str(e).splitlines()[0]}") from e
    finally:
        try:
            con.close()
        except Exception:
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    return counts
