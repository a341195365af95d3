"""Helpers that alter a text rendering the way other renderings of the same report differ.

Each returns new text; none changes a published value.
"""
from __future__ import annotations

import re
import textwrap

from hmip_inspections.extract.readers import document_from_text
from pathlib import Path


def _roles(text: str) -> list[str]:
    """Each line's role in the document model ('body', 'footnote', 'footer', ...)."""
    return [ln.role for ln in document_from_text(text, Path("x.txt")).lines]


def rewrap(text: str, width: int) -> str:
    """Re-flow every paragraph (run of non-blank lines without tabs) to the given width. Footnotes are
    re-flowed apart from the body text they sit beside (a renderer never runs the two together)."""
    out: list[str] = []
    para: list[str] = []
    roles = _roles(text)
    role = None

    def flush():
        if not para:
            return
        if any(len(p.strip()) < 60 for p in para[:-1]):
            # only lines that were wrapped (nearly full) are prose; a stack of short lines is table
            # cells or a heading beside a paragraph, and renderers keep them apart
            out.extend(para)
            para.clear()
            return
        if len(para) > 1 and re.search(r"[.:;!?]\s*$", para[-2]) and not re.search(r"[.,:;!?)]\s*$", para[-1]):
            # a line after a finished sentence, itself unfinished, is a heading: it is not glued on
            head = para.pop()
            flush()
            out.append(head)
            return
        lead = re.match(r"^\s*", para[0]).group(0)
        joined = " ".join(p.strip() for p in para)
        out.extend(textwrap.wrap(joined, width=width, initial_indent=lead, break_long_words=False,
                                 break_on_hyphens=False) or [""])
        para.clear()

    for k, line in enumerate(text.split("\n")):
        if k < len(roles) and roles[k] != "blank":
            if role is not None and roles[k] != role:
                flush()
            role = roles[k]
        if not line.strip() or "\t" in line or line.lstrip().startswith(("#", "-", "•", "<sup>")):
            flush()
            out.append(line)
        else:
            if re.match(r"^\s*\d{1,3}\s+[A-Z]", line):
                flush()          # a footnote starts on its own line in every rendering
            para.append(line)
    flush()
    return "\n".join(out)


def move_page_breaks(text: str, every: int, title: str, start: int = 100) -> str:
    """Insert a running footer (title and page number) every `every` lines, mid-paragraph or not; but
    not inside a block of footnotes (they sit at the foot of a page: the break waits for their end)."""
    out = []
    page = start
    lines = text.split("\n")
    roles = _roles(text)
    due = False
    for i, line in enumerate(lines, start=1):
        out.append(line)
        due = due or i % every == 0
        nxt = roles[i] if i < len(roles) else "body"
        if due and not (roles[i - 1] == "footnote" or nxt == "footnote"):
            out += ["", f"{title}   {page}", ""]
            page += 1
            due = False
    return "\n".join(out)


def renumber_footnotes(text: str, shift: int) -> str:
    """Add `shift` to every footnote number, in its definition and in every glued marker."""
    doc = document_from_text(text, Path("x.txt"))
    nums = set(doc.footnotes)
    lines = text.split("\n")
    for ln in doc.lines:
        i = ln.line - 1
        if ln.role == "footnote":
            lines[i] = re.sub(r"^(\s*)(\d{1,3})(?=\s)", lambda m: m.group(1) + (str(int(m.group(2)) + shift)
                              if int(m.group(2)) in nums else m.group(2)), lines[i])
        elif ln.role == "body":
            def repl(m):
                digits = m.group(2)
                # a marker may be doubled ("2222")
                half = digits[:len(digits) // 2]
                if len(digits) % 2 == 0 and half * 2 == digits and int(half) in nums:
                    return m.group(1) + str(int(half) + shift) * 2
                if int(digits) in nums:
                    return m.group(1) + str(int(digits) + shift)
                return m.group(0)
            lines[i] = re.sub(r"((?<![0-9.£$])[A-Za-z][A-Za-z’'\)]*[?.,;:)’'”]?)(\d{1,4})(?=[\s.,;:)?]|$)", repl, lines[i])
    return "\n".join(lines)


def md_to_html(md: str, minified: bool = False) -> str:
    """A markdown rendering as the inspectorate's web page of it might be: headings with a 'Back to top'
    link, tab-separated rows as a table, list items, paragraphs; a script, a style, navigation and a
    footer around it. Minified: the whole page on one line."""
    import html
    out = ["<!DOCTYPE html><html><head><title>Report</title><style>p{margin:0}</style>",
           "<script>var x = '<p>not text</p>';</script></head><body>",
           "<nav><a href='/'>Home</a> <a href='/reports'>Reports</a></nav><main>"]
    rows: list[list[str]] = []
    para: list[str] = []

    def esc(s: str) -> str:
        # footnote markers stay elements; everything else is text
        return "".join(p if p.startswith("<sup>") else html.escape(p) for p in re.split(r"(<sup>.*?</sup>)", s))

    def flush() -> None:
        if para:
            out.append("<p>" + esc(" ".join(para)) + "</p>")
            para.clear()
        if rows:
            out.append("<table>" + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>"
                                           for r in rows) + "</table>")
            rows.clear()

    for line in md.split("\n"):
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        item = re.match(r"^\s*[-•]\s+", line)
        if "\t" in line:
            if para:
                flush()
            rows.append(line.split("\t"))
        elif m:
            flush()
            out.append(f"<h{len(m.group(1))}>{esc(m.group(2))} <a href='#top'>(Back to top)</a></h{len(m.group(1))}>")
        elif item:
            flush()
            out.append("<ul><li>" + esc(line[item.end():]) + "</li></ul>")
        elif not line.strip():
            flush()
        else:
            if rows:
                flush()
            para.append(line.strip())
    flush()
    out.append("</main><footer>© Crown copyright</footer></body></html>")
    return ("" if minified else "\n").join(out)
