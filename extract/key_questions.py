"""Key-question percentage tables ("Our rating for X is based on three key questions").

Given a Document, return one record per key-question row with its standard
heading, question, cells by column and provenance.

A table is read as structure, not as fixed lines:

* it starts at the sentence that introduces it ("... based on ... key
  questions") or at a header naming a "Percentage 'Yes'" column;
* its header names the columns in order (Previous inspection, Current
  inspection, All CRCs, Percentage 'Yes');
* a row is a question (which may wrap over lines, with cells printed beside
  any of its lines) followed by its cells; "No comparable data available" and
  the qualitative-only text are cells (null values), wherever they wrap;
* the table ends where running prose starts.

PDF lines carry word geometry: cells are assigned to columns by their x
position under the header. Text renderings carry no geometry: cells are
assigned to columns in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Document, Line, clip_line, word_runs

TRIGGER_RE = re.compile(r"\brating\d*\b.{0,80}\bbased on\b.{0,200}?\bkey\b.{0,80}?\bquestions?\b|Percentage\s*[‘'’\"]?\s*Yes\b",
                        re.I | re.S)
#: how many lines a trigger sentence may wrap over
DEFAULT_TRIGGER_LINES = 3
#: a table whose introducing sentence starts this far right (points) sits in a right-hand column
DEFAULT_RIGHT_COLUMN_X = 180.0
QUESTION_START = re.compile(r"^\s*(?:Does|Do|Is|Are|Has|Have|Was|Were|Did|Can|Could|Will|How|To what extent)\b")
PCT = r"(?<![\d.])\d{1,3}(?:\.\d+)?\s?%"
NA = r"No\s+comparable\s+data\s+available|No\s+data\s+available|Information\s+not\s+available|Not\s+applicable"
QUAL = r"This\s+question\s+produces\s+qualitative\s+evidence\s+only(?:[^?%]*?\bdata(?![a-z]))?"
CELL_RE = re.compile(rf"(?P<pct>{PCT})|(?P<na>{NA})|(?P<qual>{QUAL})", re.S)
_JUNK_RE = re.compile(r"Error!\s*Bookmark\s+not\s+defined\.?", re.S)
COLUMN_RE = re.compile(r"\b(?P<col>Previous|Current|All|Percentage)\b")

#: characters of prose after a row that end the table
DEFAULT_PROSE_END = 40
#: how many lines a table may span at most
DEFAULT_TABLE_MAX_LINES = 90
#: how many lines the header may span before the first question
DEFAULT_HEADER_MAX_LINES = 16


@dataclass
class Item:
    kind: str          # text | cell
    text: str
    line: Line
    col: str | None = None   # PDF: column by geometry
    end_line: Line | None = None   # a wrapped cell's last line

    @property
    def value_line(self) -> Line:
        """Where a cell's value is read: the end of a wrapped 'No comparable data available',
        the start of a qualitative-only note."""
        if self.end_line is None or re.match(QUAL, self.text):
            return self.line
        return self.end_line


@dataclass
class Row:
    question: str
    line: Line
    cells: list[Item] = field(default_factory=list)
    closed: bool = False


def _standard_before(lines: list[Line], idx: int) -> tuple[str | None, str | None]:
    from .ratings import STANDARD_HEADING, RATING_RE
    for ln in reversed(lines[max(0, idx - 400):idx]):
        m = STANDARD_HEADING.match(ln.text)
        if m and not RATING_RE.search(m.group("name")) and not re.search(r"\s\d+\s*$", ln.text):
            return m.group("code"), m.group("name").strip()
    return None, None


def _columns(header: str) -> tuple[list[str], str | None, str | None]:
    """Given the header text, return (columns in order, comparator label, column label)."""
    cols: list[str] = []
    comparator = None
    col_label = None
    for m in COLUMN_RE.finditer(header):
        c = m.group("col")
        if c == "Previous":
            cols.append("previous")
        elif c == "Current":
            cols.append("current")
        elif c == "Percentage":
            cols.append("current")
            col_label = "Percentage 'Yes'"
        elif c == "All":
            rest = header[m.end():m.end() + 80]
            nxt = re.search(r"\b([A-Z][A-Za-z]+(?:\s+(?:divisions|areas|services))?)", rest)
            while nxt and nxt.group(1) in ("Previous", "Current", "Percentage"):
                nxt = re.search(r"\b([A-Z][A-Za-z]+)", rest[nxt.end():])
            comparator = "All " + nxt.group(1) if nxt else "All"
            cols.append("comparator")
    # "Previous inspection" may print twice (caption and header): keep the order, drop repeats
    seen = []
    for c in cols:
        if c not in seen:
            seen.append(c)
    return seen, comparator, col_label


def _segments(ln: Line) -> list[tuple[float, float, str]]:
    """PDF: group a line's words into segments separated by wide gaps."""
    words = ln.words or []

    def starts_cell(k: int) -> bool:
        nxt = words[k + 1].text if k + 1 < len(words) else ""
        return bool(re.fullmatch(PCT, words[k].text)) or (words[k].text, nxt) in (("No", "comparable"), ("This", "question"))
    segs = word_runs(words, 14.0, starts_cell)
    return [(s[0].x0, s[-1].x1, " ".join(w.text for w in s)) for s in segs]


