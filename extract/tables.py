"""Numbered tables ("Table 4: Sufficiency scores ..."): the numeric ones, row by row.

Quality & Impact reports number their tables and caption each. Many are lists of words (enablers
and barriers): they have no figures and give no rows. A numeric table has rows of a label and one
or more figures: on one line ("Thinking and behaviour 42"), or a label over several lines with its
figures on a line of their own, before or after the rest of the label ("'Control' - 'Risk of Harm
to 64% 83% 74% 82%" / "others' work (action to" / "protect the public)"). The figures of a row
are its cells, in printed order; the table's usual number of cells decides where a label that
itself ends in a number stops. The lines between the caption and the first row are the header.

Each row: {number, caption, label, cells: [{text, page, line}], header, page, line}.
"""
from __future__ import annotations

import re
from collections import Counter

from .document import Document, Line

CAPTION_RE = re.compile(r"^\s*Table\s+(?P<num>\d{1,3})\s*[:.]\s+(?P<text>\S.*)$")
CELL_RE = re.compile(r"^\d[\d,]*(?:\.\d+)?%?$")
_YEAR_RE = re.compile(r"^(?:19|20)\d\d$")
#: where a table stops: another caption, a figure or its source, an annexe or appendix
_END_RE = re.compile(r"^\s*(?:Table|Figure|Chart)\s+\d+[.:]|^\s*Source:|^\s*(?:Annexe|Appendix)\s+\w+", re.I)
#: a label that does not end here: an open bracket, a trailing dash or hyphen, a function word
_UNFINISHED = re.compile(r"(?:[-–(]|\b(?:the|a|an|of|in|to|and|or|for|with|by|on|at))\s*$", re.I)
#: a numeric table has at least this many rows
MIN_ROWS = 2
#: lines a table may span after its caption
DEFAULT_MAX_LINES = 60
#: a line this long, ending a sentence and with no figures, is prose after the table
DEFAULT_PROSE_LINE = 60


def _split(ln: Line) -> tuple[str, list[str]]:
    """A line as (label, trailing cells): the figures at its end, each a whole token."""
    tokens = ln.text.replace("\t", " ").split()
    k = len(tokens)
    while k > 0 and CELL_RE.match(tokens[k - 1]):
        k -= 1
    return " ".join(tokens[:k]), tokens[k:]


def _is_prose(text: str) -> bool:
    return len(text) >= DEFAULT_PROSE_LINE and bool(re.search(r"[a-z][.!?]['’”)]?$", text))


def numbered_tables(doc: Document) -> tuple[list[dict], list[str]]:
    lines = [ln for ln in doc.content() if ln.role in ("body", "blank")]
    out: list[dict] = []
    warnings: list[str] = []
    i = 0
    while i < len(lines):
        m = CAPTION_RE.match(lines[i].text)
        if not m:
            i += 1
            continue
        # the caption runs on (no blank between) until it ends a sentence
        caption, j = m.group(0).strip(), i + 1
        while j < len(lines) and j < i + 4 and lines[j].text.strip() and not caption.endswith("."):
            caption += " " + lines[j].text.strip()
            j += 1
        body: list[Line] = []
        seen_row = False
        while j < len(lines) and len(body) < DEFAULT_MAX_LINES:
            t = lines[j].text.strip()
            cells = _split(lines[j])[1] if t else []
            # the table ends at a caption, heading or prose: a sentence, or after its first row any
            # full-width line without figures (a header above the rows may be long)
            if t and (_END_RE.match(t) or lines[j].heading or not cells and (
                    _is_prose(t) or seen_row and len(t) >= DEFAULT_PROSE_LINE)):
                break
            seen_row = seen_row or bool(cells)
            body.append(lines[j])
            j += 1
        rows, why = _rows(body, int(m.group("num")), re.sub(r"\s+", " ", caption))
        if why:
            warnings.append(why)
        for r in rows:
            r["table_page"], r["table_line"] = lines[i].page, lines[i].line
        out.extend(rows)
        i = j
    return out, warnings


def _rows(body: list[Line], number: int, caption: str) -> tuple[list[dict], str | None]:
    """The numeric rows of one table's body (lines after the caption, blanks included)."""
    split = [(ln, *_split(ln)) for ln in body]
    counts = Counter(len(cells) for ln, _, cells in split if cells and ln.text.strip())
    if not counts:
        return [], None                       # a table of words: no rows
    width = counts.most_common(1)[0][0]
    rows: list[dict] = []
    pending: list[list[Line]] = [[]]           # paragraphs of text since the last row (a blank starts one)
    header: list[str] = []
    cur: dict | None = None
    skipped = 0

    def label_of(paragraphs: list[list[Line]]) -> tuple[str, Line | None]:
        """The label printed above a line of figures, and its first line."""
        paras = [p for p in paragraphs if p]
        if not rows:
            # before the first row: the label is the paragraphs after the last all-capitalised one
            # (a column header such as "Lowest Highest Average"); the rest is header
            k = len(paras)
            while k > 0 and not all(w[:1].isupper() or not w[:1].isalpha()
                                    for w in " ".join(x.text for x in paras[k - 1]).split()):
                k -= 1
            header.extend(x.text.strip() for p in paras[:k] for x in p)
            paras = paras[k:]
        found = [x for p in paras for x in p]
        return " ".join(x.text.strip() for x in found), (found[0] if found else None)

    for ln, label, cells in split:
        t = ln.text.strip()
        if not t:
            if pending[-1]:
                pending.append([])
            continue
        if len(cells) > width and label:
            label, cells = " ".join([label, *cells[:len(cells) - width]]), cells[len(cells) - width:]
        elif len(cells) > width:
            label, cells = " ".join(cells[:len(cells) - width]), cells[len(cells) - width:]
        if cells and len(cells) != width:
            skipped += 1
            cur = None
            pending = [[]]
            continue
        if cells and not rows and all(_YEAR_RE.match(c) for c in cells):
            # a header of years above the columns ("Measure 2016 2017"), not a row of figures
            header.extend(x.text.strip() for p in pending for x in p)
            header.append(t)
            pending = [[]]
            continue
        if cells:
            first = ln
            if label:
                if not rows:
                    header.extend(x.text.strip() for p in pending for x in p)
                full = label
            else:
                full, first = label_of(pending)
                first = first or ln
            cur = {"number": number, "caption": caption, "label": full, "page": first.page, "line": first.line,
                   "cells": [{"text": c, "page": ln.page, "line": ln.line} for c in cells]}
            rows.append(cur)
            pending = [[]]
            continue
        # text: the rest of the last row's label, or the start of the next one's
        if cur is not None and label and (_UNFINISHED.search(cur["label"]) or t[:1].islower() or t[:1] == "("
                                          or cur["label"].count("(") > cur["label"].count(")")):
            cur["label"] += " " + t
            continue
        cur = None
        pending[-1].append(ln)
    for r in rows:
        r["label"] = re.sub(r"\s+", " ", r["label"]).strip()
        r["header"] = re.sub(r"\s+", " ", " ".join(header)).strip() or None
    why = f"Table {number}: {skipped} row(s) with another number of figures than {width} left out" if skipped else None
    rows = [r for r in rows if r["label"]]
    if len(rows) < MIN_ROWS:
        return [], None         # a stray figure in a table of words is not a numeric table
    return rows, why
