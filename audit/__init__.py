"""Stage 4: the audit. Reads the stored tables and the reference tables, returns findings.

Each rule lives in the module of its family (``ratings``, ``prose_tables``, ``prose_prose``,
``counts``, ``staffing``, ``text_quality``) and is registered in ``registry.RULES`` with its name, what it
checks and its source. ``run(con)`` runs every rule on every report in the database (or on some
documents) and returns the findings.

Severities:
  contradiction    the report's own figures disagree and nothing in it explains why
  minor            a small slip: a rounding, a figure called 'the same' that differs by one
  explained        a difference the report explains (professional discretion, moderation)
  possible         likely, but another reading of the sentence exists (the alignment of prose and table
                   is uncertain): said with why
  unverified       the finding rests on a reading an extraction check flags (a table read in part, a
                   count the report states otherwise): it may be a misreading, not the report's error
  unverified_rule  a disagreement with a rule or band the sources do not confirm
  info             worth knowing, not a contradiction (the previous ratings against the previous figures,
                   an unresolved cross-reference, a repeated sentence)
"""
from __future__ import annotations

# the families register their rules on import, in this order (the order the rules run in)
from . import ratings, prose_tables, prose_prose, counts, staffing, text_quality  # noqa: F401
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
    flagged = _flagged(ctx, [d["document_id"] for d in docs])
    out: list[dict] = []
    rules = checks()
    # the rules read each table once per batch of documents (memory bounded by the batch, not the corpus)
    for i in range(0, len(docs), BATCH):
        batch = docs[i:i + BATCH]
        ctx.start_batch([d["document_id"] for d in batch])
        for d in batch:
            for r in rules:
                out.extend(unverified(f, flagged.get(d["document_id"], [])) for f in r.check(ctx, d))
            ctx.done(d["document_id"])
    return out


#: the subjects of extraction checks that every finding of a rule rests on (besides its own subject)
RESTS_ON = {"score_sum": {"ratings"}, "score_max": {"ratings"}, "overall_band": {"ratings"},
            "pdu_leadership": {"ratings"}, "recommendation_progress": {"previous recommendations"},
            "caseload_vs_facts": {"key facts"}, "rated_count": {"ratings"}}
#: the severities a flagged reading turns into 'unverified' (a difference the report may not have)
_DOUBTED = {"contradiction", "minor", "possible"}


def _flagged(ctx: Ctx, documents: list[str]) -> dict[str, list[dict]]:
    """{document: its extraction checks} for the documents audited (none where the table is absent)."""
    if not documents:
        return {}
    try:
        rows = ctx.q(f"SELECT document_id, subject, message FROM {ctx.table('extraction_checks')} "
                     "WHERE list_contains(?, document_id)", [documents])
    except Exception:       # a database written before extraction checks existed
        return {}
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["document_id"], []).append(r)
    return out


def unverified(finding: dict, checks: list[dict]) -> dict:
    """Given a finding and its document's extraction checks, return it as 'unverified', with the
    reason, when it rests on a flagged reading: a check on its subject (a standard's key questions,
    the recommendations) or on a table its rule reads (the ratings for the score)."""
    if finding["severity"] not in _DOUBTED or not checks:
        return finding
    subjects = {finding["subject"]} | RESTS_ON.get(finding["rule"], set())
    hits = [c for c in checks if c["subject"] in subjects]
    if not hits:
        return finding
    why = "; ".join(c["message"] for c in hits)
    return {**finding, "severity": "unverified",
            "message": f"{finding['message']} [unverified, was {finding['severity']}: the reading it rests on is "
                       f"flagged by an extraction check: {why}]"}