def items_geometry(lines: list[Line], centres: dict[str, float], left_edge: float) -> list[Item]:
    items: list[Item] = []
    for ln in lines:
        segs = _segments(ln)
        for k, (x0, x1, text) in enumerate(segs):
            centre = (x0 + x1) / 2
            is_cell = x0 >= left_edge or (k > 0 and x0 > 250)
            if is_cell and centres:
                col = min(centres, key=lambda c: abs(centres[c] - centre))
                items.append(Item("cell", text, ln, col))
            else:
                items.append(Item("text", text, ln))
    return items


def items_text(lines: list[Line]) -> list[Item]:
    stream = ""
    starts: list[int] = []
    for ln in lines:
        starts.append(len(stream))
        stream += ln.text + "\n"
    stream = _JUNK_RE.sub(lambda m: " " * len(m.group(0)), stream)

    def line_at(off: int) -> Line:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= off:
                lo = mid
            else:
                hi = mid - 1
        return lines[lo]

    items: list[tuple[int, Item]] = []
    masked = list(stream)
    for m in CELL_RE.finditer(stream):
        # a cell wrapped over lines is located where it starts
        items.append((m.start(), Item("cell", m.group(0), line_at(m.start()), end_line=line_at(m.end() - 1))))
        for k in range(m.start(), m.end()):
            if masked[k] != "\n":
                masked[k] = " "
    masked_s = "".join(masked)
    for i, ln in enumerate(lines):
        seg = masked_s[starts[i]:starts[i] + len(ln.text)]
        # a line may hold the end of one question, its cells and the start of the next:
        # split where cells were taken out, and after a '?' that a new question follows
        for m in re.finditer(r"\S(?:.*?\S)?(?=\s{3,}|\s*$)", seg):
            for k, piece in enumerate(re.split(r"(?<=\?)\S*\s+(?=(?:Does|Do|Is|Are|Has|Have|How)\b)", m.group(0))):
                if piece.strip():
                    items.append((starts[i] + m.start() + k, Item("text", piece.strip(), ln)))
    items.sort(key=lambda p: p[0])
    return [it for _, it in items]


def _words(text: str) -> set[str]:
    """The words of a text, lower-cased, without footnote numbers glued to them."""
    return {w for w in re.findall(r"[a-z’']+", text.lower())}


def join_lines(parts: list[str]) -> str:
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if (out.endswith("-") and not out.endswith(" -")) or out.endswith("/"):
            out += p
        else:
            out = (out + " " + p) if out else p
    return re.sub(r"\s+", " ", out).strip()


def cell_value(text: str) -> tuple[float | None, str | None, bool]:
    """Given a cell's text, return (value, text kept for a null, qualitative_only)."""
    t = re.sub(r"\s+", " ", text).strip()
    m = re.fullmatch(r"(\d{1,3}(?:\.\d+)?)\s?%", t)
    if m:
        v = float(m.group(1))
        return (int(v) if v.is_integer() else v), None, False
    if re.match(QUAL, t, re.S):
        return None, t, True
    return None, t, False


#: what the introducing sentence says of the table's size: "based on three key questions", "... against
#: three key questions", "based on one key question"
STATED_COUNT_RE = re.compile(r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+key\s+questions?\b",
                             re.I)


def _stated_count(lines: list[Line], t: int) -> int | None:
    """How many key questions the sentence introducing a table (which may wrap) says it has."""
    from .numbers import to_number
    text = " ".join(ln.text for ln in lines[t:t + DEFAULT_TRIGGER_LINES])
    m = STATED_COUNT_RE.search(text)
    return int(to_number(m.group("n"))) if m else None


def _trigger_starts(lines: list[Line], i: int) -> bool:
    """Whether a table's introducing sentence (which may wrap over a few lines) or its header
    naming a "Percentage 'Yes'" column starts on line i."""
    if TRIGGER_RE.match(lines[i].text):
        return True
    m = TRIGGER_RE.search(" ".join(ln.text for ln in lines[i:i + DEFAULT_TRIGGER_LINES]))
    return m is not None and m.start() < len(lines[i].text) and \
        not (i > 0 and TRIGGER_RE.search(lines[i - 1].text + " " + lines[i].text[:m.start() + 1]))


