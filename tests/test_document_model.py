"""The shared document model: clean-up every extractor relies on."""
from __future__ import annotations

from pathlib import Path

from hmip_inspections.extract.document import clean_markup, strip_footnote_markers
from hmip_inspections.extract.readers import document_from_text


def test_glued_footnote_markers_are_removed_only_when_defined():
    nums = {9, 21, 22}
    assert strip_footnote_markers("engaging the service user?22", nums) == "engaging the service user?"
    assert strip_footnote_markers("keeping other people safe?2222", nums) == "keeping other people safe?"
    assert strip_footnote_markers("All CRCs21", nums) == "All CRCs"
    assert strip_footnote_markers("year ending 31 March 20209", nums) == "year ending 31 March 2020"
    # not markers: undefined numbers, numbers that are values
    assert strip_footnote_markers("Covid19 response", nums) == "Covid19 response"
    assert strip_footnote_markers("66% 56% 68%", nums) == "66% 56% 68%"


def test_markdown_markup_is_removed():
    text, level, marks = clean_markup("Our rating<sup>3</sup> for **assessment**")
    assert text == "Our rating for assessment" and marks == ["3"]
    text, level, _ = clean_markup("#### **1.1. Leadership**")
    assert (text, level) == ("1.1. Leadership", 4)
    text, _, marks = clean_markup("<sup>&</sup>lt;sup>2</sup> Source: Ministry of Justice")
    assert text.strip() == "Source: Ministry of Justice" and marks == ["2"]


def test_pages_from_footers_and_form_feeds():
    lines = []
    for p in range(3, 7):
        lines += [f"text on page {p}", "more text", f"Inspection of probation services: Testshire   {p}"]
    doc = document_from_text("\n".join(lines), Path("x.txt"))
    pages = {ln.text: ln.page for ln in doc.content()}
    assert pages["text on page 5"] == 5
    assert pages["text on page 3"] is None       # before the first footer: page not shown
    assert [ln.role for ln in doc.lines[:3]] == ["body", "body", "footer"]
    doc = document_from_text("a\nb\n\fc\nd\n\f\fe", Path("y.txt"))
    assert [ln.page for ln in doc.lines] == [1, 1, 2, 2, 4]


def test_footnote_block_does_not_swallow_the_next_page():
    text = "\n".join([
        "In only 61 per", " " * 49, "", "20 The rating for the standard is driven by the lowest",
        "score. See Annexe 2.", "21 HMI Probation inspection data.", " cent of cases did assessment analyse",
    ])
    doc = document_from_text(text, Path("z.txt"))
    roles = [ln.role for ln in doc.lines]
    assert roles == ["body", "footnote", "footnote", "footnote", "footnote", "footnote", "body"]
    assert set(doc.footnotes) == {20, 21}
