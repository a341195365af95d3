"""Numbered tables ('Table 4: ...'): numeric rows are read, tables of words give none."""
from __future__ import annotations

from pathlib import Path

from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.tables import numbered_tables
from mutate import rewrap


def _rows(text: str) -> list[dict]:
    rows, _ = numbered_tables(document_from_text(text, Path("x.txt")))
    return rows


FIGURE_BESIDE_LABEL = """Some prose about needs and the services that meet them, running on for a line.

Table 4: Sufficiency scores from the inspection findings relating to the most
prevalent assessed needs, listed in priority order.

Assessed need (in order of priority) % of cases where sufficient
interventions delivered

Thinking and behaviour 42

Drug misuse 35

Aged 18 to 25 12

There had been no recent analysis of the offending-related and other needs of the
caseload since 2016, and 14 of the cases had no plan.
"""

FIGURES_BELOW_LABEL = """Table 11: Findings scores for the Trust during the 2012 inspection.

Scores from the regions
inspected to that point

Scores for
the Trust

Lowest Highest Average

'Control' - 'Risk of Harm to others'
work (action to protect the public)

64% 83% 74% 82%

'Help' and 'Change' - Likelihood of
Reoffending work

(individual less likely to reoffend)

62% 82% 73% 81%

We considered this a very creditable set of findings, and said so at the time.
"""

WORDS = """Table 1: Enablers and barriers for the CRC relating to the inspection domain of
protecting the public.

Enablers
Good partnership work with the police
Barriers
High caseloads in 2016
Staff turnover

The CRC had made progress since the last inspection, as the following section shows.
"""


def test_a_figure_beside_its_label_is_a_row_and_the_table_ends_at_prose():
    rows = _rows(FIGURE_BESIDE_LABEL)
    assert [(r["label"], [c["text"] for c in r["cells"]]) for r in rows] == [
        ("Thinking and behaviour", ["42"]), ("Drug misuse", ["35"]), ("Aged 18 to 25", ["12"])]
    assert rows[0]["caption"].startswith("Table 4: Sufficiency scores") and rows[0]["caption"].endswith("order.")
    assert rows[0]["header"] == "Assessed need (in order of priority) % of cases where sufficient interventions delivered"
    assert rows[0]["line"] == 9 and rows[0]["table_line"] == 3


def test_figures_below_a_wrapped_label_are_one_row_and_the_header_is_kept_apart():
    rows = _rows(FIGURES_BELOW_LABEL)
    assert [r["label"] for r in rows] == [
        "'Control' - 'Risk of Harm to others' work (action to protect the public)",
        "'Help' and 'Change' - Likelihood of Reoffending work (individual less likely to reoffend)"]
    assert [c["text"] for c in rows[1]["cells"]] == ["62%", "82%", "73%", "81%"]
    assert rows[0]["line"] == 11 and rows[0]["cells"][0]["line"] == 14
    assert rows[0]["header"].endswith("Lowest Highest Average")


def test_a_table_of_words_gives_no_rows_even_with_a_stray_year():
    assert _rows(WORDS) == []


def test_rewrapped_prose_around_a_table_changes_nothing():
    for text in (FIGURE_BESIDE_LABEL, FIGURES_BELOW_LABEL):
        before = [(r["label"], [c["text"] for c in r["cells"]]) for r in _rows(text)]
        assert before and [(r["label"], [c["text"] for c in r["cells"]]) for r in _rows(rewrap(text, 50))] == before


UNTITLED = """Does the CRC provide the volume, range and quality of services to meet the
needs of the service users?

 Previous
inspection

Current
inspection

Average waiting time for BBR Information not
available

13–26 weeks

Successful completion of accredited
programmes

Information not
available

87%

An excellent range of services are available, including programmes for women and a
thinking skills course, and more are planned for next year.

Is planning sufficiently focused on engaging the service user?

Previous
inspection

Current
inspection

Is the service user meaningfully involved in planning, and are their
views taken into account?

55% 61%
"""


def test_an_untitled_data_table_is_read_under_its_question_and_a_question_table_is_not():
    from hmip_inspections.extract.workforce import workforce_tables
    rows, _ = workforce_tables(document_from_text(UNTITLED, Path("x.txt")))
    assert [(r["table_name"], r["metric"], {c: v["text"] for c, v in r["cells"].items()}, r["periods"])
            for r in rows] == [
        ("Does the CRC provide the volume, range and quality of services to meet the needs of the service users?",
         "Average waiting time for BBR", {"previous": "Information not available", "current": "13–26 weeks"},
         "inspection"),
        ("Does the CRC provide the volume, range and quality of services to meet the needs of the service users?",
         "Successful completion of accredited programmes", {"previous": "Information not available",
                                                            "current": "87%"}, "inspection")]


YEARS = """Table 2: Orders made in the area, by year.

Order 2016 2017

Community orders 1,200 1,350

Suspended sentence orders 640 702

The number of orders rose in both years, as the next section describes in more detail.
"""


def test_a_header_of_years_is_a_header_not_a_row():
    rows = _rows(YEARS)
    assert [(r["label"], [c["text"] for c in r["cells"]]) for r in rows] == [
        ("Community orders", ["1,200", "1,350"]), ("Suspended sentence orders", ["640", "702"])]
    assert rows[0]["header"] == "Order 2016 2017"
