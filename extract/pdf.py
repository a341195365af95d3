"""PDF reader: pdfplumber word geometry to the shared line model.

Given a PDF, return a Document whose lines are built from words (so that table
cells keep their x positions), with superscript footnote markers removed by
their size and position, footnote blocks and running headers/footers marked.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from pathlib import Path

from .document import DEFAULT_CELL_GAP, Document, DocumentError, Line, Word, strip_footnote_markers

#: a word this much smaller than its neighbour and raised above it is a superscript
DEFAULT_SUPERSCRIPT_RATIO = 0.8
#: lines whose words are all at most this fraction of the body size are footnote-sized
DEFAULT_FOOTNOTE_RATIO = 0.85
#: words whose tops are within this many points are on one line
DEFAULT_LINE_TOLERANCE = 3.0


#: which library reads the words: "pdfium" (pypdfium2, about ten times faster) or "pdfplumber"
ENGINES = ("pdfium", "pdfplumber")


def pdf_engine() -> str:
    """The engine in use: $INSPECTIONS_PDF_ENGINE if set (the CLI's --pdf-engine sets it), else pdfium."""
    import os
    engine = os.environ.get("INSPECTIONS_PDF_ENGINE", "pdfium").strip().lower()
    if engine not in ENGINES:
        raise DocumentError(f"unknown PDF engine {engine!r} (choose {' or '.join(ENGINES)})")
    return engine


def read_pdf(path: Path, engine: str | None = None) -> Document:
    """Read a PDF into the line model.

    Both engines give the same words (character boxes grouped by the same rules; a test checks that
    they give the same rows on every corpus PDF). PDFium is the default for speed; a file it cannot
    open is read by pdfplumber, whose errors name the cause (encrypted, truncated, ...)."""
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError("empty file")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        head = data[:2048].lstrip().lower()
        if head.startswith(b"<") and (b"<html" in head or b"<!doctype" in head):
            raise DocumentError("not a PDF: the file is an HTML page")
        raise DocumentError("not a PDF (no %PDF header; unrecognised binary data)")
    sha = hashlib.sha256(data).hexdigest()
    if (engine or pdf_engine()) == "pdfium" and not _encrypted(None, data):
        try:
            from .pdfium_words import read_pages
            raw_pages = read_pages(path)
        except Exception:
            raw_pages = None          # let pdfplumber read it, or say why it cannot
        if raw_pages:
            if not any(raw_pages):
                raise DocumentError(f"PDF has no text layer ({len(raw_pages)} pages; a scan needs OCR)")
            return document_from_words(raw_pages, path, sha)
    import pdfplumber      # the reference engine, and the one whose errors say why a file cannot be read
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    try:
        pdf = pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise DocumentError("encrypted PDF (password required)") from e
    except Exception as e:  # pdfminer raises many types for broken files
        if _encrypted(e, data):
            raise DocumentError("encrypted PDF (password required)") from e
        raise DocumentError(f"unreadable PDF ({type(e).__name__}: {e})") from e
    try:
        try:
            raw_pages = [page.extract_words(extra_attrs=["size"], keep_blank_chars=False)
                         for page in pdf.pages]
        except Exception as e:
            name = type(e).__name__
            if _encrypted(e, data):
                raise DocumentError("encrypted PDF (password required)") from e
            raise DocumentError(f"unreadable PDF ({name}: {e})") from e
        n_pages = len(pdf.pages)
    finally:
        pdf.close()
    if n_pages == 0:
        raise DocumentError("PDF has no pages")
    if not any(raw_pages):
        raise DocumentError(f"PDF has no text layer ({n_pages} pages; a scan needs OCR)")
    return document_from_words(raw_pages, path, sha)


def _encrypted(e: BaseException, data: bytes) -> bool:
    """Whether a parse failure comes from encryption (pdfplumber wraps pdfminer's password errors)."""
    if e is None:
        return b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]
    chain = [e, e.__cause__, e.__context__, *(getattr(e, "args", ()) or ())]
    if any("Password" in type(x).__name__ or "Encrypt" in type(x).__name__ for x in chain if x is not None):
        return True
    return b"/Encrypt" in data[-4096:] or b"/Encrypt" in data[:4096]


def document_from_words(raw_pages: list[list[dict]], path: Path, sha: str = "") -> Document:
    sizes: Counter = Counter()
    for words in raw_pages:
        for w in words:
            sizes[round(w["size"], 1)] += len(w["text"])
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    page_lines: list[list[Line]] = []
    footnotes: dict[int, str] = {}
    for pno, words in enumerate(raw_pages, start=1):
        page_lines.append(_lines_of_page(words, pno, body, footnotes))
    _mark_running(page_lines)
    for pl in page_lines:
        _mark_footnotes(pl, body, footnotes)
    # markers printed at body size ("31 March 20209") are recognised as in text renderings
    nums = set(footnotes)
    for pl in page_lines:
        for ln in pl:
            if ln.role == "body" and nums:
                ln.text = strip_footnote_markers(ln.text, nums)
    lines = [ln for pl in page_lines for ln in pl]
    return Document(path=path, format="pdf", sha256=sha, lines=lines,
                    page_count=len(raw_pages), footnotes=footnotes)