def key_question_tables(doc: Document) -> tuple[list[dict], list[str]]:
    lines = [ln for ln in doc.content() if ln.role == "body"]   # blank lines carry no structure here
    index = {(ln.page, ln.line): k for k, ln in enumerate(lines)}
    rows_out: list[dict] = []
    warnings: list[str] = []
    i = 0
    n = len(lines)
    while i < n:
        if not _trigger_starts(lines, i):
            i += 1
            continue
        t = i
        block = [ln for ln in lines[t:t + DEFAULT_TABLE_MAX_LINES]]
        if lines[t].words and lines[t].words[0].x0 > DEFAULT_RIGHT_COLUMN_X and \
                re.match(r"\s*Our rating", lines[t].text):
            # the table sits in a right-hand column beside other content: read that column only
            xmin = lines[t].words[0].x0 - 6
            block = [c for c in (clip_line(ln, xmin) for ln in block) if c is not None]
        # header: from the trigger to the first question start
        q0 = None
        for k, ln in enumerate(block[:DEFAULT_HEADER_MAX_LINES]):
            if k > 0 and QUESTION_START.match(ln.text):
                q0 = k
                break
            if k > 0 and TRIGGER_RE.search(ln.text) and k > 2:
                break
        if q0 is None:
            i += 1
            continue
        header_lines = block[:q0]
        header = "\n".join(ln.text for ln in header_lines)
        cols, comparator, col_label = _columns(header)
        if not cols:
            i += 1
            continue
        code, name = _standard_before(lines, t)
        stated = _stated_count(lines, t)
        body = block[q0:]
        geometry = all(ln.words for ln in body[:3]) and all(ln.words for ln in header_lines)
        if geometry:
            centres: dict[str, float] = {}
            hx0 = []
            for ln in header_lines:
                for w in ln.words:
                    mm = COLUMN_RE.fullmatch(w.text.strip("‘’'"))
                    if mm and w.x0 > 150:
                        c = {"Previous": "previous", "Current": "current", "All": "comparator",
                             "Percentage": "current"}[mm.group("col")]
                        centres.setdefault(c, (w.x0 + w.x1) / 2)
                        hx0.append(w.x0)
            if not centres:
                geometry = False
        items = items_geometry(body, centres, min(hx0) - 45) if geometry else items_text(body)
        rows: list[Row] = []
        cur: Row | None = None
        junk = 0
        end_line = body[0]
        header_words = _words(header)
        for it in items:
            if it.kind == "text":
                txt = _JUNK_RE.sub("", it.text).strip()
                if not txt:
                    continue
                if (cur is None or cur.closed) and _words(txt) <= header_words:
                    continue        # the header printed again where the table runs on to the next page
                if cur is not None and not cur.closed:
                    cur.question = join_lines([cur.question, txt])
                    cur.closed = "?" in txt
                    continue
                if QUESTION_START.match(txt):
                    if cur is not None and cur.cells:
                        rows.append(cur)
                    cur = Row(question=txt, line=it.line, closed="?" in txt)
                    junk = 0
                    continue
                junk += len(txt)
                if junk > DEFAULT_PROSE_END:
                    break
            else:
                if cur is None:
                    continue
                cur.cells.append(it)
                end_line = it.line
                junk = 0
        if cur is not None and cur.cells:
            rows.append(cur)
        for r in rows:
            q = r.question
            if "?" in q:
                q = q[:q.index("?") + 1]
            rec = {"printed_code": code, "standard_name": name, "question": q,
                   "stated_count": stated, "table_page": lines[t].page, "table_line": lines[t].line,
                   "page": r.line.page, "line": r.line.line,
                   "values_page": r.cells[-1].value_line.page, "values_line": r.cells[-1].value_line.line,
                   "comparator_label": comparator if "comparator" in cols else None,
                   "column_label": col_label, "previous_pct": None, "current_pct": None,
                   "comparator_pct": None, "qualitative_only": False, "cell_texts": {}}
            if geometry:
                by_col: dict[str, list[str]] = {}
                for c in r.cells:
                    by_col.setdefault(c.col, []).append(c.text)
                assigned = {c: " ".join(v) for c, v in by_col.items()}
            else:
                if len(r.cells) != len(cols):
                    warnings.append(f"key-question row at line {r.line.line} has {len(r.cells)} cells for "
                                    f"{len(cols)} columns ({', '.join(cols)}); row skipped")
                    continue
                assigned = {c: cell.text for c, cell in zip(cols, r.cells)}
            for c, text in assigned.items():
                v, kept, qual = cell_value(text)
                rec[f"{c}_pct"] = v
                if kept:
                    rec["cell_texts"][c] = kept
                if qual:
                    rec["qualitative_only"] = True
            rows_out.append(rec)
        # continue after the table
        last = max((index[(r.cells[-1].line.page, r.cells[-1].line.line)] for r in rows), default=t)
        i = max(i + 1, last + 1)
    return rows_out, warnings
