"""When the fieldwork took place and who led the inspection, only where the report says."""
from __future__ import annotations

from datetime import date

import pytest

from hmip_inspections.extract.fieldwork import inspection_facts


def _s(*texts: str) -> list:
    return [(None, t, None, k + 1, None) for k, t in enumerate(texts)]


@pytest.mark.parametrize("text,start,month", [
    ("We conducted fieldwork in Liverpool North PDU over the period of a week, beginning 24 April 2023.",
     date(2023, 4, 24), "2023-04"),
    ("Fieldwork started on 3rd June 2019 and lasted two weeks.", date(2019, 6, 3), "2019-06"),
    ("An inspection team visited the area for two full weeks in July 2017.", None, "2017-07"),
    ("Fieldwork took place in March 2022.", None, "2022-03"),
    ("During the main fieldwork phase, we interviewed 72 individual responsible officers.", None, None),
    ("The report was published in May 2020, six months after our visit.", None, None),
])
def test_fieldwork(text, start, month):
    r = inspection_facts(_s(text))
    assert (r["fieldwork_start"], r["fieldwork_month"]) == (start, month)
    assert r["fieldwork_line"] == (1 if month else None)


@pytest.mark.parametrize("text,name", [
    ("This inspection was led by HM Inspector Leon Bonas, supported by a team of inspectors.", "Leon Bonas"),
    ("Lead inspector: Jane Smith", "Jane Smith"),
    ("Domain one ratings are proposed by the lead inspector for each standard.", None),
])
def test_lead_inspector(text, name):
    assert inspection_facts(_s(text))["lead_inspector"] == name
