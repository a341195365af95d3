"""When the inspection's fieldwork took place, and who led the inspection, as the report says.

"We conducted fieldwork in Liverpool North PDU over the period of a week, beginning 24 April
2023" gives the day the fieldwork began; "An inspection team visited the area for two full weeks
in July 2017" gives only its month. "This inspection was led by HM Inspector Leon Bonas" names the
lead inspector. A report that does not say is left without (no date is guessed from case notes or
publication dates).
"""
from __future__ import annotations

import re
from datetime import date

from .document import MONTHS

_MONTH = rf"(?P<month>{'|'.join(MONTHS)})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
#: the day fieldwork began
START_RES = [
    re.compile(r"\bfieldwork\b[^.]{0,120}?\b(?:beginning|starting|commencing|began on|started on|from|on)\s+"
               rf"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday)\s+)?{_DAY}\s+{_MONTH}\s+(?P<year>\d{{4}})", re.I),
    re.compile(rf"\bfieldwork (?:began|started|commenced) on\s+{_DAY}\s+{_MONTH}\s+(?P<year>\d{{4}})", re.I),
]
#: only the month
MONTH_RES = [
    re.compile(rf"\bfieldwork\b[^.]{{0,80}}?\b(?:in|during)\s+{_MONTH}\s+(?P<year>\d{{4}})", re.I),
    re.compile(r"\b(?:inspection team|inspectors|we)\s+(?:visited|were in|spent)[^.]{0,80}?\b(?:in|during)\s+"
               rf"{_MONTH}\s+(?P<year>\d{{4}})", re.I),
]
_NAME = r"(?P<name>[A-Z][a-z’'\-]+(?:\s+[A-Z][a-z’'\-]+){1,3})"
LEAD_RES = [
    re.compile(r"\b(?:This|The) inspection was led by (?:HM |His Majesty['’]s |Her Majesty['’]s )?(?:Assistant )?"
               rf"(?:Chief )?Inspectors?\s+{_NAME}"),
    re.compile(rf"\b[Ll]ead [Ii]nspector:?\s+{_NAME}"),        # names are capitalised: no re.I
]


def inspection_facts(sentences: list) -> dict:
    """Given sentences (prose.Sentence), return {fieldwork_start (date or None),
    fieldwork_month ('YYYY-MM' or None), fieldwork_text, fieldwork_page, fieldwork_line,
    lead_inspector, lead_inspector_line}; None where the report does not say."""
    out: dict = {"fieldwork_start": None, "fieldwork_month": None, "fieldwork_text": None, "fieldwork_page": None,
                 "fieldwork_line": None, "lead_inspector": None, "lead_inspector_line": None}
    for _section, text, page, line, *_ in sentences:
        if out["fieldwork_start"] is None:
            for rx in START_RES:
                m = rx.search(text)
                if m:
                    try:
                        d = date(int(m.group("year")), MONTHS.index(m.group("month").capitalize()) + 1, int(m.group("day")))
                    except ValueError:
                        continue
                    out.update(fieldwork_start=d, fieldwork_month=f"{d.year:04d}-{d.month:02d}", fieldwork_text=text,
                               fieldwork_page=page, fieldwork_line=line)
                    break
        if out["fieldwork_month"] is None:
            for rx in MONTH_RES:
                m = rx.search(text)
                if m:
                    out.update(fieldwork_month=f"{int(m.group('year')):04d}-{MONTHS.index(m.group('month').capitalize()) + 1:02d}",
                               fieldwork_text=text, fieldwork_page=page, fieldwork_line=line)
                    break
        if out["lead_inspector"] is None:
            for rx in LEAD_RES:
                m = rx.search(text)
                if m:
                    out.update(lead_inspector=m.group("name"), lead_inspector_line=line)
                    break
    return out
