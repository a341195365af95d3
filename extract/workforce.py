"""Key staffing data and caseload data tables.

Given a Document, return one record per table row: the table's title, the
metric (de-wrapped), and its cells by column (Previous year, Current year), with
provenance. A table starts at its title; its rows are a metric label (which
may wrap, before or after its cells) and value cells ("186.34", "8%",
"12.72 days per year", "6% over specification"); it ends where prose starts.
Two tables printed side by side in a PDF are read each within its own column.
"""
from __future__ import annotations

import re

from .document import Document, Line, clip_line, word_runs
from .key_questions import join_lines

#: the titles of the two-column data tables read here: staffing and caseload (the workforce table),
#: and the other data tables of CRC reports (leadership "Key data", the characteristics of the cases
#: inspected, "Unpaid work key data"), which are stored as other tables
TITLE_RE = re.compile(r"\b(Key staffing data|Caseload data|Unpaid work key data|Key data|"
                      r"Characteristics of inspected(?: domain (?:two|2))?(?: cases)?)\b")
#: words a column header is made of ("To date of current inspection", "12 months previously",
#: "Previous year", "All CRCs in year one", "This CRC in current inspection")
_HEADER_WORDS = {"to", "date", "of", "current", "inspection", "12", "months", "previously", "previous", "year",
                 "all", "crcs", "in", "one", "this", "crc"}
# words that may continue a value cell onto the next line ("12.72 days" / "per year")
_VALUE_WORDS = {"days", "per", "year", "over", "specification", "days per year", "per year"}
#: words printed in a cell for a value the report does not have
NO_VALUE = r"Information\s+not\s+available|No\s+(?:comparable\s+)?data\s+available|Not\s+applicable"
VALUE = (r"(?<![\w.\-/])\d[\d,]*(?:\.\d+)?(?:\s*[–-]\s*\d[\d,]*\s+weeks"     # a range: "13–26 weeks"
         r"|(?:\s*%|\s+days(?:\s+per\s+year)?)?(?:\s+over\s+specification)?(?![\w\-/])"
         r"(?!\s+(?:months?|weeks?|hours?|years?)\b))|\b(?:" + NO_VALUE + r")\b")
VALUE_RE = re.compile(VALUE)
NO_VALUE_RE = re.compile(NO_VALUE)
#: the end of a sentence (or of a lead-in: "... based on four key questions:")
_SENTENCE = re.compile(r"[a-z][.:]\s|[a-z][.:]$")
_FUNCTION_END = re.compile(r"\b(?:the|a|an|of|in|this|that|as|or|and|to|for|with|by|describing|per)\s*$", re.I)
#: metric text longer than this without cells is prose: the table has ended
DEFAULT_MAX_LABEL = 260
DEFAULT_MAX_LINES = 45
#: a label line longer than this is a full-width line of prose, not a table cell
DEFAULT_MAX_LABEL_LINE = 70


def _column(word: str) -> str | None:
    """'Previous'/'previously' name the previous period, 'Current'/'current' the current one."""
    w = word.lower()
    return ("previous" if w.startswith("previous") else "current" if w == "current" else
            "comparator" if w == "all" else None)


def _crosses(ln: Line, splits: list[float]) -> bool:
    """Whether a line's text runs on across a gutter (prose), rather than stopping either side of it."""
    ws = ln.words or []
    for x in splits:
        left = [w.x1 for w in ws if w.x1 <= x]
        right = [w.x0 for w in ws if w.x0 >= x]
        if any(w.x0 < x < w.x1 for w in ws):
            return True
        if left and right and min(right) - max(left) < 10:
            return True
    return False


#: header words of a table with no title: its columns are the two inspections
_UNTITLED_HEADER = {"previous", "current", "inspection"}


