"""HTML renderings of reports: the inspectorate publishes its recent reports as web pages.

A saved page is turned into the text the text reader takes, as a markdown rendering
would print it: headings as '#' lines, a table row as its cells separated by tabs,
list items as '- ' lines, footnote markers as <sup>N</sup>, paragraphs set off by
blank lines. Scripts, styles and the page's navigation are left out, and so is the
'Back to top' link beside each heading. The line numbers the extractors give are
those of this text: the `pages` table holds it, line by line.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

#: elements whose content is never report text
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "nav", "button", "select", "object"}
#: elements that start and end a block of text
_BLOCK = {"p", "div", "section", "article", "main", "aside", "blockquote", "ul", "ol", "dl", "dt", "dd", "figure",
          "figcaption", "table", "caption", "hr", "address", "pre", "header", "footer", "details", "summary",
          "body", "html", "form", "fieldset", "legend"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BACK_TO_TOP = re.compile(r"\s*\(?\s*back to top\s*\)?\s*$", re.I)


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[str] = []          # the line being built
        self.skip: list[str] = []         # open elements whose content is left out
        self.heading = 0
        self.item = False                 # the line is a list item
        self.row: list[str] | None = None  # the cells of the table row being read
        self.cell: list[str] | None = None
        self.pre = 0

    # the text being built: a table cell's, or the current line's
    def _out(self) -> list[str]:
        return self.cell if self.cell is not None else self.buf

    def _flush(self, blank: bool = False) -> None:
        text = "".join(self.buf)
        text = text if self.pre else re.sub(r"[ \t]+", " ", text).strip()
        if text:
            if self.heading:
                text = "#" * self.heading + " " + _BACK_TO_TOP.sub("", text)
            elif self.item:
                text = "- " + text
            self.lines.append(text)
        self.buf = []
        self.item = False
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body" and self.skip == ["head"]:
            self.skip = []          # a page that never closes its head: the body ends it
        if self.skip:
            if tag == self.skip[-1]:        # the same element nested: its end tag must not end the region
                self.skip.append(tag)
            return
        if tag in _SKIP:
            self.skip.append(tag)
            return
        if self.cell is not None:
            if tag in ("br", "p", "div", "li"):
                self.cell.append(" ")
            elif tag == "sup":
                self.cell.append("<sup>")
            return
        if tag in _HEADINGS:
            self._flush(blank=True)
            self.heading = _HEADINGS[tag]
        elif tag == "li":
            self._flush()
            self.item = True
        elif tag == "br":
            self._flush()
        elif tag == "tr":
            self._flush()
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "sup":
            self.buf.append("<sup>")
        elif tag == "pre":
            self._flush(blank=True)
            self.pre += 1
        elif tag in _BLOCK:
            self._flush(blank=True)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None
            return
        if self.cell is not None:
            if tag == "sup":
                self.cell.append("</sup>")
            return
        if tag == "tr" and self.row is not None:
            cells = self.row
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                self.lines.append("\t".join(cells))
            self.row = None
        elif tag == "table":
            self.row = None
            self._flush(blank=True)
        elif tag in _HEADINGS:
            self._flush(blank=True)
            self.heading = 0
        elif tag == "li":
            self._flush()
        elif tag == "sup":
            self.buf.append("</sup>")
        elif tag == "pre":
            self._flush(blank=True)
            self.pre = max(0, self.pre - 1)
        elif tag in _BLOCK:
            self._flush(blank=True)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre and self.cell is None:
            parts = data.split("\n")
            for k, part in enumerate(parts):
                if k:
                    self._flush()
                self.buf.append(part)
            return
        self._out().append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        self._flush(blank=True)
        out = "\n".join(self.lines).replace("\u00a0", " ")
        return re.sub(r"\n{3,}", "\n\n", out).strip("\n") + "\n"


def html_to_text(page: str) -> str:
    """Given an HTML page, return its text as a markdown rendering of it would print it."""
    p = _PageText()
    p.feed(page)
    p.close()
    return p.text()
