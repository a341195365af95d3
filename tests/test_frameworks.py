"""PDU reports under framework 2 (Oct 2023 - Sep 2025: seven standards, assessment numbered 2.1) are
told apart from framework 1 (2021-23: court work 2.1, assessment 2.2) and coded by their own standards."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditkit import findings_for
from conftest import CORPUS
from hmip_inspections.extract import analyse_document
from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.normalise import normalise
from hmip_inspections.normalise.reference import choose_methodology

FW1, FW2 = "pdu_inspection_2021_on", "pdu_inspection_2023_on"
PDU_MD = CORPUS / "text" / "liverpool-north-pdu-2023.md"

#: the PDU report's framework-1 numbering, and what framework 2 prints instead
RENUMBER = [
    ("2.\tCourt work and case supervision", "2.\tService delivery"),
    ("1.4\tInformation and facilities\tRequires improvement\t\n", ""),
    ("2.2\tAssessment", "2.1\tAssessment"), ("2.3\tPlanning", "2.2\tPlanning"),
    ("2.4\tImplementation and delivery", "2.3\tImplementation and delivery"), ("2.5\tReviewing", "2.4\tReviewing"),
    ("#### 1.4. Information and facilities", "#### Information and facilities"),
    ("## 2. Court work and case supervision", "## 2. Service delivery"),
    ("#### 2.2. Assessment", "#### 2.1. Assessment"), ("#### 2.3. Planning", "#### 2.2. Planning"),
    ("## 2.4. Implementation and delivery", "## 2.3. Implementation and delivery"),
    ("#### 2.5. Reviewing", "#### 2.4. Reviewing"),
    # no court work at PDU level under framework 2
    ("The pre-sentence information and advice provided to court supports its decision-making.\n\n'Not rated'\n\n"
     "This standard was not inspected. There was no court located within Liverpool North PDU and there were no "
     "pre-sentence reports prepared within the inspected PDU.\n\n", ""),
    ("Score\t4/24", "Score\t3/21"),
]


def _framework2(score: bool = True) -> str:
    text = PDU_MD.read_text(encoding="utf-8")
    # framework 2 is not known to report outcomes (framework 1's unrated 2.6): the section goes
    start, end = text.index("#### 2.6. Outcomes"), text.index("# **Annexe one")
    text = text[:start] + text[end:]
    for old, new in RENUMBER:
        assert old in text, old
        text = text.replace(old, new)
    if not score:
        text = text.replace("\tScore\t3/21", "")
    return text.replace("2023", "2024")


def _rows(text: str) -> dict:
    ex = analyse_document(document_from_text(text, Path("pdu.md"), "markdown"))
    return normalise(ex, "pdu.md", "pdu.md")


@pytest.mark.parametrize("printed,score_max,month,expected", [
    ([("2.1", "Assessment"), ("2.4", "Reviewing")], 24, "2022-01", FW2),       # the numbering decides first
    ([("2.2", "Assessment"), ("1.4", "Information and facilities")], 21, "2024-05", FW1),
    ([("1.1", "Leadership")], 21, None, FW2),               # shared standards: then the score maximum
    ([("1.1", "Leadership")], 27, None, FW1),
    ([], None, "2024-05", FW2),                             # then the date of the inspection
    ([], None, "2022-11", FW1),
    ([], None, None, None),                                 # nothing to go on: the kind stays as classified
    ([], None, "2026-02", None),                            # outside both periods
])
def test_the_framework_is_chosen_from_the_numbering_then_the_score_then_the_date(printed, score_max, month, expected):
    for classified in (FW1, FW2):
        kind, why = choose_methodology(classified, printed, score_max, month)
        assert kind == (expected or classified) and why


def test_a_methodology_without_a_family_is_kept():
    assert choose_methodology("crc_inspection_2018_2020", [("2.1", "Assessment")], 30, "2019-01") == \
        ("crc_inspection_2018_2020", None)


def test_the_framework_1_report_stays_framework_1():
    rows = _rows(PDU_MD.read_text(encoding="utf-8"))
    assert rows["documents"][0]["kind"] == FW1
    assert [(s["standard_code"], s["standard_name"]) for s in rows["standard_ratings"]][:5] == [
        ("1.1", "Leadership"), ("1.2", "Staff"), ("1.3", "Services"), ("1.4", "Information and facilities"),
        ("2.2", "Assessment")]


@pytest.mark.parametrize("score", [True, False], ids=["with a score", "without a score"])
def test_a_framework_2_report_is_coded_by_its_own_standards(score):
    rows = _rows(_framework2(score))
    d = rows["documents"][0]
    assert (d["status"], d["kind"], d["overall_rating"]) == ("ok", FW2, "Inadequate")
    assert (d["score"], d["score_max"]) == ((3, 21) if score else (None, None))
    assert [(s["standard_code"], s["standard_name"], s["rating"]) for s in rows["standard_ratings"]] == [
        ("1.1", "Leadership", "Inadequate"), ("1.2", "Staff", "Requires improvement"),
        ("1.3", "Services", "Requires improvement"), ("2.1", "Assessment", "Inadequate"),
        ("2.2", "Planning", "Inadequate"), ("2.3", "Implementation and delivery", "Inadequate"),
        ("2.4", "Reviewing", "Requires improvement")]          # no court work row invented
    assert {k["standard_code"] for k in rows["key_questions"]} == {"2.1", "2.2", "2.3", "2.4"}
    assert "numbers fit pdu_inspection_2023_on" in d["classification_evidence"]


def test_a_framework_2_report_is_audited_against_its_own_standards_and_says_they_are_inferred(tmp_path):
    base = findings_for(document_from_text(PDU_MD.read_text(encoding="utf-8"), PDU_MD, "markdown"), tmp_path, "fw1.md")
    fw2 = findings_for(document_from_text(_framework2(), Path("pdu.md"), "markdown"), tmp_path, "fw2.md")
    # the same findings, reviewing renumbered 2.5 -> 2.4 (and the prose of the former 1.4 now under 1.3);
    # read against framework 1's codes, the body's '2.2. Planning' would have been taken for assessment
    # and a contradiction found that is not there
    renumbered = {(r, {"2.5": "2.4", "1.4": "1.3"}.get(s, s), sev) for r, s, sev in base}
    assert fw2 == renumbered
    from hmip_inspections import audit
    from hmip_inspections.pipeline.orchestrate import write_reference
    from hmip_inspections.store import Store
    rows = _rows(_framework2())
    with Store(tmp_path / "full.duckdb").writer() as w:
        w.replace_document(rows, "test")
        write_reference(w)
        band = [f for f in audit.run(w.con) if f["rule"] == "standard_band"]
    assert [(f["subject"], f["rule_status"]) for f in band] == \
        [("2.4", "inferred")]
    # reviewing's own lowest key question (49%, within five points of the boundary, as the report says)
    assert "lowest key question 49%" in band[0]["message"] and "not within five points" not in band[0]["message"]
    assert "UNVERIFIED" in band[0]["message"]


NATIONAL = """National Inspection – April 2025