def _untitled(lines: list[Line], i: int, taken: set) -> str | None:
    """When line i starts the column header of a table with no title ("Previous inspection" /
    "Current inspection", over one to four lines) that no other extractor has read, return the
    table's name: the paragraph printed just above it (the question it answers, de-wrapped)."""
    if (lines[i].page, lines[i].line) in taken or i == 0:
        return None
    words: list[str] = []
    for b in [b for b in lines[i:i + 8] if b.text.strip()][:4]:      # blank lines between header words
        ws = b.text.lower().split()
        if not all(w in _UNTITLED_HEADER for w in ws):
            break
        words += ws
    if not ({"previous", "current"} <= set(words)) or lines[i - 1].text.lower().split() and \
            all(w in _HEADER_WORDS for w in lines[i - 1].text.lower().split()):
        return None
    above: list[str] = []
    k = i - 1
    while k >= 0 and not lines[k].text.strip():
        k -= 1
    # the paragraph above: up to a blank line, or a line that ends a sentence
    while k >= 0 and len(above) < 3 and lines[k].page == lines[i].page:
        t = lines[k].text.strip()
        if not t or TITLE_RE.search(t) or (lines[k].page, lines[k].line) in taken or above and re.search(r"[.?!:]$", t):
            break
        above.insert(0, t)
        k -= 1
    name = re.sub(r"\s+", " ", " ".join(above)).strip()
    return name if 0 < len(name) <= 200 else None


def workforce_tables(doc: Document, taken: set | frozenset = frozenset()) -> tuple[list[dict], list[str]]:
    """Given a document and the (page, line) of lines other extractors have read as tables, return the
    rows of its data tables: titled ones (TITLE_RE), and ones with no title whose columns are the
    previous and current inspection (named by the paragraph above them)."""
    lines = [ln for ln in doc.content() if ln.role in ("body", "blank")]
    out: list[dict] = []
    warnings: list[str] = []
    for i, ln in enumerate(lines):
        first = ln.text.split(None, 1)
        name = _untitled(lines, i, taken) if first and first[0].lower() in _UNTITLED_HEADER else None
        if name:
            body = [b for b in lines[i:i + 2 * DEFAULT_MAX_LINES] if b.role == "body"][:DEFAULT_MAX_LINES]
            rows = _parse(body, name, warnings)
            if rows and not any(r["metric"].rstrip().endswith("?") for r in rows):   # not a question table
                out.extend(rows)
    lines = [ln for ln in lines if ln.role == "body"]
    for i, ln in enumerate(lines):
        for m in TITLE_RE.finditer(ln.text):
            if not re.match(r"^\s*$", ln.text[:m.start()]) and not ln.words:
                continue   # a title mentioned in prose, not a table
            block = lines[i:i + DEFAULT_MAX_LINES]
            if ln.words:
                # tables printed side by side: each is read between its title and the next title
                title_x = sorted(w.x0 for k, w in enumerate(ln.words)
                                 if (w.text, ln.words[k + 1].text if k + 1 < len(ln.words) else "")
                                 in (("Key", "staffing"), ("Caseload", "data"), ("Unpaid", "work"), ("Key", "data"),
                                     ("Characteristics", "of")))
                first = next(w for k, w in enumerate(ln.words) if w.text == m.group(1).split()[0]
                             and (k + 1 < len(ln.words) and ln.words[k + 1].text == m.group(1).split()[1]))
                if any(w.x0 < first.x0 - 1 and not TITLE_RE.search(w.text) for w in ln.words) and len(title_x) < 2:
                    continue   # prose mentioning the title
                if len(title_x) < 2:
                    # one table beside other content (prose in the next column): read left of that content
                    hdr = [ln] + [b for b in block[1:4] if any(w.text.lower() in _HEADER_WORDS for w in b.words or [])]
                    hx = [w.x1 for w in ln.words if w.text.lower() in _HEADER_WORDS and w.x0 > first.x1]
                    extra = [w for b in hdr for w in b.words if hx and w.x0 > max(hx) + 5 and
                             w.text.lower().strip(":") not in _HEADER_WORDS]
                    if hx and extra:
                        edge = min(w.x0 for w in extra) - 2
                        cut = []
                        for b in block:
                            if _crosses(b, [edge]):
                                break       # full-width prose: the table beside other content has ended
                            cut.append(b)
                        block = [c for c in (clip_line(b, 0, edge) for b in cut) if c is not None]
                if len(title_x) >= 2:
                    # titles are centred over their tables: split after each table's last column header
                    splits = []
                    for a, b in zip(title_x, title_x[1:]):
                        hdr = [w.x1 for w in ln.words if a < w.x0 < b and w.text in ("Previous", "Current", "year")]
                        splits.append(max(hdr) + 8 if hdr else b - 5)
                    k = title_x.index(first.x0)
                    x0 = 0 if k == 0 else splits[k - 1]
                    x1 = splits[k] if k < len(splits) else 10_000
                    cut = []
                    for b in block:
                        if _crosses(b, splits):
                            break       # a full-width line: the side-by-side tables have ended
                        cut.append(b)
                    block = [c for c in (clip_line(b, x0, x1) for b in cut) if c is not None]
            rows = _parse(block, m.group(1), warnings)
            out.extend(rows)
    return out, warnings


