"""The case samples an inspection read, from the sentences that state them."""
from __future__ import annotations

import pytest

from hmip_inspections.extract.samples import case_samples


def _s(*texts: str) -> list:
    return [(None, t, None, k + 1, None) for k, t in enumerate(texts)]


def test_parts_joined_by_and_are_added_and_the_largest_statement_is_the_sample():
    rows = case_samples(_s(
        "We inspected 76 community sentence cases and 38 post-release supervision cases; interviewed 72 "
        "responsible officers.",
        "We inspected the management of 40 unpaid work requirements, looking at assessment and planning.",
        "We inspected the management of 33 cases where the CRC had delivered pre-release Through the Gate work.",
        "We examined 114 cases from across all LDUs.",
        "We examined 33 custodial cases in which the individual had been released on licence."))
    assert [(r["sample"], r["cases"], r["line"]) for r in rows] == [
        ("case_supervision", 114, 1), ("unpaid_work", 40, 2), ("through_the_gate", 33, 3)]


@pytest.mark.parametrize("text,expected", [
    ("In West Mercia, the sample consisted of 61 cases, 40 of which were CRC cases.", 61),
    ("We inspected 41 cases where sentences and licences had commenced between 26 September 2022 and "
     "2 October 2022.", 41),
    ("Inspectors examined a total of twenty-one cases.", 21),
])
def test_one_statement(text, expected):
    assert [r["cases"] for r in case_samples(_s(text))] == [expected]


@pytest.mark.parametrize("text", [
    "We interviewed 72 responsible officers and 10 service users.",          # people, not cases
    "We reviewed 3 policies and 12 protocols.",                              # documents, not cases
    "In 41 cases there was a plan.",                                         # a figure, not a sample
    "The CRC supervised 2,116 cases on community sentences.",                # the caseload, not a sample
    "We reviewed one of the cases in more detail with its probation officer.",  # an example, not a sample
])
def test_other_counts_are_not_samples(text):
    assert case_samples(_s(text)) == []
