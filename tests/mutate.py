"""Helpers that alter a text rendering the way other renderings of the same report differ.

Each returns new text; none changes a published value.
"""
from __future__ import annotations

import re
import textwrap

from extract.document import document_from_text
from pathlib import Path


def rewrap(text: str, width: int) -> str:
    """Re-flow every paragraph (run of non-blank lines without tabs) to the given width."""
    out: list[str] = []
    para: list[str] = []

    def flush():
        if not para:
            return
        if any(len(p.strip()) < 20 for p in para[:-1]):
            # a stack of short lines is table cells, not a paragraph: renderers keep them
            out.extend(para)
            para.clear()
            return
        lead = re.match(r"^\s*", para[0]).group(0)
        joined = " ".join(p.strip() for p in para)
        out.extend(textwrap.wrap(joined, width=width, initial_indent=lead, break_long_words=False,
                                 break_on_hyphens=False) or [""])
        para.clear()

    for line in text.split("\n"):
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
    """Insert a running footer (title and page number) every `every` lines, mid-paragraph or not."""
    out = []
    page = start
    for i, line in enumerate(text.split("\n"), start=1):
        out.append(line)
        if i % every == 0:
            out += ["", f"{title}   {page}", ""]
            page += 1
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
