"""The previous inspection's recommendations, the progress the report records on each, and the
summary of that progress it states in words.

A second-round report lists the recommendations of the last inspection, each followed by a
verdict ("The CRC has made some progress on this recommendation"), and sums them up before the
list ("no progress had been made on three of the recommendations, some progress had been made on
one and sufficient progress had been made on two"). Both are extracted here, as they are printed,
so that the audit can compare them from stored rows.

The section is found by its heading wording, the items by their consecutive numbering, the
verdicts and summary clauses by their wording over the de-wrapped text (line breaks, page breaks,
footers and footnotes in between do not matter). A report that prints no verdicts gives no rows.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .document import Document, Line
from .numbers import to_number

#: the section's heading: "Achievement of recommendations from the previous inspection",
#: "Progress on the recommendations of our last inspection", "Previous inspection recommendations"
SECTION_RE = re.compile(
    r"^\W*(?:(?:achievement of |progress (?:on|against|made on) )?(?:the )?recommendations?\s+(?:from|of|made (?:in|at|by))"
    r"\s+(?:the|our)\s+(?:previous|last|earlier|\d{4})\s+inspection|(?:previous|last) inspection(?:['’]s)?"
    r"\s+recommendations|progress (?:on|against) (?:the )?(?:previous|earlier) recommendations)"
    r"[\s:.*_]*(?:\d{1,2}|<sup>\d{1,2}</sup>)?[\s*_]*$", re.I)   # the whole line: a heading (markdown emphasis
                                                              # and a glued footnote number allowed)
#: where the section ends: the report's own new recommendations, or another part of the report
END_RE = re.compile(r"^\W*(?:new recommendations|recommendations\s*$|background|contents|foreword|executive summary|"
                    r"introduction|ratings?\s*$|key facts|contextual facts|annexe|appendix|\d\.\s+[A-Z])", re.I)
ITEM_RE = re.compile(r"^\s*(?:[-•*–]\s*)?(?P<num>\d{1,2})[.)]\s+(?P<text>\S.*)$")   # consecutive numbers tell items
ADDRESSEE_RE = re.compile(r"\bshould:\s*$")
#: "The CRC has made no progress on this recommendation"; the subject is what precedes "has made"
#: on its line (up to six words)
VERDICT_RE = re.compile(
    r"(?P<subject>(?:[A-Z][\w’'&-]*)(?:[ \t]+[\w’'&-]+){0,5}[ \t]+)?"
    r"(?P<body>ha(?:s|d|ve)\s+made\s+(?P<word>[a-z]+)\s+progress\s+(?:on|against|towards|in)\s+"
    r"(?:this|the|that)\s+recommendation)", re.I)
NUM = (r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
       r"|all|none)")
#: "no progress had been made on three of the recommendations", "sufficient progress on two",
#: "made no progress on one"
_PROGRESS = (r"(?P<word>no|some|sufficient|good|limited|insufficient|significant|little|partial|full|substantial|"
             r"reasonable|satisfactory)\s+progress")
_ON_NUM = r"\s+(?:on|against|in|towards|with)\s+" + NUM + r"\b"
SUMMARY_RES = [
    re.compile(r"\b" + _PROGRESS + r"(?:\s+(?:had|has|have|was|were)(?:\s+been)?\s+(?:made|achieved))?" + _ON_NUM, re.I),
    re.compile(r"\bmade\s+" + _PROGRESS + _ON_NUM, re.I),
]
#: "we made six recommendations"
MADE_RE = re.compile(r"\bmade\s+" + NUM + r"\s+recommendations\b", re.I)


class _Text:
    """The section's lines joined with newlines, with a way back from a character to its line."""

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.starts: list[int] = []
        parts, pos = [], 0
        for ln in lines:
            self.starts.append(pos)
            parts.append(ln.text)
            pos += len(ln.text) + 1
        self.text = "\n".join(parts)

    def line_at(self, pos: int) -> Line:
        return self.lines[max(0, bisect_right(self.starts, pos) - 1)]


def _dewrap(s: str) -> str:
    s = re.sub(r"(\w)-\n(?=[a-z])", r"\1-", s)           # a hyphenated compound split at a line end
    return re.sub(r"\s+", " ", s).strip()


def _sections(lines: list[Line]):
    """(first, end) indexes of each candidate section's lines after its heading (a contents entry
    looks like a heading too: the caller takes the first candidate that has verdicts)."""
    for i, ln in enumerate(lines):
        t = ln.text.strip()
        if not t or len(t) > 120:
            continue
        j = i + 1
        if not SECTION_RE.search(t):
            # a long heading may wrap onto a second line
            nxt = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
            if not nxt or len(t) + len(nxt) > 120 or not SECTION_RE.search(f"{t} {nxt}"):
                continue
            j = i + 2
        first = j
        while j < len(lines):
            u = lines[j].text.strip()
            if u and ((END_RE.match(u) or ADDRESSEE_RE.search(u)) and not ITEM_RE.match(u) or SECTION_RE.search(u)):
                break
            j += 1
        yield first, j


