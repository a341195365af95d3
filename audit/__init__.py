"""Stage 4: the audit. Reads the stored tables and the reference tables, writes audit_findings.

``run(con)`` runs every rule of ``audit.rules.RULES`` on every report in the database
and returns the findings; ``reference_rows()`` gives the reference tables (from
normalise/reference/methodologies.json) that the rules read.
"""
from __future__ import annotations

from .rules import RULES, SEVERITY_ORDER, Ctx

__all__ = ["run", "RULES", "SEVERITY_ORDER", "rules_markdown"]

#: documents whose rows are read together
BATCH = 32


def rules_markdown() -> str:
    """The rule list for the README: name, what it checks, the inspectorate's source."""
    lines = ["| rule | what it checks | source |", "|---|---|---|"]
    for name, (_, doc, source) in RULES.items():
        lines.append(f"| `{name}` | {doc} | {source} |")
    lines.append("| `score_max` | (part of `score_sum`) the stated maximum is 3 points per rated standard. | methodology.md R5 |")
    lines.append("| `explanation_subject` | (part of `standard_band`) the sentence that explains a changed rating "
                 "names the standard it sits under. | internal consistency |")
    return "\n".join(lines)


def run(con, documents=None, source: str | None = None) -> list[dict]:
    """Run every rule on every report (or on the given document ids) and return the findings.

    With `source`, the name of an attached database with the same tables that holds just those
    documents (a refresh stages each batch it writes there), their rows are read from it, not from
    the whole database; the reference tables always come from the database itself."""
    ctx = Ctx(con, source=source)
    sql = ("SELECT document_id, format, kind, score, score_max, overall_rating, score_page, score_line, "
           f"overall_page, overall_line FROM {ctx.table('documents')} WHERE status = 'ok'")
    params = []
    if documents is not None:
        sql += " AND list_contains(?, document_id)"
        params = [sorted(documents)]
    docs = ctx.q(sql + " ORDER BY document_id", params)
    out: list[dict] = []
    # the rules read each table once per batch of documents (memory bounded by the batch, not the corpus)
    for i in range(0, len(docs), BATCH):
        batch = docs[i:i + BATCH]
        ctx.start_batch([d["document_id"] for d in batch])
        for d in batch:
            for name, (fn, _, _) in RULES.items():
                out.extend(fn(ctx, d))
            ctx.done(d["document_id"])
    return out