An inspection of the national arrangements of HM Prison and Probation Service

HM Inspectorate of Probation, April 2025

Foreword

This inspection examined the sufficiency of national arrangements across His Majesty's Prison and Probation
Service (HMPPS) to support the delivery of probation services within regions and probation delivery units.

Ratings

Overall rating\tRequires improvement
1.\tNational arrangements
1.1\tLeadership\tRequires improvement
1.2\tStaffing\tRequires improvement
1.3\tServices\tInadequate
"""


def test_a_national_inspection_is_read_as_one_with_its_ratings_as_printed():
    rows = _rows(NATIONAL)
    d = rows["documents"][0]
    assert (d["status"], d["kind"], d["provider_name"], d["provider_type"], d["overall_rating"]) == \
        ("ok", "national_inspection", "HM Prison and Probation Service", "national", "Requires improvement")
    # no standards are known for it: the rows keep the codes and names printed
    assert [(s["standard_code"], s["standard_name"], s["rating"]) for s in rows["standard_ratings"]] == [
        ("1.1", "Leadership", "Requires improvement"), ("1.2", "Staffing", "Requires improvement"),
        ("1.3", "Services", "Inadequate")]


def test_a_regional_title_wins_over_a_score_that_a_pdu_report_could_print():
    text = PDU_MD.read_text(encoding="utf-8").replace(
        "An inspection of probation services in:\n\n# **Liverpool North PDU**\n\nThe Probation Service – North West region",
        "An inspection of probation services in: North West region\n\n# **The Probation Service**", 1)
    assert "in: North West region" in text
    d = _rows(text)["documents"][0]
    assert (d["kind"], d["provider_type"]) == ("regional_inspection_2023_on", "region")
    assert "title: 'inspection of probation services in: North West region'" in d["classification_evidence"]
    assert d["provider_name"] == "North West region"


@pytest.mark.parametrize("title,kind,rated", [
    ("Dynamic inspection of public protection: Kent, Surrey and Sussex", "dynamic_public_protection_2025_on", False),
    ("An inspection of youth justice work with children and victims in Wakefield", "youth_justice_inspection_2025_on",
     True),
])
def test_the_inspection_types_of_2025_are_told_by_their_titles(title, kind, rated):
    prose = (f"{title}\n\nHM Inspectorate of Probation, January 2026\n\nChief Inspector's judgement\n\n"
             "We inspected 56 cases. In 35 per cent of cases assessment was sufficient.\n")
    table = ("\nRatings\n\nOverall rating\tRequires improvement\n1.\tWork with children\n1.1\tPlanning\tGood\n"
             "1.2\tDelivery\tRequires improvement\n1.3\tReviewing\tInadequate\n")
    for text in (prose, prose + table):
        rows = _rows(text)
        d = rows["documents"][0]
        assert (d["status"], d["kind"]) == ("ok", kind)
        assert "title:" in d["classification_evidence"]
        notes = " ".join(n["note"] for n in rows["extraction_notes"])
        if text == prose:       # no ratings printed: none read; an unrated type says why
            assert d["overall_rating"] is None and rows["standard_ratings"] == []
            assert ("no ratings: " in notes) != rated
        else:                   # ratings printed: kept as printed (no standards are known for either type)
            assert d["overall_rating"] == "Requires improvement"
            assert [s["standard_code"] for s in rows["standard_ratings"]] == ["1.1", "1.2", "1.3"]
            assert ("not known to be rated (unconfirmed)" in notes) != rated
