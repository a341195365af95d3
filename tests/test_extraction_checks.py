"""Extraction checks: a document is checked against what a report of its kind contains and what it
says of itself; each gap is a row of extraction_checks, the document is 'partial', and an audit
finding that rests on a flagged reading is 'unverified', never 'contradiction'."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditkit import findings_for, text_doc
from conftest import CORPUS, query
from hmip_inspections.extract import analyse_document
from hmip_inspections.normalise import normalise

CRC = CORPUS / "text" / "merseyside-crc-2020.txt"
PDU = CORPUS / "text" / "liverpool-north-pdu-2023.md"


def _checks(doc, name="x"):
    rows = normalise(analyse_document(doc), name, name)
    return rows["documents"][0]["completeness"], rows["extraction_checks"]


def test_every_corpus_report_in_every_rendering_is_complete(corpus_db):
    db, _ = corpus_db
    assert query(db, "SELECT document_id, completeness FROM documents WHERE status = 'ok' "
                     "AND completeness IS DISTINCT FROM 'complete'") == []
    assert query(db, "SELECT count(*) FROM extraction_checks") == [(0,)]
    assert query(db, "SELECT completeness FROM documents WHERE status = 'not_a_report'") == [(None,)]


def test_a_stated_number_of_recommendations_is_checked():
    completeness, checks = _checks(text_doc(CRC, "we have made eight recommendations", "we have made nine recommendations"))
    assert completeness == "partial"
    assert [(c["check"], c["expected"], c["found"], c["line"]) for c in checks] == \
        [("recommendations_stated", "9", "8", 519)]
    assert checks[0]["message"] == "the report says it makes 9 recommendations; 8 were read"


def test_a_recommendation_not_read_leaves_a_gap_in_the_numbering():
    # item 4's number lost: its text runs on from item 3, and the list goes on at 5
    completeness, checks = _checks(text_doc(CRC, "4. explore the reasons for better casework", "explore the reasons for better casework"))
    got = {c["check"]: c for c in checks}
    assert completeness == "partial" and got["recommendations_stated"]["found"] == "7"
    assert got["recommendations_numbering"]["message"].endswith(": 4 not read")


def test_a_table_that_says_four_key_questions_but_gives_three_is_flagged():
    completeness, checks = _checks(text_doc(CRC, "for reviewing is based on three key questions",
                                            "for reviewing is based on four key questions"))
    assert completeness == "partial"
    assert [(c["check"], c["subject"], c["expected"], c["found"], c["line"]) for c in checks] == \
        [("key_questions_stated", "2.4", "4", "3", 2176)]


def test_key_questions_filed_under_the_wrong_standard_are_flagged():
    # the unpaid work heading unreadable: its key questions fall under the standard before it
    completeness, checks = _checks(text_doc(CRC, "3.1. Unpaid work \n", "Unpaid work section \n"))
    msgs = {(c["check"], c["subject"]): c["message"] for c in checks}
    assert completeness == "partial"
    assert msgs[("key_questions_per_standard", "2.4")] == "standard 2.4 has 7 key questions; its methodology has 3"
    assert msgs[("key_questions_per_standard", "4.1")].startswith("standard 4.1 is rated but no key questions were read")


def test_a_missing_previous_recommendation_verdict_is_flagged():
    completeness, checks = _checks(text_doc(CRC, "The CRC has made some progress on this recommendation",
                                            "The CRC has worked on this recommendation", count=1))
    got = {c["check"]: c for c in checks}
    assert "previous_recommendations_verdicts" in got and "2" in got["previous_recommendations_verdicts"]["message"]


def test_a_finding_on_a_flagged_reading_is_unverified_not_a_contradiction(tmp_path):
    # planning's heading unreadable: its key questions (lowest 41%) fall under assessment, whose
    # 'Requires improvement' would then contradict its lowest key question: a misreading, not the report's
    found = findings_for(text_doc(CRC, "2.2. Planning \n", "Planning section \n"), tmp_path, "misfiled")
    on_21 = {(rule, sev) for rule, subject, sev in found if subject == "2.1"}
    assert ("standard_band", "unverified") in on_21
    assert not any(sev == "contradiction" and subject in ("2.1", "2.2") for _, subject, sev in found)


def test_the_unaltered_report_keeps_its_contradictions(tmp_path):
    found = findings_for(text_doc(CRC), tmp_path, "plain")
    assert ("recommendation_progress", "previous recommendations", "contradiction") in found
    assert not any(sev == "unverified" for _, _, sev in found)


@pytest.mark.parametrize("path", [CRC, PDU])
def test_what_the_report_says_of_its_tables_matches_what_was_read(path):
    doc = text_doc(path)
    ex = analyse_document(doc)
    stated = [k["stated_count"] for k in ex.key_questions if k.get("stated_count") is not None]
    assert stated, "the corpus report states its tables' sizes"
    assert normalise(ex, path.name, path.name)["extraction_checks"] == []
