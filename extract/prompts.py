"""Annexe prompt tables ("Annexe 4: Inspection data").

Given a Document, return one record per prompt row: the standard heading and
key question it sits under, the prompt, its cells by column, and provenance.

The annexe is read as a sequence: a standard heading ("2.1. Assessment")
opens a standard; a question with no cells of its own, followed by questions
that have cells, is the key question heading a table; a header naming
Previous/Current columns sets the columns of the rows that follow (tables
differ: some have one column). Cells are found as in the key-question tables:
by x position under the header in PDFs, in order in text renderings.
"""
from __future__ import annotations

import re

from .document import Document, Line
from .key_questions import (COLUMN_RE, QUESTION_START, cell_value, items_geometry, items_text, join_lines)
from .ratings import STANDARD_HEADING, RATING_RE

ANNEXE_RE = re.compile(r"^\s*Annexe\s+\w+\s*[:\-–]\s*Inspection data\b", re.I)
ANNEXE_ANY = re.compile(r"^\s*Annexe\s+\w+\s*[:\-–]", re.I)
_HEADER_WORDS = {"previous", "current", "inspection", "all", "percentage", "'yes'", "‘yes’"}


def _is_header(text: str) -> bool:
    """Given a text piece, return whether it is made only of column-header words."""
    words = [w.lower().strip("‘’'\"") for w in text.split()]
    return bool(words) and all(w in _HEADER_WORDS or w == "yes" for w in words)


def _header_cols(text: str) -> list[str]:
    cols = []
    for m in COLUMN_RE.finditer(text):
        c = {"Previous": "previous", "Current": "current", "Percentage": "current", "All": "comparator"}[m.group("col")]
        if c not in cols:
            cols.append(c)
    return cols


def prompt_tables(doc: Document) -> tuple[list[dict], list[str]]:
    lines = [ln for ln in doc.content() if ln.role == "body"]
    start = next((i for i, ln in enumerate(lines) if ANNEXE_RE.match(ln.text)), None)
    if start is None:
        return [], []
    block: list[Line] = []
    for ln in lines[start + 1:]:
        if ANNEXE_ANY.match(ln.text):
            break
        block.append(ln)
    geometry = bool(block) and all(ln.words for ln in block[:5])
    warnings: list[str] = []
    if geometry:
        centres: dict[str, float] = {}
        hx0: list[float] = []
        for ln in block:
            for w in ln.words:
                if w.text in ("Previous", "Current") and w.x0 > 150:
                    centres.setdefault(w.text.lower(), (w.x0 + w.x1) / 2)
                    hx0.append(w.x0)
            if len(centres) == 2:
                break
        if not centres:
            return [], ["annexe inspection data found, but no Previous/Current column header"]
        items = items_geometry(block, centres, min(hx0) - 45)
        # header words are not cells
        items = [it for it in items if not (it.kind == "cell" and _is_header(it.text))]
    else:
        items = items_text(block)
    out: list[dict] = []
    code = name = None
    kq = None
    cols: list[str] = ["previous", "current"]
    header_buf: list[str] = []
    cur = None   # [question parts, first line, cells, closed]

    def flush():
        nonlocal cur, kq
        if cur is None:
            return
        q = join_lines(cur[0])
        q = q[:q.index("?") + 1] if "?" in q else q
        if not cur[2]:
            kq = q      # a question without cells heads the table
        else:
            out.append(_record(q, cur, code, name, kq, cols, geometry, warnings))
        cur = None

    for it in items:
        if it.kind == "cell":
            if cur is not None:
                cur[2].append(it)
            continue
        txt = it.text.strip()
        if _is_header(txt):
            header_buf.append(txt)
            continue
        if header_buf:
            cols = _header_cols(" ".join(header_buf)) or cols
            header_buf = []
        mh = STANDARD_HEADING.match(txt)
        if mh and not RATING_RE.search(mh.group("name")):
            flush()
            code, name, kq = mh.group("code"), mh.group("name").strip(), None
            continue
        if cur is not None and not cur[3]:
            cur[0].append(txt)
            cur[3] = "?" in txt
            continue
        # a prompt may open with a qualifier ("Post-custody cases only: Was ...", "Wherever possible, does ...")
        if QUESTION_START.match(txt) or (code is not None and re.match(r"^\s*[A-Z]", txt)):
            flush()
            cur = [[txt], it.line, [], "?" in txt]
            continue
        # prose (the annexe's introduction) belongs to no row
    flush()
    return out, warnings


def _record(q, cur, code, name, kq, cols, geometry, warnings) -> dict:
    parts, line, cells = cur[0], cur[1], cur[2]
    rec = {"printed_code": code, "standard_name": name, "key_question": kq, "prompt": q,
           "page": line.page, "line": line.line, "values_page": cells[-1].value_line.page,
           "values_line": cells[-1].value_line.line, "previous_pct": None, "current_pct": None,
           "cell_texts": {}}
    if geometry:
        by_col: dict[str, list[str]] = {}
        for c in cells:
            by_col.setdefault(c.col, []).append(c.text)
        assigned = {c: " ".join(v) for c, v in by_col.items()}
    else:
        if len(cells) != len(cols):
            warnings.append(f"prompt row at line {line.line} has {len(cells)} cells for {len(cols)} columns")
            if len(cells) > len(cols):
                return rec | {"skipped": True}
            # fewer cells than columns: the rightmost columns are the ones printed
            cols = cols[len(cols) - len(cells):]
        assigned = {c: cell.text for c, cell in zip(cols, cells)}
    for c, text in assigned.items():
        v, kept, _ = cell_value(text)
        rec[f"{c}_pct"] = v
        if kept:
            rec["cell_texts"][c] = kept
    return rec