def _group_rows(words: list[dict]) -> list[list[dict]]:
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows and abs(w["top"] - rows[-1][0]["top"]) <= DEFAULT_LINE_TOLERANCE:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(r, key=lambda w: w["x0"]) for r in rows]


def _is_superscript(w: dict, words: list[dict], tops: list[float] | None = None, tallest: float = 0.0) -> bool:
    """Whether w is a footnote marker: digits, smaller than a word on its line whose baseline is lower,
    and glued to it. `words` sorted by top, with `tops` their tops and `tallest` the largest word
    height on the page, narrows the search to the words that can share w's line."""
    t = w["text"].strip()
    if not t or not (t[0].isdigit() or t[0] in ",*") or not all(c.isdigit() or c in ",*" for c in t):
        return False
    if tops is not None:        # only words whose top is at most 2 points below w's can overlap it
        hi = bisect.bisect_right(tops, w["top"] + 2)
        lo = bisect.bisect_left(tops, w["top"] - tallest - 2)
        words = words[lo:hi]
    for o in words:
        if o is w or o["size"] * DEFAULT_SUPERSCRIPT_RATIO < w["size"]:
            continue
        # a bigger word on the same text line (vertical overlap) whose baseline is lower
        if o["top"] - 2 <= w["top"] <= o["bottom"] and o["bottom"] - w["bottom"] >= 1.5:
            # glued to the word it marks (a marker sits right after, or just before, its word)
            if -1 <= w["x0"] - o["x1"] < 4 or -1 <= o["x0"] - w["x1"] < 4:
                return True
    return False


_PUNCT = re.compile(r"[.,;:)?!]+")


def _lines_of_page(words: list[dict], pno: int, body: float, footnotes: dict[int, str]) -> list[Line]:
    by_top = sorted(words, key=lambda w: w["top"])
    tops = [w["top"] for w in by_top]
    tallest = max((w["bottom"] - w["top"] for w in words), default=0.0)
    kept = [w for w in words if not _is_superscript(w, by_top, tops, tallest)]
    rows = _group_rows(kept)
    lines: list[Line] = []
    for i, row in enumerate(rows, start=1):
        parts = []
        prev = None
        for w in row:
            if prev is not None:
                gap = w["x0"] - prev["x1"]
                if gap > DEFAULT_CELL_GAP:
                    parts.append("\t")
                elif not (gap < 6 and _PUNCT.fullmatch(w["text"])):
                    parts.append(" ")
            parts.append(w["text"])
            prev = w
        text = "".join(parts)
        ws = [Word(w["text"], w["x0"], w["x1"], w["top"], w["size"]) for w in row]
        # punctuation split from its word by a removed superscript ("supervision)1." -> "supervision).")
        for k in range(len(ws) - 1, 0, -1):
            if ws[k].x0 - ws[k - 1].x1 < 6 and _PUNCT.fullmatch(ws[k].text):
                ws[k - 1] = Word(ws[k - 1].text + ws[k].text, ws[k - 1].x0, ws[k].x1, ws[k - 1].top, ws[k - 1].size)
                del ws[k]
        lines.append(Line(line=i, page=pno, text=text, raw=text, role="body", words=ws))
    return lines


def _mark_footnotes(lines: list[Line], body: float, footnotes: dict[int, str]) -> None:
    """Mark the trailing footnote-sized lines of a page (above its footer) as footnotes."""
    import re
    small = body * DEFAULT_FOOTNOTE_RATIO
    content = [ln for ln in lines if ln.role != "footer"]
    k = len(content)
    while k > 0 and max(w.size for w in content[k - 1].words) <= small:
        k -= 1
    cur = None
    for ln in content[k:]:
        ln.role = "footnote"
        m = re.match(r"^(\d{1,3})\s+(.*)$", ln.text)
        if m:
            cur = int(m.group(1))
            footnotes[cur] = m.group(2)
        elif cur is not None:
            footnotes[cur] += " " + ln.text


def _mark_running(page_lines: list[list[Line]]) -> None:
    """Mark lines that recur at the top or bottom of many pages (running headers/footers)."""
    import re
    n = len(page_lines)
    if n < 3:
        return
    counts: Counter = Counter()
    def key(t: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"\d+", "#", t)).strip().lower()
    for pl in page_lines:
        for ln in pl[:2] + pl[-2:]:
            counts[key(ln.text)] += 1
    threshold = max(2, int(0.3 * n))
    for pl in page_lines:
        for ln in pl[:2] + pl[-2:]:
            k = key(ln.text)
            if counts[k] >= threshold or re.fullmatch(r"\s*\d{1,3}\s*", ln.text):
                ln.role = "footer"