def _is_heading(text: str) -> bool:
    """Whether a line is a standard's heading ("2.1. Assessment", "Standard 4.1. Unpaid work") or a
    domain's ("3. CRC-specific work"), not a ratings-table row or a contents line."""
    from .ratings import RATING_RE, STANDARD_HEADING, DOMAIN_HEADING
    m = STANDARD_HEADING.match(text) or DOMAIN_HEADING.match(text)
    return bool(m) and not RATING_RE.search(text) and not re.search(r"\s\d+\s*$", text)


def _parse(block: list[Line], title: str, warnings: list[str]) -> list[dict]:
    header = block[0].text
    geometry = all(b.words for b in block)
    # columns from the header (which may wrap: "Previous Current year / year")
    hdr_lines = [block[0]]
    if not geometry:
        # a title wrapped onto the next line ("Characteristics of inspected domain two" / "cases")
        while len(hdr_lines) < 3 and len(block) > len(hdr_lines):
            nxt = re.sub(r"\d+$", "", block[len(hdr_lines)].text.strip())      # a footnote marker
            if not re.fullmatch(r"[a-z][a-z ]{0,30}", nxt) or all(w in _HEADER_WORDS for w in nxt.split()):
                break
            title = f"{title} {nxt}"
            hdr_lines.append(block[len(hdr_lines)])
    for b in block[len(hdr_lines):8]:
        if all(w.lower() in _HEADER_WORDS for w in b.text.split()):
            hdr_lines.append(b)
        else:
            break
    cols = []
    centres: dict[str, float] = {}
    for b in hdr_lines:
        # a column's header is its run of words ("Previous inspection"): its centre is the column's
        for seg in word_runs(b.words or [], 8.0):
            for w in seg:
                c = _column(w.text)
                if c and c not in centres:
                    centres[c] = (seg[0].x0 + seg[-1].x1) / 2
    for mm in re.finditer(r"\b(\w+)\b", " ".join(b.text for b in hdr_lines)):
        c = _column(mm.group(1))
        if c and c not in cols:
            cols.append(c)
    if not cols:
        return []
    # what the columns compare: two inspections ("Previous inspection", "This CRC in current
    # inspection"), or two years ("Previous year", "To date of current inspection" / "12 months previously")
    hdr = " ".join(b.text for b in hdr_lines).lower()
    periods = ("inspection" if re.search(r"\binspection\b", hdr)
               and not re.search(r"\bmonths?\b|\bdate\b|\b(?:previous|current) year\b", hdr) else "year")
    body = block[len(hdr_lines):]
    # a standard's or a domain's heading is never a row: the table has ended before it
    for k, b in enumerate(body):
        if _is_heading(b.text):
            body = body[:k]
            break
    # items: (kind, text, line, col)
    items: list[tuple[str, str, Line, str | None]] = []
    if geometry and centres:
        left = min(centres.values()) - 40
        for b in body:
            # a value right of the table's left edge starts a cell of its own
            segs = word_runs(b.words, 8.0, lambda k: VALUE_RE.fullmatch(b.words[k].text) and b.words[k].x0 >= left)
            for s in segs:
                text = " ".join(w.text for w in s)
                cx = (s[0].x0 + s[-1].x1) / 2
                if s is not segs[0] and VALUE_RE.fullmatch(text) and s[0].x0 < left:
                    # a wide cell ("Information not available") may start left of its centred header
                    items.append(("cell", text, b, min(centres, key=lambda c: abs(centres[c] - cx))))
                    continue
                if s[0].x0 >= left:
                    if not re.match(r"^\d", text) and text.lower() not in _VALUE_WORDS and not NO_VALUE_RE.fullmatch(text):
                        continue    # text beside the table (another column of the page), not a cell
                    col = min(centres, key=lambda c: abs(centres[c] - cx))
                    items.append(("cell", text, b, col))
                else:
                    items.append(("text", text, b, None))
    else:
        stream, starts = "", []
        for b in body:
            starts.append(len(stream))
            stream += b.text + "\n"

        def line_at(off):
            k = max(j for j, s in enumerate(starts) if s <= off)
            return body[k]
        masked = list(stream)
        found = []
        for m in VALUE_RE.finditer(stream):
            found.append((m.start(), ("cell", m.group(0), line_at(m.start()), None)))
            for k in range(m.start(), m.end()):
                if masked[k] != "\n":
                    masked[k] = " "
        ms = "".join(masked)
        for j, b in enumerate(body):
            seg = ms[starts[j]:starts[j] + len(b.text)].strip()
            if seg:
                found.append((starts[j], ("text", seg, b, None)))
        items = [it for _, it in sorted(found, key=lambda p: p[0])]
    rows: list[dict] = []
    cur: dict | None = None
    # a label with its cells on the same line is a row however long it is: in a PDF (by geometry), and
    # in a text rendering whose row is tab-separated cells (a web page's table)
    with_cells = {id(ln) for kind, text, ln, _ in items if kind == "cell" and VALUE_RE.fullmatch(text.strip())
                  and ((geometry and centres) or "\t" in ln.text)}
    for kind, text, ln, col in items:
        if kind == "text":
            if TITLE_RE.search(text) and cur is not None:
                break
            t = text.strip()
            if id(ln) not in with_cells and ((_SENTENCE.search(t) and len(t) > 40) or len(t) > DEFAULT_MAX_LABEL_LINE):
                break           # a sentence or a full-width line: prose after the table
            if cur is not None and cur["cells"] and len(cur["cells"]) >= len(cols) and not (
                    t[:1].islower() or t.startswith("(") or _FUNCTION_END.search(" ".join(cur["label"]))
                    or cur["label"] and cur["label"][-1].count("(") > cur["label"][-1].count(")")):
                rows.append(cur)
                cur = None
            if cur is None:
                cur = {"label": [], "cells": [], "line": ln}
            cur["label"].append(t)
            label = " ".join(cur["label"])
            if not cur["cells"] and (len(label) > DEFAULT_MAX_LABEL or _SENTENCE.search(label) and len(label) > 40):
                cur = None      # a sentence wrapped over short lines: prose after the table
                break
        else:
            if cur is None:
                continue
            if geometry and centres:
                # pieces of one cell wrapped over lines ("12.72 days" / "per year") join up
                prev = [c for c in cur["cells"] if c[2] == col]
                if prev and not VALUE_RE.match(text):
                    prev[-1][0] = prev[-1][0] + " " + text
                    continue
                cur["cells"].append([text, ln, col])
            else:
                cur["cells"].append([text, ln, None])
    if cur is not None and cur["cells"]:
        rows.append(cur)
    out = []
    for r in rows:
        metric = join_lines(r["label"])
        if geometry and centres:
            assigned = {c[2]: (re.sub(r"\s+", " ", c[0]), c[1]) for c in r["cells"]}
        else:
            if len(r["cells"]) != len(cols):
                warnings.append(f"{title}: row '{metric[:40]}' has {len(r['cells'])} cells for {len(cols)} columns")
                continue
            assigned = {c: (re.sub(r"\s+", " ", cell[0]), cell[1]) for c, cell in zip(cols, r["cells"])}
        order = sorted(centres, key=centres.get) if geometry and centres else cols
        out.append({"table_name": title, "metric": metric, "columns": order, "periods": periods,
                    "page": r["line"].page, "line": r["line"].line,
                    "cells": {c: {"text": t, "page": l.page, "line": l.line} for c, (t, l) in assigned.items()}})
    return out
