"""Contextual facts stated in prose, for reports with no Key facts panel (PDU 2021 on)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CORPUS
from hmip_inspections.extract import analyse_document
from hmip_inspections.extract.document import strip_footnote_markers
from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.prose import Sentence, context_facts
from hmip_inspections.normalise import normalise


def _facts(*texts: str, section: str = "Background") -> list[tuple]:
    sentences = [Sentence(section, t, None, k + 1) for k, t in enumerate(texts)]
    return [(r["value_text"], r["description"], r["compares"], r["line"]) for r in context_facts(sentences)]


@pytest.mark.parametrize("text,expected", [
    ("The population of Liverpool was 484,488 with proven reoffending rates of 27.7 per cent.",
     [("484,488", "The population of Liverpool", None), ("27.7 per cent", "Proven reoffending rates", None)]),
    ("Bradford has a population of approximately 546,400.", [("546,400", "The population of Bradford", None)]),
    ("The population of West Mercia was estimated to be nearly 1.26 million in 2016.",
     [("1.26 million", "The population of West Mercia", None)]),
    ("Unemployment across West Mercia is 3.9% (below the England average of 4.8%), whereas the proven "
     "reoffending rate is the same, at 24.0%.",
     [("3.9%", "Unemployment rate (West Mercia)", None), ("4.8%", "England average (unemployment rate)", "3.9%"),
      ("24.0%", "Proven reoffending rate", None)]),
    ("The proven reoffending rate for adults in Cardiff is 27.5 per cent, compared with 25.4 per cent for "
     "England and Wales.",
     [("27.5 per cent", "Proven reoffending rate", None),
      ("25.4 per cent", "England and Wales (proven reoffending rate)", "27.5 per cent")]),
    # the words the report uses
    ("The reoffending rate in County Durham is 30% (Jan 18 - Dec 18), higher than the national average (29%).",
     [("30%", "Reoffending rate (County Durham)", None), ("29%", "National average (reoffending rate)", "30%")]),
    ("Around 12 per cent of the population are from Black, Asian and minority ethnic groups.",
     [("12 per cent", "Share of the population: from Black, Asian and minority ethnic groups", None)]),
    ("The population of the county as a whole is 94.5 per cent white British, Irish or other, with that figure "
     "falling to 88.8 per cent in Liverpool City.",
     [("94.5 per cent", "Share of the population: white British, Irish or other", None)]),
    ("Bradford has a diverse population, with 30 per cent of residents from ethnic minority groups.",
     [("30 per cent", "Share of the population: from ethnic minority groups", None)]),
    ("It has a population of around 330,000 people.", [("330,000", "The population", None)]),   # 'It': no area
    ("The proven reoffending rate for the area is 26.3 per cent, which is higher than the national average of "
     "25.4 per cent.", [("26.3 per cent", "Proven reoffending rate", None),
                        ("25.4 per cent", "National average (proven reoffending rate)", "26.3 per cent")]),
    # figures that say nothing about the area, or averages of something the sentence does not name
    ("We inspected 41 cases and conducted 38 interviews with probation practitioners.", []),
    ("At the time of inspection, five per cent of existing cases still required allocating.", []),
    ("Staff sickness was higher than the national average of 10.5 per cent.", []),
    ("It is one of 13 PDUs in the North West region, and the population of staff has grown since 2021.", []),
])
def test_context_facts_in_one_sentence(text, expected):
    assert [f[:3] for f in _facts(text)] == expected


def test_a_comparator_in_the_next_sentence_compares_the_last_fact():
    got = _facts("The population of Liverpool was 484,488 with proven reoffending rates of 27.7 per cent.",
                 "This was higher than the North West regional average at 25.5 per cent.")
    assert got[-1] == ("25.5 per cent", "North West regional average (proven reoffending rates)", "27.7 per cent", 2)
    # not across an unrelated sentence, and not to a count
    assert _facts("The proven reoffending rate was 30 per cent.", "We interviewed 20 staff.",
                  "This was above the regional average at 25.5 per cent.")[1:] == []
    assert _facts("The population of Wigan was 330,700.", "This was above the regional average at 25.5 per cent.")[1:] == []


def test_only_sections_that_describe_the_area_are_read():
    text = "The proven reoffending rate was 30 per cent, against a national average of 25 per cent."
    assert len(_facts(text, section="Local context")) == 2
    assert len(_facts(text, section="1. Background")) == 2
    assert _facts(text, section="2.3 Implementation and delivery") == []
    assert _facts(text, section=None) == []


def test_a_number_with_a_glued_footnote_marker_keeps_its_value():
    nums = {1, 2, 4}
    assert strip_footnote_markers("The population of Liverpool was 484,4881 with", nums) == \
        "The population of Liverpool was 484,488 with"
    assert strip_footnote_markers("an estimated population of 494,814.4 The population", nums) == \
        "an estimated population of 494,814. The population"
    # a decimal, or a number whose digits are no footnote, is left alone
    assert strip_footnote_markers("a caseload of 1,234.5 FTE", nums) == "a caseload of 1,234.5 FTE"
    assert strip_footnote_markers("a total of 12,3456 cases", nums) == "a total of 12,3456 cases"


def test_the_pdu_background_as_plain_text_with_glued_markers_gives_the_same_facts():
    """The PDU report printed as a plain text rendering would print it: footnote markers glued to the
    figures they annotate, the paragraph wrapped at 60 characters."""
    md = (CORPUS / "text" / "liverpool-north-pdu-2023.md").read_text(encoding="utf-8")
    plain = re.sub(r"<sup>(\d+)</sup>", r"\1", md)
    assert "484,4881 " in plain
    base = normalise(analyse_document(document_from_text(md, Path("a.md"), "markdown")), "a", "a")["key_facts"]
    other = normalise(analyse_document(document_from_text(plain, Path("a.md"), "markdown")), "a", "a")["key_facts"]
    key = [(r["value_text"], r["number"], r["unit"], r["description"], r["source"]) for r in base]
    assert key == [(r["value_text"], r["number"], r["unit"], r["description"], r["source"]) for r in other]
    assert [(k[0], k[1], k[2]) for k in key] == [("484,488", 484488, "count"), ("27.7 per cent", 27.7, "percent"),
                                               ("25.5 per cent", 25.5, "percent")]


def test_a_report_without_its_panel_reads_its_local_context_with_the_line_of_each_figure():
    """The Quality & Impact report has a Key facts panel, so its 'Local context' prose is not read; with
    the panel's headings gone, the prose facts are found, each on the line its figure is printed on."""
    path = CORPUS / "text" / "west-mercia-quality-impact-2017.txt"
    text = path.read_text(encoding="utf-8")
    with_panel = analyse_document(document_from_text(text, path))
    assert with_panel.key_facts and with_panel.context_facts == []
    no_panel = re.sub(r"(?m)^([ \t]*)Key facts[ \t]*$", r"\1Key figures table", text)
    assert no_panel.count("\n") == text.count("\n")
    ex = analyse_document(document_from_text(no_panel, path))
    assert ex.key_facts == []
    lines = text.split("\n")
    got = [(f["value_text"], f["description"], f["line"]) for f in ex.context_facts]
    assert got == [("1.26 million", "The population of West Mercia", 309),
                   ("3.9%", "Unemployment rate (West Mercia)", 312),
                   ("4.8%", "England average (unemployment rate)", 312),
                   ("24.0%", "Proven reoffending rate", 313)]
    for value, _, line in got:
        assert value in lines[line - 1]
