"""The previous inspection's recommendations and their progress: extracted from the structure of the
section (heading, consecutive numbering, verdict wording), whatever the line wrapping and page breaks,
and compared by the audit from stored rows."""
from __future__ import annotations

from pathlib import Path

import pytest

from auditkit import findings_for, text_doc
from conftest import CORPUS, gold_files
from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.previous import previous_recommendations
from mutate import move_page_breaks, rewrap

CRC_TXT = CORPUS / "text" / "merseyside-crc-2020.txt"


def _values(doc):
    items, summary = previous_recommendations(doc)
    return ([(r["number"], r["addressee"], r["text"], r["progress"]) for r in items],
            [(s["category"], s["count"]) for s in summary])


def _gold():
    g = gold_files()["merseyside-crc-2020.json"]
    return [(r["number"], r["addressee"], r["text"], r["progress"]) for r in g["previous_recommendations"]]


def test_the_text_rendering_gives_the_gold_items_and_the_stated_summary():
    items, summary = _values(text_doc(CRC_TXT))
    assert items == _gold()
    assert summary == [("recommendations made", 6), ("no progress", 3), ("some progress", 1),
                       ("sufficient progress", 2)]


@pytest.mark.parametrize("width,every", [(60, 0), (110, 0), (75, 37), (0, 23)])
def test_wrapping_and_page_breaks_do_not_change_the_rows(width, every):
    text = CRC_TXT.read_text(encoding="utf-8")
    if width:
        text = rewrap(text, width)
    if every:
        text = move_page_breaks(text, every, "Inspection of probation services: Merseyside")
    doc = document_from_text(text, Path("x.txt"))
    assert _values(doc) == _values(text_doc(CRC_TXT))


SECTION = """Progress on the recommendations of our last inspection

At our last inspection we made 3 recommendations. The PDU has made good progress on two of
them and no progress on one.

We recommended that the Anytown PDU:

1. Improve the quality of risk
   assessments.
The PDU has made good progress on this
recommendation.
Work has improved since then.

2. Reduce caseloads.
The PDU has made good progress on this recommendation.

3. Improve
management oversight.

The PDU has made no progress on this recommendation.

New recommendations

The Anytown PDU should:

1. improve the quality of planning
"""


def test_another_wording_subject_and_wrapping():
    doc = document_from_text(SECTION, Path("y.txt"))
    items, summary = previous_recommendations(doc)
    assert [(r["number"], r["addressee"], r["text"], r["progress"], r["line"], r["progress_line"]) for r in items] == [
        (1, "Anytown PDU", "Improve the quality of risk assessments.", "good progress", 8, 10),
        (2, "Anytown PDU", "Reduce caseloads.", "good progress", 14, 15),
        (3, "Anytown PDU", "Improve management oversight.", "no progress", 17, 20)]
    assert items[0]["progress_text"] == "The PDU has made good progress on this recommendation"
    assert [(s["category"], s["count"], s["count_text"], s["line"]) for s in summary] == [
        ("recommendations made", 3, "3", 3), ("good progress", 2, "two", 3), ("no progress", 1, "one", 4)]


def test_no_verdicts_no_rows():
    """A list of the previous recommendations without a verdict under any: nothing to record."""
    text = SECTION.replace("The PDU has made good progress on this\nrecommendation.", "")
    text = text.replace("The PDU has made good progress on this recommendation.", "")
    text = text.replace("The PDU has made no progress on this recommendation.", "")
    assert previous_recommendations(document_from_text(text, Path("z.txt"))) == ([], [])
    assert previous_recommendations(document_from_text("1. Improve things.\nThe PDU has made no progress on "
                                                       "this recommendation.\n", Path("w.txt"))) == ([], [])


def test_the_audit_compares_the_stated_summary_with_the_verdicts(tmp_path):
    base = findings_for(text_doc(CRC_TXT), tmp_path, "base.txt")
    assert ("recommendation_progress", "previous recommendations", "contradiction") in base
    # the summary corrected to the verdicts (2 / 2 / 2): the finding goes, nothing else changes
    fixed = findings_for(text_doc(CRC_TXT, "no progress had been made on three of the \nrecommendations, some "
                                           "progress had been made on one",
                                  "no progress had been made on two of the \nrecommendations, some "
                                  "progress had been made on two"), tmp_path, "fixed.txt")
    assert base - fixed == {("recommendation_progress", "previous recommendations", "contradiction")}
    assert fixed - base == set()
    # or a verdict changed so that the verdicts add up to the summary (3 / 1 / 2)
    agree = findings_for(text_doc(CRC_TXT, "The CRC has made some progress on this recommendation \nThe CRC was",
                                  "The CRC has made no progress on this recommendation \nThe CRC was"),
                         tmp_path, "agree.txt")
    assert base - agree == {("recommendation_progress", "previous recommendations", "contradiction")}


def test_a_contents_entry_with_the_same_heading_is_passed_over():
    contents = ("Contents\n\nProgress on the recommendations of our last inspection ...... 4\n"
                "1. Organisational delivery ...... 5\n2. Case supervision ...... 9\n\n")
    items, summary = previous_recommendations(document_from_text(contents + SECTION, Path("c.txt")))
    assert [(r["number"], r["progress"], r["line"]) for r in items] == [
        (1, "good progress", 14), (2, "good progress", 20), (3, "no progress", 23)]
    assert [s["category"] for s in summary] == ["recommendations made", "good progress", "no progress"]


@pytest.mark.parametrize("heading", ["## **Progress on the recommendations of our last inspection**",
                                     "Progress on the recommendations of our last inspection<sup>4</sup>",
                                     "PROGRESS ON THE RECOMMENDATIONS OF OUR LAST INSPECTION:"])
def test_the_heading_as_other_renderings_print_it(heading):
    text = SECTION.replace("Progress on the recommendations of our last inspection", heading, 1)
    items, summary = previous_recommendations(document_from_text(text, Path("h.md"), "markdown"))
    assert [(r["number"], r["progress"]) for r in items] == [(1, "good progress"), (2, "good progress"),
                                                             (3, "no progress")]
    assert len(summary) == 3
