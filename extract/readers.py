"""Readers: a file (PDF, text, markdown, saved web page) into the document model.

``load(path)`` picks the reader by the file's suffix; text renderings recover their pages from
form feeds or running footers. The model and its clean-up are in ``document.py``, PDF geometry in
``pdf.py``, web pages in ``webpage.py``.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .document import Document, DocumentError, Line, clean_markup, find_footnote_blocks, find_running_lines, \
    strip_footnote_markers
from .pdf import read_pdf

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
#: every suffix the pipeline reads
SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | HTML_SUFFIXES


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load(path: str | Path) -> Document:
    """Given a file path, return its Document (raises DocumentError)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return read_pdf(path)
    if suffix in TEXT_SUFFIXES:
        return read_text(path)
    if suffix in HTML_SUFFIXES:
        return read_html(path)
    raise DocumentError(f"unsupported file type '{suffix}'")


def decode_bytes(data: bytes) -> str:
    """Given raw bytes, return text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252.
    Raises DocumentError for UTF-16 that does not decode (a file cut mid-character, say)."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            why = "cut mid-character (an odd number of bytes)" if len(data) % 2 else f"invalid at byte {e.start}"
            raise DocumentError(f"undecodable text: UTF-16 (it starts with a byte-order mark) {why}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # UTF-16 without BOM: many NULs in alternate positions
    if len(data) > 3 and data[1::2].count(0) > len(data) // 4:
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    return data.decode("cp1252", errors="replace")


def read_text(path: Path) -> Document:
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError("empty file")
    if b"\x00" in data[:4096] and not (data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff")) \
            and data[1::2].count(0) < len(data) // 4:
        raise DocumentError("binary content in a text file")
    text = decode_bytes(data)
    fmt = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    return document_from_text(text, path, fmt, hashlib.sha256(data).hexdigest())


def read_html(path: Path) -> Document:
    """A saved web page: its text as a markdown rendering would print it (see webpage.py)."""
    from .webpage import html_to_text
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError("empty file")
    page = decode_bytes(data)
    if not re.search(r"<(?:html|body|p|div|h[1-6]|table)\b", page[:200_000], re.I):
        raise DocumentError("not an HTML page (no HTML elements)")
    doc = document_from_text(html_to_text(page), path, "markdown", hashlib.sha256(data).hexdigest())
    doc.format = "html"
    return doc


def document_from_text(text: str, path: Path, fmt: str = "text", sha: str = "") -> Document:
    """Given the text of a rendering, return its Document with pages recovered where shown."""
    # form feeds are real page breaks: a line holding one starts the next page
    raws: list[str] = []
    ff_pages: list[int] = []
    page_no = 1
    for raw in text.split("\n"):
        page_no += raw.count("\f")
        raws.append(raw.replace("\f", ""))
        ff_pages.append(page_no)
    has_ff = "\f" in text
    cleaned: list[tuple[str, int]] = [clean_markup(raw)[:2] for raw in raws]
    running_all = find_running_lines([c[0] for c in cleaned])
    fn_idx, notes = find_footnote_blocks(raws, skip=set(running_all))
    cleaned = []
    all_markers: set[int] = set(notes)
    for raw in raws:
        s, lvl, marks = clean_markup(raw)
        cleaned.append((s, lvl))
        for mk in marks:
            if mk.isdigit():
                all_markers.add(int(mk))
    running = {i: p for i, p in running_all.items() if i not in fn_idx}
    pages = _pages_from_footers(len(raws), running) if not has_ff else ff_pages
    lines: list[Line] = []
    for i, (raw, (s, lvl)) in enumerate(zip(raws, cleaned)):
        if i in fn_idx:
            role = "footnote"
        elif i in running:
            role = "footer"
        elif not s.strip():
            role = "blank"
        else:
            role = "body"
        txt = strip_footnote_markers(s, all_markers) if role == "body" else s
        lines.append(Line(line=i + 1, page=pages[i], text=txt, raw=raw, role=role, heading=lvl))
    known = [p for p in pages if p is not None]
    page_count = max(known) if known else None
    return Document(path=path, format=fmt, sha256=sha, lines=lines, page_count=page_count,
                    footnotes=notes)


def _pages_from_footers(n: int, running: dict[int, int | None]) -> list[int | None]:
    """Given running-line page numbers, return a page per line where it is certain.

    Lines between consecutive footers N-1 and N are on page N; lines after
    footer N and before footer N+1 likewise. Elsewhere the page is unknown.
    """
    pages: list[int | None] = [None] * n
    marks = sorted((i, p) for i, p in running.items() if p is not None)
    for (i0, p0), (i1, p1) in zip(marks, marks[1:]):
        if p1 == p0 + 1:
            for k in range(i0 + 1, i1 + 1):
                pages[k] = p1
    for i, p in marks:
        pages[i] = p
    return pages
