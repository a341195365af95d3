"""The document model every extractor shares: a document is pages of lines.

A ``Document`` (read from a file by ``readers.load``) has lines that carry their provenance (page,
line) and whose text has had the clean-up that every extractor needs done once, here:

* footnote markers glued to words ("service user?22", "All CRCs21") removed;
* ``<sup>`` tags, HTML entities, markdown emphasis and heading marks removed;
* running page headers and footers recognised (and used to recover page numbers
  in text renderings);
* footnote blocks recognised, so that a sentence interrupted by a page break can
  be read through.

Line numbers are 1-based. For text files ``line`` is the line of the file (the
convention of the gold files); for PDFs it is the line on the page.
"""
from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

#: month names as reports print them (dates, publication, fieldwork)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

#: a page footer/header title must recur at least this often to count as running
DEFAULT_MIN_RUNNING_REPEATS = 2
#: a footnote marker is at most this many digits per footnote number
MAX_FOOTNOTE_DIGITS = 3


class DocumentError(Exception):
    """A document could not be read at all (the message says why)."""


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    size: float


@dataclass
class Line:
    line: int                 # 1-based: file line (text) or line on page (PDF)
    page: int | None          # page number where known
    text: str                 # cleaned text
    raw: str = ""             # as read
    role: str = "body"        # body | blank | footer | footnote
    heading: int = 0          # markdown heading level, 0 if none
    words: list[Word] | None = None   # PDF word geometry (cleaned words)

    @property
    def is_content(self) -> bool:
        return self.role in ("body", "blank")


@dataclass
class Document:
    path: Path
    format: str               # pdf | text | markdown
    sha256: str
    lines: list[Line]
    page_count: int | None    # real page count (PDF) or recovered count (text)
    footnotes: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def content(self) -> list[Line]:
        """Lines that carry the document's own text (no footers or footnotes)."""
        return [ln for ln in self.lines if ln.is_content]

    def full_text(self) -> str:
        return "\n".join(ln.text for ln in self.content())

    def pages(self) -> list[tuple[int | None, int, int, str]]:
        """Return (page, first_line, last_line, text) per page, in order.

        Text renderings whose pages cannot be recovered give segments with
        page None.
        """
        out: list[tuple[int | None, int, int, str]] = []
        cur: list[Line] = []
        for ln in self.lines:
            if cur and (ln.page != cur[-1].page):
                out.append(_segment(cur))
                cur = []
            cur.append(ln)
        if cur:
            out.append(_segment(cur))
        return out


def _segment(lines: list[Line]) -> tuple[int | None, int, int, str]:
    return (lines[0].page, lines[0].line, lines[-1].line, "\n".join(l.raw for l in lines))


#: a horizontal gap wider than this (points) between PDF words is a cell boundary (a tab in the line text)
DEFAULT_CELL_GAP = 14.0


def word_runs(words: list, gap: float, starts=None) -> list[list]:
    """PDF: a line's words in runs, split where the space between two words is wider than `gap`
    (points), and before word k wherever starts(k) says a new run begins (a cell's first word)."""
    runs: list[list] = []
    for k, w in enumerate(words):
        if runs and w.x0 - runs[-1][-1].x1 <= gap and not (starts and starts(k)):
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def wrapped(line: str, following: str, width: int) -> bool:
    """Whether a line of text wrapped: the first word of the line after it would not have fitted on
    it, at the given width (that of the text around it)."""
    words = following.split()
    return bool(words) and len(line) + 1 + len(words[0]) > width


def clip_line(ln: Line, x0: float, x1: float = float("inf")) -> Line | None:
    """PDF: the part of a line whose words start in [x0, x1), or None if nothing is there."""
    ws = [w for w in ln.words or [] if x0 <= w.x0 < x1]
    if not ws:
        return None
    parts = []
    for k, w in enumerate(ws):
        if k:
            parts.append("\t" if w.x0 - ws[k - 1].x1 > DEFAULT_CELL_GAP else " ")
        parts.append(w.text)
    return Line(line=ln.line, page=ln.page, text="".join(parts), raw=ln.raw, role=ln.role, words=ws)


# --------------------------------------------------------------------------
# text decoding and per-line clean-up
# --------------------------------------------------------------------------


_SUP_RE = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.I)
_TAG_RE = re.compile(r"</?(?:a|u|b|i|em|strong|span|br|p|sup|sub)\b[^>]*>", re.I)
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+")
_MD_EMPH_RE = re.compile(r"\*\*|__")
_WORD_ERROR_RE = re.compile(r"Error!\s*Bookmark\s+not\s+defined\.?", re.I)


