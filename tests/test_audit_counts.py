"""The counts family (statcheck-style checks): a sample restated, a count out of the cases inspected,
'x out of y standards rated R', a total and its parts. Each on a real report altered the way a
slip would alter it, and on hand-made rows; the unaltered reports raise none of them."""
from __future__ import annotations

import pytest

from auditkit import findings_for, text_doc
from conftest import CORPUS

PDU = CORPUS / "text" / "liverpool-north-pdu-2023.md"
CRC = CORPUS / "text" / "merseyside-crc-2020.txt"
QI = CORPUS / "text" / "west-mercia-quality-impact-2017.txt"
COUNTS = {"sample_restated", "sample_denominator", "rated_count", "total_vs_parts"}


@pytest.mark.parametrize("path", [PDU, CRC, QI], ids=lambda p: p.name)
def test_the_unaltered_reports_raise_no_count_finding(path, tmp_path):
    assert {f for f in findings_for(text_doc(path), tmp_path, path.name) if f[0] in COUNTS} == set()


@pytest.mark.parametrize("path,old,new,found", [
    # the count of standards rated Inadequate, one fewer than the table's
    (PDU, "three out of four domain two standards were rated 'Inadequate'",
     "two out of four domain two standards were rated 'Inadequate'", ("rated_count", "ratings", "contradiction")),
    # the count of cases inspected, stated with another value where the sample is the denominator
    (PDU, "in 35 out of 41 cases inspected", "in 35 out of 43 cases inspected",
     ("sample_denominator", "case sample", "contradiction")),
    # more relevant cases than were inspected
    (PDU, "in only 12 out of 34 relevant cases", "in only 12 out of 54 relevant cases",
     ("sample_denominator", "case sample", "contradiction")),
    # the annexe restates the sample with another count: the body gives it by its parts (possible)
    (CRC, "We examined 114 cases from across all LDUs.", "We examined 116 cases from across all LDUs.",
     ("sample_restated", "case supervision", "possible")),
    # the unpaid work sample stated again, in the same words, with another count
    (CRC, "We inspected the management of 40 unpaid work requirements",
     "We inspected the management of 42 unpaid work requirements", None),
    # a total and its parts that do not add up
    (QI, "61 cases, 40 of which", "61 cases, 45 of which", ("total_vs_parts", "prose", "contradiction")),
])
def test_an_altered_count_is_found(path, old, new, found, tmp_path):
    got = {f for f in findings_for(text_doc(path, old, new), tmp_path, path.name) if f[0] in COUNTS}
    if found is None:
        # 42 against 40 printed twice in the same words: the sample's statements disagree
        assert any(f[0] == "sample_restated" and f[1] == "unpaid work" for f in got), got
    else:
        assert found in got, got


def test_a_subset_of_the_sample_is_not_a_restatement(tmp_path):
    # 'cases that were eligible for MAPPA' is a part of the sample, whatever its count
    doc = text_doc(QI, "Our sample included 14 cases that were eligible", "Our sample included 19 cases that were eligible")
    assert {f for f in findings_for(doc, tmp_path, QI.name) if f[0] in COUNTS} == set()


class _Rows:
    def __init__(self, **tables):
        self.tables = tables
        self.lines = {}

    def rows(self, table, did):
        return self.tables.get(table, [])


def _ratings(*pairs):
    return [{"document_id": "d", "standard_code": code, "domain": int(code[0]), "rating": rating,
             "page": 3, "line": 10 + k} for k, (code, rating) in enumerate(pairs)]


def _out_of(sentence, figure, x, y):
    return {"document_id": "d", "kind": "out_of", "unit": "count", "figure_text": figure, "number": x,
            "denominator": y, "sentence": sentence, "section": None, "page": 7, "line": 4}


@pytest.mark.parametrize("sentence,figure,x,y,found", [
    ("Three out of four domain two standards were rated 'Inadequate'.", "Three out of four", 3, 4, None),
    ("Two out of four domain two standards were rated 'Inadequate'.", "Two out of four", 2, 4, ("3", "2")),
    ("One of the four domain one standards was rated as ‘Good’.", "One of the four", 1, 4, ("3", "1")),
    # no domain named, and two domains have four rated standards: not compared
    ("Two out of four standards were rated 'Inadequate'.", "Two out of four", 2, 4, None),
    # no set of five rated standards: not compared
    ("Two out of five standards were rated 'Inadequate'.", "Two out of five", 2, 5, None),
    # not about ratings at all
    ("Three out of four key questions scored 'Inadequate'.", "Three out of four", 3, 4, None),
])
def test_a_count_of_rated_standards_is_checked_against_the_table(sentence, figure, x, y, found):
    from hmip_inspections.audit.counts import rated_count
    rows = _Rows(standard_ratings=_ratings(("1.1", "Good"), ("1.2", "Requires improvement"), ("1.3", "Good"),
                                           ("1.4", "Good"), ("2.2", "Inadequate"), ("2.3", "Inadequate"),
                                           ("2.4", "Inadequate"), ("2.5", "Requires improvement")),
                 prose_figures=[_out_of(sentence, figure, x, y)])
    out = rated_count(rows, {"document_id": "d"})
    if found is None:
        assert out == []
    else:
        (f,) = out
        # both places: the sentence, and the ratings table
        assert (f["expected"], f["stated"], f["page"], f["line"], f["other_page"], f["other_line"]) == \
            (*found, 7, 4, 3, 10 if "domain one" in sentence else 14)
