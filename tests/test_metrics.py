"""Workforce metric codes: the mapping (kept as data) gives each printed row the code researchers compare on."""
from __future__ import annotations

import json

import pytest

from conftest import GOLD, query
from hmip_inspections.normalise.workforce import metric_code

# printed row texts of the corpus's key staffing and caseload tables, with the code a researcher expects
EXPECTED = {
    "Total staff headcount (FTE)": "staff_fte_total",
    "Total number of probation officers or equivalent (FTE)": "po_fte",
    "Total number of probation services officers or equivalent (FTE)": "pso_fte",
    "Vacancy rate (total number of unfilled posts as a percentage of total staff headcount)": "vacancy_rate",
    "Vacancy rate of probation officer (PO) or equivalent grade only (total number of unfilled posts as a "
    "percentage of total number of required PO posts)": "vacancy_rate_po",
    "Sickness absence rate (all staff)": "sickness_days_per_year",
    "Staff attrition (percentage of all staff leaving in 12-month period)": "attrition_rate",
    "Average caseload PO (FTE)": "caseload_po",
    "Average caseload probation services officer (PSO) (FTE)": "caseload_pso",
    "Proportion of POs (or equivalent) in this CRC describing caseload as unmanageable": "unmanageable_po_pct",
    "Proportion of PSOs (or equivalent) in this CRC describing caseload as unmanageable": "unmanageable_pso_pct",
}


@pytest.mark.parametrize("metric", sorted(EXPECTED))
def test_metric_code(metric):
    assert metric_code(metric) == EXPECTED[metric]


def test_every_gold_table_row_has_a_code_and_codes_are_distinct_per_table():
    rows = []
    for f in sorted(GOLD.glob("*.json")):
        g = json.loads(f.read_text(encoding="utf-8"))
        rows += [(f.name, r["table"], r["metric"]) for r in (g.get("staffing") or []) + (g.get("caseload") or [])
                 if r.get("source", "table") == "table"]
    assert rows
    seen: dict[tuple, str] = {}
    for name, table, metric in rows:
        code = metric_code(metric)
        assert code, (name, metric)
        assert seen.setdefault((name, table, code), metric) == metric, (name, code)


def test_stored_codes_are_distinct_per_table(corpus_db):
    db, _ = corpus_db
    dup = query(db, "SELECT document_id, table_name, metric_code, period, count(DISTINCT metric) FROM workforce "
                    "WHERE source = 'table' GROUP BY ALL HAVING count(DISTINCT metric) > 1")
    assert dup == []