def clean_markup(raw: str) -> tuple[str, int, list[str]]:
    """Given one raw line, return (text, heading level, footnote markers found).

    Removes HTML/markdown markup and Word cross-reference errors; keeps tabs as
    cell separators.
    """
    s = raw.replace("\u00a0", " ").replace("\r", "")
    s = _MANGLED_SUP_RE.sub("<sup>", s)
    if "&" in s:
        s = html.unescape(s)
    markers: list[str] = []

    def _sup(m: re.Match) -> str:
        markers.append(m.group(1))
        return ""

    s = _SUP_RE.sub(_sup, s)
    s = _TAG_RE.sub("", s)
    level = 0
    m = _MD_HEADING_RE.match(s)
    if m:
        level = len(m.group(1))
        s = s[m.end():]
    s = _MD_EMPH_RE.sub("", s)
    s = _WORD_ERROR_RE.sub("", s)
    return s.rstrip(), level, markers


# --------------------------------------------------------------------------
# running headers/footers
# --------------------------------------------------------------------------

_FOOTER_NUM_AFTER = re.compile(r"^\s*(?P<title>\D.{4,100}?)\s+(?P<num>\d{1,3})\s*$")
_FOOTER_NUM_BEFORE = re.compile(r"^\s*(?P<num>\d{1,3})\s*(?P<title>[A-Z][^\d].{4,100}?)\s*$")


