"""The researchers' queries: `queries/NAME.sql`, each a SELECT with a comment header.

The same files become views of the same names at every refresh (so that
`SELECT * FROM league_table` works in any DuckDB client) and are run by
`inspections query NAME`.
"""
from __future__ import annotations

import json
import shutil
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
        width = shutil.get_terminal_size((120, 24)).columns
        out.write(table_text(df, width) + "\n")


#: a text column is never cut narrower than this many characters to make a table fit
MIN_COLUMN = 6
#: nor narrower than its header, up to this many characters of it
HEADER_KEPT = 14


def _cell(v) -> str:
    """A value as the table shows it: empty for a missing value, no '.0' on a whole float."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.10g}"
    if isinstance(v, (list, tuple)) or type(v).__name__ == "ndarray":
        return ", ".join(_cell(x) for x in v)
    try:
        import pandas as pd
        if v is pd.NA or v is pd.NaT:
            return ""
    except ImportError:
        pass
    return " ".join(str(v).split())


def table_text(df, width: int = 120) -> str:
    """A frame as a table for a terminal `width` characters wide, as the duckdb CLI prints one: text
    left-aligned, numbers right-aligned, missing values empty, the widest text cut with an ellipsis
    until the table fits; then the number of rows ('1 row', 'no rows'). --csv and --json print every
    character."""
    if len(df) == 0:
        return " | ".join(map(str, df.columns)) + "\nno rows" if len(df.columns) else "no rows"
    cols = [str(c) for c in df.columns]
    cells = [[_cell(v) for v in df[c].tolist()] for c in df.columns]
    numeric = [df[c].dtype.kind in "iuf" for c in df.columns]
    widths = [max([len(h)] + [len(x) for x in col]) for h, col in zip(cols, cells)]
    def over() -> int:
        """How many characters the table is wider than the terminal (columns joined by ' | ')."""
        return sum(widths) + 3 * (len(widths) - 1) - width

    # text is cut, widest first, down to its header (at most HEADER_KEPT characters of it)
    floors = [w if n else min(w, max(MIN_COLUMN, min(len(h), HEADER_KEPT))) for h, w, n in zip(cols, widths, numeric)]
    while over() > 0:
        k = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[k] <= floors[k]:
            break
        widths[k] = max(floors[k], widths[k] - over())
    # still too wide: the last columns are left out, and the footer says so
    hidden = 0
    while len(widths) > 1 and over() > 0:
        for lst in (cols, cells, numeric, widths):
            lst.pop()
        hidden += 1

    def fit(text: str, w: int, right: bool) -> str:
        if len(text) > w:
            text = text[:w - 1] + "…"
        return text.rjust(w) if right else text.ljust(w)

    lines = [" | ".join(fit(h, w, n) for h, w, n in zip(cols, widths, numeric)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    for r in range(len(df)):
        lines.append(" | ".join(fit(col[r], w, n) for col, w, n in zip(cells, widths, numeric)).rstrip())
    lines.append(("1 row" if len(df) == 1 else f"{len(df)} rows")
                 + (f"; {hidden} more column{'s' if hidden > 1 else ''} not shown (--csv or --json print every "
                    "column)" if hidden else ""))
    return "\n".join(lines)
