"""Text quality: what an editor would catch (unresolved cross-references, a sentence left twice).
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .common import (Ctx, at_place, joined_text, make_finding, place_of)
from .registry import rule


#: a cross-reference a word processor could not resolve, printed in the published text
#: (in a PDF, a table's cells may sit between its two halves: "Error!  40%  48%  Bookmark not defined.")
FIELD_ERROR_RE = re.compile(r"Error!(?:\s+[\d.,]+%?)*\s+(?P<what>Bookmark not defined|Reference source not found|No text "
                            r"of specified style in document|Not a valid bookmark self-reference|Unknown switch argument)\.?")


@rule("broken_reference",
      "No unresolved cross-reference ('Error! Bookmark not defined.') is printed in the text "
      "(information).",
      "text quality")
def broken_reference(ctx: Ctx, doc: dict) -> list[dict]:
    """A word processor's unresolved cross-reference left in the text ('Error! Bookmark not defined.')."""
    did = doc["document_id"]
    text, starts, places = joined_text(ctx, did)
    out = []
    for m in FIELD_ERROR_RE.finditer(text):
        page, line = place_of(starts, places, m.start())
        out.append(make_finding(did, "broken_reference", "info", "text", None, f"Error! {m.group('what')}.",
                            f"an unresolved cross-reference is printed in the text ({at_place(page, line)})", page, line,
                            evidence=text[max(0, m.start() - 120):m.end()].strip()))
    return out


#: sentences this close (in sentences) that open with the same words repeat each other
REPEAT_WINDOW = 3


REPEAT_MIN_WORDS = 8


_SENTENCE_RE = re.compile(r"[A-Z][^.!?]*[.!]")


#: a line that defines a footnote: markdown's "[^3]: ..." (the web-page reader's) or "<sup>&</sup>..."
_NOTE_LINE_RE = re.compile(r"\[\^\d{1,3}\]:|<sup>\s*&")


def _in_notes(starts: list[int], text: str, a: int, b: int) -> bool:
    """Whether positions a and b of the joined text fall in two different footnote definitions."""
    ka, kb = bisect_right(starts, a) - 1, bisect_right(starts, b) - 1
    return ka != kb and all(_NOTE_LINE_RE.match(text, starts[k]) for k in (ka, kb))


@rule("repeated_sentence",
      "No sentence repeats one just before it (the same first eight or more words, two thirds of "
      "the shorter sentence), as an edit that left both versions would (information).",
      "text quality")
def repeated_sentence(ctx: Ctx, doc: dict) -> list[dict]:
    """A sentence that repeats one just before it: the same opening words (at least eight, and two
    thirds of the shorter sentence), as when an edit left both versions in. Questions and sentences
    with percentages (table rows read as text) are not compared."""
    did = doc["document_id"]
    text, starts, places = joined_text(ctx, did)
    # each sentence keyed by its opening words: only sentences that open alike are compared in full
    sents = []
    for m in _SENTENCE_RE.finditer(text):
        opening = m.group(0).split(None, REPEAT_MIN_WORDS)
        if len(opening) >= REPEAT_MIN_WORDS and "%" not in m.group(0):
            sents.append((m, tuple(opening[:REPEAT_MIN_WORDS])))
    out = []
    for i, (m, key) in enumerate(sents):
        for m2, key2 in sents[i + 1:i + 1 + REPEAT_WINDOW]:
            if key2 != key:
                continue
            words, other = m.group(0).split(), m2.group(0).split()
            k = 0
            while k < min(len(words), len(other)) and words[k] == other[k]:
                k += 1
            if k >= 2 * min(len(words), len(other)) / 3:
                if _in_notes(starts, text, m.start(), m2.start()):
                    break       # two footnotes that say the same: not an edit left twice
                page, line = place_of(starts, places, m2.start())
                first, second = " ".join(words), " ".join(other)
                out.append(make_finding(did, "repeated_sentence", "info", "text", None, second,
                                    f"a sentence repeats the one before it ({at_place(page, line)}): '{second}' after "
                                    f"'{first}'", page, line, evidence=f"{first} {second}"[:300]))
                break
    return out
