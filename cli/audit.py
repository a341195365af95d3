"""``inspections audit``: print the findings of the audit per report, most serious first."""
from __future__ import annotations

import sys

import duckdb

from ..audit import SEVERITY_ORDER


def print_findings(db: str, out=None) -> int:
    """Print every stored finding (the database is only read) and return the number of unexplained
    contradictions."""
    out = out or sys.stdout
    con = duckdb.connect(db, read_only=True)
    try:
        rows = con.execute("""SELECT f.*, d.provider_name FROM audit_findings f JOIN documents d USING (document_id)
                              ORDER BY document_id""").fetchall()
        cols = [c[0] for c in con.description]
        n_docs = con.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
    finally:
        con.close()
    findings = [dict(zip(cols, r)) for r in rows]
    by_doc: dict[str, list[dict]] = {}
    for f in findings:
        by_doc.setdefault(f["document_id"], []).append(f)
    contradictions = 0
    for did in sorted(by_doc, key=lambda d: (min(SEVERITY_ORDER.get(f["severity"], 9) for f in by_doc[d]), d)):
        fs = sorted(by_doc[did], key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["page"] or 0, f["line"] or 0))
        print(f"\n{did}  ({fs[0]['provider_name']})", file=out)
        for f in fs:
            contradictions += f["severity"] == "contradiction"
            where = (f"page {f['page']}, " if f["page"] is not None else "") + f"line {f['line']}"
            print(f"  [{f['severity']}] {f['rule']} / {f['subject']}: expected {f['expected']}, stated {f['stated']} "
                  f"({where})", file=out)
            print(f"      {f['message']}", file=out)
            if f["explained_by"]:
                print(f"      explained by {f['explained_by']}", file=out)
            if f["evidence"]:
                print(f"      evidence: {f['evidence'][:300]}", file=out)
            if f["rule_status"] and f["rule_status"] != "confirmed":
                print(f"      rule status: {f['rule_status']} (not confirmed by the inspectorate's published sources)",
                      file=out)
    print(f"\n{len(findings)} findings in {len(by_doc)} of {n_docs} reports; "
          f"{contradictions} unexplained contradictions", file=out)
    return contradictions
