"""The researchers' queries: `queries/NAME.sql`, each a SELECT with a comment header.

The same files become views of the same names at every refresh (so that
`SELECT * FROM league_table` works in any DuckDB client) and are run by
`inspections query NAME`.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import PACKAGE_ROOT

#: the queries/ folder of the package (the checkout's top-level queries/)
QUERY_DIR = PACKAGE_ROOT / "queries"


class QueryError(Exception):
    """A query could not be found or run (the message says which and why)."""


@dataclass(frozen=True)
class Query:
    name: str
    sql: str          # the SELECT, without its trailing semicolon
    header: str       # the comment header: what it answers, what its columns mean

    @property
    def summary(self) -> str:
        text = " ".join(self.header.split("Columns:", 1)[0].split())
        text = text.split(":", 1)[1].strip() if text.startswith(self.name + ":") else text
        return text if len(text) <= 110 else text[:107] + "..."


def load(directory: Path = QUERY_DIR) -> dict[str, Query]:
    out: dict[str, Query] = {}
    for f in sorted(directory.glob("*.sql")):
        text = f.read_text(encoding="utf-8")
        header = "\n".join(l[2:].strip() if l.startswith("--") else "" for l in text.splitlines()
                           if l.startswith("--")).strip()
        body = "\n".join(l for l in text.splitlines() if not l.startswith("--")).strip().rstrip(";").strip()
        out[f.stem] = Query(f.stem, body, header)
    return out


def run(db: str, name: str, where: str | None = None):
    """Run query NAME on the database (read-only) and return a pandas DataFrame."""
    import duckdb
    queries = load()
    if name not in queries:
        raise QueryError(f"no query named {name!r}; the queries are: {', '.join(queries)}")
    if not Path(db).exists():
        raise QueryError(f"{db}: no such database (run `inspections refresh` first)")
    sql = queries[name].sql
    if where:
        sql = f"SELECT * FROM ({sql}) WHERE {where}"
    con = duckdb.connect(db, read_only=True)
    try:
        return con.execute(sql).df()
    except duckdb.Error as e:
        raise QueryError(f"{db}: query {name} failed: {str(e).splitlines()[0]}") from e
    finally:
        con.close()


def print_result(df, fmt: str = "table", out=None) -> None:
    out = out or sys.stdout
    if fmt == "csv":
        df.to_csv(out, index=False)
    elif fmt == "json":
        out.write(json.dumps(json.loads(df.to_json(orient="records", date_format="iso")), indent=2) + "\n")
    else:
        import pandas as pd
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 40):
            shown = df.astype(object).where(df.notna(), "")
            out.write((shown.to_string(index=False) if len(df) else "(no rows)") + "\n")
            out.write(f"({len(df)} rows)\n")
