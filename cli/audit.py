"""``inspections audit``: print the audit's findings per report, most serious first.

A report is one inspection whatever number of renderings (text, PDF, web page) the corpus holds:
its findings are printed and counted once, from the rendering the queries read (the ``reports``
view), and renderings that read differently are listed as such (``rendering_disagreements``)."""
from __future__ import annotations

import sys

import duckdb

from ..audit import SEVERITY_ORDER
from .summary import plural


def _q(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _views(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}


def print_findings(db: str, out=None) -> int:
    """Print every stored finding, once per report (the database is only read), and return the
    number of unexplained contradictions, counted once per report."""
    out = out or sys.stdout
    con = duckdb.connect(db, read_only=True)
    try:
        findings = _q(con, "SELECT f.*, d.provider_name FROM audit_findings f JOIN documents d USING (document_id) "
                           "ORDER BY document_id")
        views = _views(con)
        if "reports" in views:
            reports = _q(con, "SELECT document_id, renderings FROM reports")
        else:       # a database written before the views existed: each document is a report
            reports = [{"document_id": d, "renderings": [d]} for (d,) in con.execute(
                "SELECT document_id FROM documents WHERE status = 'ok'").fetchall()]
        disagree = _q(con, "SELECT * FROM rendering_disagreements") if "rendering_disagreements" in views else []
    finally:
        con.close()
    shown = {r["document_id"]: list(r["renderings"]) for r in reports}
    by_doc: dict[str, list[dict]] = {}
    for f in findings:
        if f["document_id"] in shown:
            by_doc.setdefault(f["document_id"], []).append(f)
    contradictions = 0
    for did in sorted(by_doc, key=lambda d: (min(SEVERITY_ORDER.get(f["severity"], 9) for f in by_doc[d]), d)):
        fs = sorted(by_doc[did], key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["page"] or 0, f["line"] or 0))
        others = [r for r in shown[did] if r != did]
        print(f"\n{fs[0]['provider_name'] or did}: {did}"
              + (f" (also read from {', '.join(others)})" if others else ""), file=out)
        for f in fs:
            contradictions += f["severity"] == "contradiction"
            print(f"  [{f['severity']}] {f['rule']} / {f['subject']}: expected {_v(f['expected'])}, stated "
                  f"{_v(f['stated'])} ({_where(f['page'], f['line'])}"
                  + (f"; against {_where(f['other_page'], f['other_line'])}" if f.get("other_line") else "") + ")",
                  file=out)
            print(f"      {f['message']}", file=out)
            if f["explained_by"]:
                print(f"      explained by {f['explained_by']}", file=out)
            if f["evidence"]:
                print(f"      evidence: {f['evidence'][:300]}", file=out)
            if f["rule_status"] and f["rule_status"] != "confirmed":
                print(f"      rule status: {f['rule_status']} (not confirmed by the inspectorate's published sources)",
                      file=out)
    if disagree:
        print("\nRenderings that read differently (one of them is misread, or the publisher's differ):", file=out)
        for d in disagree:
            print(f"  {d['provider_name']} {d['published_year'] or ''}: {d['item']}: {d['values']}", file=out)
    n = len(shown)
    print(f"\n{plural(sum(len(v) for v in by_doc.values()), 'finding')} in {len(by_doc)} of {plural(n, 'report')}"
          f" ({plural(sum(len(v) for v in shown.values()), 'rendering')}); "
          f"{plural(contradictions, 'unexplained contradiction')}"
          + (f"; {plural(len(disagree), 'item')} read differently by the renderings of a report" if disagree else ""),
          file=out)
    return contradictions


def _v(value) -> str:
    return "-" if value is None else str(value)


def _where(page, line) -> str:
    if line is None:
        return "place unknown" if page is None else f"page {page}"
    return (f"page {page}, " if page is not None else "") + f"line {line}"
