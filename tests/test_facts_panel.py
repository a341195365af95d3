"""Key facts panels across page breaks: a fact goes on only where its line wrapped."""
from __future__ import annotations

from pathlib import Path

from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.facts import key_facts

FOOTER = "Inspection of probation services: Somewhere"


def _panel(after_break: str, break_after: str) -> str:
    lines = ["Some text before the panel, long enough to be a paragraph of the report's prose.", "",
             "Contextual facts", "",
             "2,116 The number of individuals supervised on community sentences by",
             "Somewhere CRC", "",
             "62%", "The proportion of positive compliance outcomes with licences and,",
             "where applicable, post-sentence supervision periods for Somewhere",
             "CRC. The performance figure for all England and Wales was 65%", "",
             "94%", "The proportion of positive completions of unpaid work requirements",
             "for Somewhere CRC, against a target of 90%"]
    k = lines.index(break_after) + 1
    # a running footer ends every page (it is known as one because it repeats)
    return "\n".join([f"{FOOTER}   5", ""] + lines[:k] + ["", "", f"{FOOTER}   6", "", ""] + [after_break]
                     + lines[k:] + ["", f"{FOOTER}   7", ""]) + "\n"


def test_a_fact_cut_by_a_page_break_where_its_line_wrapped_goes_on():
    text = _panel("", "where applicable, post-sentence supervision periods for Somewhere")
    facts = {f["value_text"]: f["description"] for f in key_facts(document_from_text(text, Path("x.txt")))}
    assert facts["62%"].endswith("for Somewhere CRC. The performance figure for all England and Wales was 65%")


def test_the_prose_after_a_page_break_is_not_part_of_the_last_fact():
    text = _panel("Somewhere CRC has a clear commitment to a high-quality service for all its service users.",
                  "for Somewhere CRC, against a target of 90%")
    facts = {f["value_text"]: f["description"] for f in key_facts(document_from_text(text, Path("x.txt")))}
    assert facts["94%"] == ("The proportion of positive completions of unpaid work requirements for Somewhere CRC, "
                            "against a target of 90%")
