"""Every rendering of a report (text or markdown, each PDF layout, the web page) gives the same rows:
the same values and standard codes in every extracted table, not only the same counts. Provenance
(page, line) and the wording of free text are allowed to differ between renderings; the values are
not."""
from __future__ import annotations

import re

import pytest

from conftest import gold_files, query, renderings

#: per table: the columns that must agree across renderings (text columns compared with spacing,
#: quotes and case folded)
COMPARED = {
    "documents": ["kind", "status", "provider_type", "published_year", "overall_rating", "score", "score_max",
                  "fieldwork_start", "lead_inspector"],
    "standard_ratings": ["standard_code", "domain", "rating", "previous_rating", "body_rating", "in_ratings_table"],
    "key_questions": ["standard_code", "question", "current_pct", "previous_pct", "comparator_pct",
                      "qualitative_only", "not_rated"],
    "prompts": ["standard_code", "prompt", "current_pct", "previous_pct"],
    "workforce": ["metric_code", "period", "value", "unit", "source"],
    "other_tables": ["metric", "period", "value", "unit"],
    "key_facts": ["value_text", "number", "unit", "source"],
    "recommendations": ["addressee", "number", "text"],
    "previous_recommendations": ["number", "text", "progress"],
    "previous_recommendations_summary": ["category", "count"],
    "case_samples": ["sample", "cases"],
}
REPORTS = [name for name in sorted(gold_files()) if len(renderings(name)) > 1]


def _fold(v):
    if isinstance(v, str):
        v = v.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
        return re.sub(r"\s+", " ", v).strip().lower()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _rows(db, table: str, did: str) -> list[tuple]:
    cols = COMPARED[table]
    rows = query(db, f"SELECT {', '.join(cols)} FROM {table} WHERE document_id = ?", [did])
    return sorted((tuple(_fold(v) for v in r) for r in rows), key=repr)


@pytest.mark.parametrize("table", list(COMPARED))
@pytest.mark.parametrize("report", REPORTS)
def test_every_rendering_gives_the_same_rows(corpus_db, report, table):
    db, _ = corpus_db
    docs = renderings(report)
    base = _rows(db, table, docs[0])
    for did in docs[1:]:
        other = _rows(db, table, did)
        missing = [r for r in base if r not in other]
        extra = [r for r in other if r not in base]
        assert not missing and not extra, (f"{table}: {did} against {docs[0]}: "
                                           f"{len(missing)} rows only in {docs[0]}, {len(extra)} only in {did}",
                                           missing[:3], extra[:3])


def test_every_gold_report_with_several_renderings_is_compared():
    assert len(REPORTS) == 3
    assert all(any(d.startswith("html/") for d in renderings(r)) for r in REPORTS)