def previous_recommendations(doc: Document) -> tuple[list[dict], list[dict]]:
    """Given a document, return (items, summary).

    items: {number, addressee, text, progress ('no progress', ...) or None, progress_text, page, line,
    progress_page, progress_line}; summary: {category ('recommendations made', 'no progress', ...),
    count, count_text, sentence, page, line}. Both empty when the report prints no progress verdicts."""
    lines = doc.content()
    for first, end in _sections(lines):
        items, summary = _read_section(lines[first:end])
        if any(r["progress"] for r in items):
            return items, summary
    return [], []


def _read_section(body: list[Line]) -> tuple[list[dict], list[dict]]:
    # the items: numbered 1, 2, 3 ... in order, each starting a line
    starts: list[tuple[int, int]] = []          # (index in body, number)
    for k, ln in enumerate(body):
        m = ITEM_RE.match(ln.text)
        if m and int(m.group("num")) == len(starts) + 1:
            starts.append((k, int(m.group("num"))))
    if not starts:
        return [], []
    sec = _Text(body)
    intro_end = sec.starts[starts[0][0]]
    addressee = _addressee(sec.text[:intro_end])
    items: list[dict] = []
    for n, (k, num) in enumerate(starts):
        a = sec.starts[k]
        b = sec.starts[starts[n + 1][0]] if n + 1 < len(starts) else len(sec.text)
        text_start = a + ITEM_RE.match(body[k].text).start("text")
        v = VERDICT_RE.search(sec.text, text_start, b)
        if v is not None:
            subject_start = _subject_start(sec.text, text_start, v)
            text = _dewrap(sec.text[text_start:subject_start])
            vline = sec.line_at(v.start("body"))
            progress = f"{v.group('word').lower()} progress"
            progress_text = _dewrap(sec.text[subject_start:v.end("body")])
        else:
            # no verdict: the item runs to its first blank line
            end = sec.text.find("\n\n", text_start, b)
            text = _dewrap(sec.text[text_start:end if end >= 0 else b])
            vline, progress, progress_text = None, None, None
        items.append({"number": num, "addressee": addressee, "text": text, "progress": progress,
                      "progress_text": progress_text, "page": body[k].page, "line": body[k].line,
                      "progress_page": vline.page if vline else None, "progress_line": vline.line if vline else None})
    return items, _summary(sec, intro_end)


def _subject_start(text: str, text_start: int, v: re.Match) -> int:
    """Where the verdict's sentence starts: after the recommendation's last full stop when a short
    subject ('The CRC') follows it, else at the subject on the verdict's line."""
    pre = text[text_start:v.start("body")]
    end = None
    for m in re.finditer(r"[.!?]\s+", pre):
        end = m
    if end is not None and len(pre[end.end():].split()) <= 6:
        return text_start + end.end()
    return v.start("subject") if v.group("subject") else v.start("body")


def _addressee(intro: str) -> str | None:
    """'We recommended that Merseyside CRC:' gives 'Merseyside CRC'."""
    m = re.search(r"recommended\s+(?:that|to)\s+(?:the\s+)?(?P<who>[^:.\n]{2,80}?)\s*:", intro.replace("\n", " "))
    return re.sub(r"\s+", " ", m.group("who")).strip() if m else None


def _summary(sec: _Text, intro_end: int) -> list[dict]:
    """The counts the introduction states, each with its sentence."""
    intro = sec.text[:intro_end]
    out: list[dict] = []
    found: list[tuple[int, str, re.Match]] = []
    for rx in SUMMARY_RES:
        for m in rx.finditer(intro):
            found.append((m.start(), f"{m.group('word').lower()} progress", m))
    for m in MADE_RE.finditer(intro):
        found.append((m.start(), "recommendations made", m))
    seen: set[int] = set()
    for pos, category, m in sorted(found, key=lambda f: f[0]):
        if m.start("n") in seen:            # the same number matched by both wordings
            continue
        seen.add(m.start("n"))
        count = 0 if m.group("n").lower() == "none" else to_number(m.group("n"))
        ln = sec.line_at(m.start("n"))
        out.append({"category": category, "count": count, "count_text": m.group("n"),
                    "sentence": _sentence(intro, pos), "page": ln.page, "line": ln.line})
    return out


def _sentence(text: str, pos: int) -> str:
    """The de-wrapped sentence around pos."""
    a = max(text.rfind(". ", 0, pos), text.rfind(".\n", 0, pos))
    b = [i for i in (text.find(". ", pos), text.find(".\n", pos)) if i >= 0]
    return _dewrap(text[a + 1 if a >= 0 else 0:(min(b) + 1) if b else len(text)])