def _title_key(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().lower()


def find_running_lines(texts: list[str], min_repeats: int = DEFAULT_MIN_RUNNING_REPEATS
                       ) -> dict[int, int | None]:
    """Given line texts, return {index: page number or None} for running footers/headers.

    A running line is a title that recurs (with different page numbers, or
    unnumbered at least three times) and is short; the number beside it, if
    any, is the page number.
    """
    cands: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    plain: Counter = Counter()
    for i, t in enumerate(texts):
        s = t.strip()
        if not s or len(s) > 90:
            continue
        m = _FOOTER_NUM_AFTER.match(s) or _FOOTER_NUM_BEFORE.match(s)
        if m and not s.endswith((".", ",", ";")):
            cands[_title_key(m.group("title"))].append((i, int(m.group("num"))))
        plain[_title_key(s)] += 1
    out: dict[int, int | None] = {}
    for key, hits in cands.items():
        nums = {n for _, n in hits}
        if len(key) > 70:
            continue
        title_like = ":" in key or "inspection" in key or "inspectorate" in key
        if title_like and len(hits) >= min_repeats and len(nums) >= min_repeats:
            for i, n in hits:
                out[i] = n
    # unnumbered running titles ("Inspection of probation services: X" alone)
    numbered_keys = {k for k, h in cands.items() if any(i in out for i, _ in h)}
    for i, t in enumerate(texts):
        key = _title_key(t)
        if i not in out and key in numbered_keys and plain[key] >= 1:
            out[i] = None
        elif i not in out and plain[key] >= 3 and ":" in key and len(key) < 90 and (
                key.startswith(("inspection of", "an inspection of", "quality & impact"))):
            out[i] = None
    return out


# --------------------------------------------------------------------------
# footnotes
# --------------------------------------------------------------------------

_SEPARATOR_RE = re.compile(r"^(?:[ \t]{20,}|_{10,}|-{10,})$")
# a footnote set off by two or more spaces after its number, in a run of such lines
_SPACED_FOOTNOTE_RE = re.compile(r"^\s*\d{1,3}\s{2,}[A-Z]")
_FOOTNOTE_START_RE = re.compile(r"^\s*(\d{1,3})\s+(?=\S)(?!per cent|%)")
_MD_FOOTNOTE_RE = re.compile(r"^\s*<sup>\s*(\d{1,3})\s*</sup>", re.I)
#: a markdown footnote definition ("[^3]: text"), as the web-page reader writes a page's notes
_MD_NOTE_DEF_RE = re.compile(r"^\s*\[\^(\d{1,3})\]:\s*")
# a mangled "<sup>&</sup>lt;sup>" or "&lt;sup&gt;" prefix, seen in markdown renderings
_MANGLED_SUP_RE = re.compile(r"(?:<sup>\s*&(?:amp;)?\s*</sup>\s*(?:lt;\s*sup>|<sup>)|&lt;sup&gt;)", re.I)


def find_footnote_blocks(raws: list[str], skip: set[int] | frozenset = frozenset()
                         ) -> tuple[set[int], dict[int, str]]:
    """Given raw text lines, return (indices of footnote lines, {number: text}).

    Text renderings put a page's footnotes after a long blank separator line;
    markdown renderings mark each with ``<sup>&</sup><sup>N</sup>`` or define it as ``[^N]: text``.
    """
    idx: set[int] = set()
    notes: dict[int, str] = {}
    n = len(raws)
    for i, raw in enumerate(raws):
        m = _MD_FOOTNOTE_RE.match(_MANGLED_SUP_RE.sub("<sup>", raw))
        if m and _MANGLED_SUP_RE.search(raw):
            idx.add(i)
            notes[int(m.group(1))] = clean_markup(_MANGLED_SUP_RE.sub("<sup>", raw)[m.end():])[0].strip()
            continue
        m = _MD_NOTE_DEF_RE.match(raw)
        if m:
            idx.add(i)
            notes[int(m.group(1))] = clean_markup(raw[m.end():])[0].strip()
    i = 0
    while i < n:
        sep = _SEPARATOR_RE.match(raws[i].rstrip("\n"))
        if not sep and _SPACED_FOOTNOTE_RE.match(raws[i]) and i + 1 < n and (
                not raws[i - 1].strip() or raws[i - 1].strip().isdigit()) and \
                any(_SPACED_FOOTNOTE_RE.match(r) for r in raws[i + 1:i + 4]):
            sep = True
            i -= 1      # treat the line before as the separator
        if not sep:
            i += 1
            continue
        j = i + 1
        while j < n and (not raws[j].strip() or j in skip):   # blanks, or a page footer in between
            j += 1
        m = _FOOTNOTE_START_RE.match(raws[j]) if j < n else None
        if not m:
            i += 1
            continue
        for k in range(i, j):
            idx.add(k)
        expected = int(m.group(1))
        cur = expected
        notes[cur] = raws[j][m.end():].strip()
        idx.add(j)
        k = j + 1
        while k < n:
            line = raws[k]
            if not line.strip() or k in skip:
                break
            if line.startswith(" ") and not line.startswith("  ") and line[1:2].strip():
                break          # a new page starts with one leading space in these renderings
            m2 = _FOOTNOTE_START_RE.match(line)
            if m2 and int(m2.group(1)) in (cur + 1, cur + 2):
                cur = int(m2.group(1))
                notes[cur] = line[m2.end():].strip()
            elif (notes[cur].rstrip().endswith(".") or notes[cur].rstrip().endswith(")") and not _wrapped(raws, j, k)) \
                    and not line.lstrip().startswith(("http", "www")):
                # a footnote ended with a full stop and this line starts no new one:
                # it is body text, unless it continues a wrapped URL or sentence
                if not re.match(r"^\s*[a-z0-9(]", line):
                    break
                notes[cur] += " " + line.strip()
            else:
                notes[cur] += " " + line.strip()
            idx.add(k)
            k += 1
        i = k
    return idx, notes


def _wrapped(raws: list[str], first: int, k: int) -> bool:
    """Whether line k-1 of a footnote block (lines first..k-1) was wrapped, at the width of the
    block's longest line."""
    return wrapped(raws[k - 1].rstrip(), raws[k], max(len(r.rstrip()) for r in raws[first:k]))


def strip_footnote_markers(text: str, numbers: set[int]) -> str:
    """Given a line and the document's footnote numbers, remove markers glued to words.

    "user?22" -> "user?", "safe?2222" -> "safe?", "All CRCs21" -> "All CRCs",
    "20209" (a year then marker 9, after a month name) -> "2020", "484,4881" -> "484,488",
    "494,814.4 The" -> "494,814. The".
    """
    if not numbers or not _DIGIT.search(text):     # every marker is digits: most lines have none
        return text
    strs = {str(n) for n in numbers}

    def is_markers(digits: str) -> bool:
        # one marker, or the same marker repeated ("2222"), or two consecutive ones
        if digits in strs:
            return True
        for cut in range(1, len(digits)):
            a, b = digits[:cut], digits[cut:]
            if a in strs and (b == a or b in strs) and len(a) <= MAX_FOOTNOTE_DIGITS:
                return True
        return False

    def glued(m: re.Match) -> str:
        digits = m.group(2)
        return m.group(1) if is_markers(digits) else m.group(0)

    text = _GLUED_MARKER.sub(glued, text)
    text = _PERCENT_MARKER.sub(lambda m: m.group(1) if m.group(2) in strs else m.group(0), text)
    text = _GROUPED_MARKER.sub(lambda m: m.group(1) if is_markers(m.group(2)) else m.group(0), text)

    def year(m: re.Match) -> str:
        return m.group(1) + m.group(2) if m.group(3) in strs else m.group(0)

    return _YEAR_MARKER.sub(year, text)


_DIGIT = re.compile(r"\d")
# after letters or closing punctuation, not inside a number or a code like "4.1"
_GLUED_MARKER = re.compile(r"((?<![0-9.£$])[A-Za-z][A-Za-z’'\)]*[?.,;:)’'”]?)(\d{1,6})(?=[\s.,;:)?]|$)")
# after a percentage: "a target of 75%10"
_PERCENT_MARKER = re.compile(r"(\d%)(\d{1,3})(?=[\s.,;:)]|$)")
# after a number grouped in thousands: "484,4881" (no group has four digits), or after one that ends a
# sentence, "494,814.4 The" (a decimal point is not followed by a space and a new sentence)
_GROUPED_MARKER = re.compile(r"(?<![\d,.£$])(\d{1,3}(?:,\d{3})+(?:\.(?=\d{1,3}\s+[A-Z][a-z]))?)(\d{1,3})(?=[\s.,;:)]|$)")
# after a year that follows a month: "31 March 20209"
_YEAR_MARKER = re.compile(rf"((?:{'|'.join(MONTHS)})\s+)((?:19|20)\d\d)(\d{{1,2}})\b")
