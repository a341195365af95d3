"""The ratings table, the score and the ratings printed beside each standard's heading.

Given a Document, return raw records (printed text, printed codes, provenance);
normalise/ maps them to the rating vocabulary and the framework's codes.

The ratings table is read as a section: it starts at the "Ratings" heading and
ends at the next section heading; inside it, a "Score N/M" cell, an "Overall
rating" row, numbered domain rows and standard rows (with or without a printed
code) are recognised by their shape, not by line offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Document, Line

RATING_PHRASE = r"(?:Outstanding|Good|Requires\s+[Ii]mprovement|Inadequate|Not\s+rated|Not\s+inspected)"
RATING_RE = re.compile(rf"[‘'\"“]?({RATING_PHRASE})[’'\"”]?")
# tokens that may make up a rating-only line (a two-word rating may be split over lines)
_RATING_TOKEN_LINE = re.compile(
    r"^(?:\s*[‘'\"“]?(?:Outstanding|Good|Requires|[Ii]mprovement|Inadequate|Not|rated|inspected)[’'\"”.]?)+\s*$")
_RATING_TOKENS = {"outstanding", "good", "requires", "improvement", "inadequate", "not", "rated", "inspected"}
SCORE_RE = re.compile(r"\bScore\b[\s:]*(\d{1,2})\s*/\s*(\d{2})\b")
_SECTION_END = re.compile(
    r"^\s*(?:Executive summary|Recommendations|Foreword|Contents|Background|Introduction|Summary|Overall findings|"
    r"Key facts|Contextual facts)\s*$", re.I)
_DOMAIN_ROW = re.compile(r"^\s*(\d)\.\s+([A-Z][^\t\d]*?)\s*$")
_STANDARD_ROW = re.compile(
    rf"^\s*(?:(?P<code>\d\.\d{{1,2}})\.?\s+)?(?P<label>[A-Z][A-Za-z ,&'’/()\-]*?[A-Za-z)])\s+[‘'\"“]?(?P<rating>{RATING_PHRASE})[’'\"”]?\s*$")
#: a standard's heading in the body or annexe: "2.1. Assessment", "2.1 Assessment", "Standard 4.1. Unpaid
#: work", "Standard 2.1: Assessment" ("4.10: Offenders ..." without "Standard" is a table's number, not a
#: heading; a ratings-table row, which prints a rating after the name, is told apart by the callers)
STANDARD_HEADING = re.compile(r"^\s*(?:Standard\s+|(?!\d\.\d{1,2}:))(?P<code>\d\.\d{1,2})[.:]?\s+(?P<name>[A-Z][A-Za-z ,&'’/()\-]{2,70}?)(?P<rest>\s+Previous\b.*|\t.*)?\s*$")
DOMAIN_HEADING = re.compile(r"^\s*(?P<d>\d)\.\s+(?P<title>[A-Z][A-Za-z ,&'’/()\-]{3,80}?)\s*$")

#: how many lines after a standard heading may hold its printed rating(s)
DEFAULT_BODY_RATING_WINDOW = 16
#: longest ratings section (lines) before we give up looking for its end
DEFAULT_RATINGS_SECTION_MAX = 80


@dataclass
class RatingsTable:
    found: bool = False
    score: int | None = None
    score_max: int | None = None
    score_text: str | None = None
    score_pos: tuple[int | None, int] | None = None
    overall_text: str | None = None
    overall_pos: tuple[int | None, int] | None = None
    rows: list[dict] = field(default_factory=list)
    note: str | None = None


def _pos(ln: Line) -> tuple[int | None, int]:
    return (ln.page, ln.line)


def _merge_split_ratings(lines: list[Line]) -> list[tuple[str, Line]]:
    """Given lines, return (text, first line) with a rating split over two lines joined."""
    out: list[tuple[str, Line]] = []
    i = 0
    content = [ln for ln in lines if ln.text.strip()]
    while i < len(content):
        t = content[i].text.rstrip()
        if re.search(r"\b(?:Requires|Not)\s*$", t) and i + 1 < len(content) and \
                re.match(r"^\s*(?:[Ii]mprovement|rated|inspected)\b", content[i + 1].text):
            out.append((t + " " + content[i + 1].text.strip(), content[i]))
            i += 2
            continue
        # a standard row whose rating (or the end of its label) wrapped onto the next line
        if i + 1 < len(content) and not RATING_RE.search(t) and re.match(r"^\s*(?:\d\.\d{1,2}\.?\s+)?[A-Z]", t) \
                and not _DOMAIN_ROW.match(t) and not SCORE_RE.search(t):
            nxt = content[i + 1].text.strip()
            if RATING_RE.search(nxt) and len(nxt) < 60 and not re.match(r"^\s*\d", nxt):
                merged = t + " " + nxt
                if i + 2 < len(content) and re.search(r"\b(?:Requires|Not)\s*$", merged) and \
                        re.match(r"^\s*(?:[Ii]mprovement|rated|inspected)\b", content[i + 2].text):
                    merged += " " + content[i + 2].text.strip()
                    i += 1
                if _STANDARD_ROW.match(merged):
                    out.append((merged, content[i]))
                    i += 2
                    continue
        out.append((t, content[i]))
        i += 1
    return out


def _ratings_section(lines: list[Line]) -> tuple[int | None, list[Line]]:
    """Given content lines, return (index of the section start, lines of the ratings section)."""
    start = None
    for i, ln in enumerate(lines):
        if re.fullmatch(r"\s*Ratings\s*", ln.text) or (ln.heading and ln.text.strip().lower() == "ratings"):
            # the contents page lists "Ratings 4": a heading has no page number
            start = i
            # prefer the first "Ratings" heading followed by a score within the section
            window = lines[i + 1:i + 1 + DEFAULT_RATINGS_SECTION_MAX]
            if any(SCORE_RE.search(w.text) for w in window[:25]):
                break
    if start is None:
        # a table without its heading: start at the score cell
        for i, ln in enumerate(lines):
            if SCORE_RE.search(ln.text):
                start = max(0, i - 3)
                break
    if start is None:
        return None, []
    section: list[Line] = []
    for ln in lines[start + 1:start + 1 + DEFAULT_RATINGS_SECTION_MAX]:
        if _SECTION_END.match(ln.text) or (ln.heading and section and ln.heading <= 2
                                            and not _DOMAIN_ROW.match(ln.text)):
            break
        section.append(ln)
    return start, section


def ratings_table(doc: Document) -> RatingsTable:
    lines = doc.content()
    rt = RatingsTable()
    start, section = _ratings_section(lines)
    if start is None:
        rt.note = "no ratings table (no 'Ratings' heading and no 'Score N/M')"
        return rt
    domain = None
    seen_domain = False
    for text, ln in _merge_split_ratings(section):
        m = SCORE_RE.search(text)
        if m and rt.score is None:
            rt.score, rt.score_max = int(m.group(1)), int(m.group(2))
            rt.score_text = f"{m.group(1)}/{m.group(2)}"
            rt.score_pos = _pos(ln)
            rt.found = True
            continue
        if not seen_domain and re.search(r"rating", text, re.I):
            mr = RATING_RE.search(text.split("rating", 1)[-1] if "rating" in text else text)
            if mr:
                rt.overall_text = mr.group(1)
                rt.overall_pos = _pos(ln)
                rt.found = True
                continue
        md = _DOMAIN_ROW.match(text)
        if md and not RATING_RE.search(text):
            domain = int(md.group(1))
            seen_domain = True
            continue
        ms = _STANDARD_ROW.match(text)
        if ms and seen_domain and not re.search(r"\b(?:overall|score)\b", ms.group("label"), re.I):
            rt.rows.append({
                "printed_code": ms.group("code"), "label": re.sub(r"\s+", " ", ms.group("label")).strip(),
                "domain_printed": domain, "rating_text": re.sub(r"\s+", " ", ms.group("rating")),
                "page": ln.page, "line": ln.line,
                "ratings_table_label": re.sub(r"\s+", " ", ((ms.group("code") or "") + " " + ms.group("label")).strip()),
            })
            rt.found = True
    if not rt.found:
        rt.note = "a 'Ratings' heading but no score, overall rating or standard rows under it"
    return rt


def _rating_sequence(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", m.group(1)) for m in RATING_RE.finditer(text)]


def _rating_only(ln: Line) -> bool:
    t = ln.text.strip()
    return bool(t) and bool(_RATING_TOKEN_LINE.match(t))


def _rating_cell(ln: Line) -> str | None:
    """Given a line, return its rating-only text: the whole line, or its trailing tab-separated cells
    that hold only ratings (a table row 'description | Good | Requires improvement')."""
    if _rating_only(ln):
        return ln.text.strip()
    if "\t" in ln.text:
        cells = [c.strip() for c in ln.text.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        tail: list[str] = []
        while cells and _RATING_TOKEN_LINE.match(cells[-1]):
            tail.insert(0, cells.pop())
        if tail:
            return " ".join(tail)
    return None


def _body_ratings_geometry(window: list[Line], header_words: list):
    """PDF: assign rating words to the Previous/Current columns by x position."""
    cols = {}
    for w in header_words:
        cols[w.text.lower()] = (w.x0 + w.x1) / 2
    left_edge = min(w.x0 for w in header_words) - 40
    buckets: dict[str, list] = {k: [] for k in cols}
    for ln in window:
        for w in ln.words or []:
            tok = w.text.strip("‘’'\".").lower()
            if tok in _RATING_TOKENS and w.x0 >= left_edge:
                centre = (w.x0 + w.x1) / 2
                k = min(cols, key=lambda c: abs(cols[c] - centre))
                buckets[k].append((w.top, w.x0, w.text, ln))
    out = {}
    first = {}
    for k, ws in buckets.items():
        ws = sorted(ws)
        seq = _rating_sequence(" ".join(t for _, _, t, _ in ws))
        out[k] = seq[0] if seq else None
        first[k] = ws[0][3] if ws else None
    return out.get("previous"), out.get("current"), first.get("current")


def body_ratings(doc: Document) -> list[dict]:
    """Given a Document, return the rating printed beside each standard heading in the body.

    Each record: printed_code, name, previous_text, current_text, page, line.
    A domain heading followed by a bare 'Not rated' (a standard without its own
    heading) gives a record with printed_code None and the domain number.
    """
    lines = [ln for ln in doc.content() if ln.role == "body"]
    out: list[dict] = []
    start, section = _ratings_section(lines)
    skip = set() if start is None else {(ln.page, ln.line) for ln in [lines[start], *section]}
    for i, ln in enumerate(lines):
        if (ln.page, ln.line) in skip:
            continue
        t = ln.text
        mh = STANDARD_HEADING.match(t)
        md = DOMAIN_HEADING.match(t) if not mh else None
        if not mh and not md:
            continue
        if mh and (RATING_RE.search(mh.group("name")) or re.search(r"\s\d+\s*$", t)):
            continue   # a ratings-table row or a contents line
        window: list[Line] = []
        for ln2 in lines[i + 1:i + 1 + DEFAULT_BODY_RATING_WINDOW]:
            if STANDARD_HEADING.match(ln2.text) or DOMAIN_HEADING.match(ln2.text) or \
                    re.match(r"^\s*(?:Our rating|We inspected|We do not currently rate|Key question)", ln2.text):
                break
            window.append(ln2)
        prev = cur = anchor = None
        header_words = []
        for w_ln in [ln] + window[:3] + lines[max(0, i - 6):i]:
            for w in w_ln.words or []:
                if w.text in ("Previous", "Current") and w.x0 > 200:
                    header_words.append(w)
        if md and any(_STANDARD_ROW.match(w.text.replace("\t", " ")) for w in window):
            continue   # a domain row of the ratings table, not a body heading
        rating_lines = [w for w in window if _rating_cell(w)]
        if header_words and any(w.words for w in window):
            names = {w.text.lower() for w in header_words}
            prev, cur, anchor = _body_ratings_geometry(window, [w for w in header_words])
            if "previous" not in names:
                prev = None
        elif rating_lines:
            # the rating sequence, remembering on which line each phrase starts
            joined, starts = "", []
            for w in rating_lines:
                starts.append((len(joined), w))
                joined += _rating_cell(w) + " "
            found = list(RATING_RE.finditer(joined))
            seq = [re.sub(r"\s+", " ", m.group(1)) for m in found]
            if seq:
                cur = seq[1] if len(seq) >= 2 else seq[0]
                prev = seq[0] if len(seq) >= 2 else None
                off = found[1 if len(seq) >= 2 else 0].start()
                anchor = [w for o, w in starts if o <= off][-1]
        if cur is None:
            continue
        anchor = anchor or ln
        if mh:
            out.append({"printed_code": mh.group("code"), "name": mh.group("name").strip(), "domain_printed":
                        int(mh.group("code").split(".")[0]), "previous_text": prev, "current_text": cur,
                        "page": ln.page, "line": ln.line, "rating_page": anchor.page, "rating_line": anchor.line})
        else:
            statement = " ".join(w.text.strip() for w in window if w.text.strip() and not _rating_only(w))
            out.append({"printed_code": None, "name": None, "domain_printed": int(md.group("d")),
                        "domain_title": md.group("title").strip(), "statement": statement[:300],
                        "previous_text": prev, "current_text": cur,
                        "page": anchor.page, "line": anchor.line, "rating_page": anchor.page,
                        "rating_line": anchor.line})
    return out
