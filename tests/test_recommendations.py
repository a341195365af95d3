"""New recommendations: addressees wrapped over lines, and what is not part of an addressee."""
from __future__ import annotations

from pathlib import Path

from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.facts import recommendations

TEXT = """Recommendations

The Community Rehabilitation Company and
National Probation Service should:

1. make sure that sentencers are fully aware of interventions.

The CRC should:

2. provide effective staff supervision that is appropriate
The National Probation Service should:

3. improve the quality of court reports.
"""


def test_a_wrapped_addressee_is_read_whole_and_the_last_line_of_a_list_is_not_part_of_the_next():
    rows = recommendations(document_from_text(TEXT, Path("x.txt")))
    assert [(r["number"], r["addressee"]) for r in rows] == [
        (1, "The Community Rehabilitation Company and National Probation Service"),
        (2, "The CRC"), (3, "The National Probation Service")]
    assert rows[1]["text"] == "provide effective staff supervision that is appropriate"
