"""Workforce values: numbers and units from printed cells, stable metric codes from reference data."""
from __future__ import annotations

import re
from functools import lru_cache

from .reference import metrics

#: the period a table's column covers: staffing, caseload and unpaid work key data compare the year to
#: the inspection with the year before; other data tables compare inspections, or this CRC with all
#: CRCs ("All CRCs in year one" / "This CRC in current inspection"). The extractor says which, from
#: the column header.
PERIODS = {"year": {"previous": "previous_year", "current": "current_year", "comparator": "comparator"},
           "inspection": {"previous": "previous_inspection", "current": "current_inspection",
                          "comparator": "comparator"}}


def period(periods: str, column: str) -> str:
    """Given what a table's columns compare ('year' or 'inspection') and a column ('previous',
    'current', 'comparator'), return the column's period name."""
    return PERIODS[periods].get(column, column)


@lru_cache(maxsize=1)
def _metrics() -> list[tuple[str, re.Pattern]]:
    return [(m["code"], re.compile(m["pattern"], re.I)) for m in metrics()["metrics"]]


def metric_code(metric: str) -> str | None:
    """Given a metric's printed text, return its stable code, or None if no pattern matches."""
    for code, rx in _metrics():
        if rx.search(metric):
            return code
    return None


def parse_value(text: str, metric: str, table: str) -> tuple[float | None, str | None, str | None]:
    """Given a printed cell, return (value, unit, note). Words that qualify a number keep it out of value."""
    t = re.sub(r"\s+", " ", text).strip()
    m = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)\s*(%|days per year|days)?", t)
    if not m:
        return None, ("percent" if "%" in t else None), t
    v = float(m.group(1).replace(",", ""))
    v = int(v) if v.is_integer() else v
    suffix = m.group(2)
    if suffix == "%":
        unit = "percent"
    elif suffix and suffix.startswith("days"):
        unit = "days per year"
    elif re.search(r"caseload", metric, re.I) or re.search(r"caseload", table, re.I):
        unit = "cases"
    elif re.search(r"\bFTE\b", metric):
        unit = "FTE"
    else:
        unit = "count"
    return v, unit, None
