"""Stage 4: the audit. Reads the stored tables and the reference tables, returns findings.

Each rule lives in the module of its family (``ratings``, ``prose_tables``, ``prose_prose``,
``staffing``, ``text_quality``) and is registered in ``registry.RULES`` with its name, what it
checks and its source. ``run(con)`` runs every rule on every report in the database (or on some
documents) and returns the findings.

Severities:
  contradiction    the report's own figures disagree and nothing in it explains why
  minor            a small slip: a rounding, a figure called 'the same' that differs by one
  explained        a difference the report explains (professional discretion, moderation)
  unverified_rule  a disagreement with a rule or band the sources do not confirm
  info             worth knowing, not a contradiction (the previous ratings against the previous figures,
                   an unresolved cross-reference, a repeated sentence)
"""
from __future__ import annotations

# the families register their rules on import, in this order (the order the rules run in)
from . import ratings, prose_tables, prose_prose, staffing, text_quality  # noqa: F401
from .common import SEVERITY_ORDER, Ctx
from .registry import RULES, Rule, checks, rules_markdown

__all__ = ["run", "RULES", "Rule", "SEVERITY_ORDER", "rules_markdown"]

#: documents whose rows are read together
BATCH = 32


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
    rules = checks()
    # the rules read each table once per batch of documents (memory bounded by the batch, not the corpus)
    for i in range(0, len(docs), BATCH):
        batch = docs[i:i + BATCH]
        ctx.start_batch([d["document_id"] for d in batch])
        for d in batch:
            for r in rules:
                out.extend(r.check(ctx, d))
            ctx.done(d["document_id"])
    return out
