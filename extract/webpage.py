"""HTML renderings of reports: the inspectorate publishes its recent reports as web pages.

A saved page is turned into the text the text reader takes, as a markdown rendering
would print it: headings as '#' lines, a table row as its cells separated by tabs,
list items as '- ' lines, footnote markers as <sup>N</sup> and the notes they link to as
markdown footnotes ('[^N]: text'), paragraphs set off by
blank lines; a number printed as a block of its own before a numbered item's text
("1." then the item) starts the item's first line, as in print. Only the report is
read: the page's <main> where it has one, else its <article>, else its body; scripts,
styles, navigation, the site's header and footer, cookie banners and share boxes
around the report are left out, and so is the 'Back to top' link beside each
heading. The line numbers the extractors give are those of this text: the `pages`
table holds it, line by line.
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
#: a line that is only an item's number or bullet ("1.", "2)", "(a)", "•"): it starts the next line
_ITEM_MARK = re.compile(r"^(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\)|[•–-])$")
#: a bullet glyph printed at the start of a list item's text
_BULLET = re.compile(r"^[•◦▪●‣∙]\s*")
#: a link that only returns to where a footnote is cited
_BACKLINK = re.compile(r"^\s*[↩⤴↑]\s*$")


#: a footnote marker: a superscript linking to the note ("<sup><a href="#fn3">3</a></sup>")
_NOTE_REF = re.compile(r"<sup\b[^>]*>\s*<a\b[^>]*?href=[\"']#([^\"']+)[\"'][^>]*>\s*(\d{1,3})\s*</a>", re.I)


def _notes(page: str) -> dict[str, str]:
    """{element id: footnote number} of the notes the page's footnote markers link to."""
    return {m.group(1): m.group(2) for m in _NOTE_REF.finditer(page)}


def _region(page: str) -> str | None:
    """The element that holds the report: 'main' or 'article' where the page has one."""
    for tag in ("main", "article"):
        if re.search(rf"<{tag}\b", page, re.I):
            return tag
    return None


class _PageText(HTMLParser):
    def __init__(self, region: str | None = None, notes: dict[str, str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.notes = notes or {}          # ids of footnotes, with their numbers
        self.note: str | None = None      # the number of the footnote being read
        self.region = region              # read only inside this element (None: the whole page)
        self.inside = 0 if region else 1  # depth inside the region
        self.mark = ""                    # an item's number waiting for the item's text
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
        if text and not self.heading and not self.pre and _ITEM_MARK.match(text):
            self.mark = text            # printed on the line of the item's text
            self.buf = []
            self.item = False
            return
        if text and self.mark:
            text = f"{self.mark} {text}"
            self.mark = ""
        if text:
            if self.heading:
                text = "#" * self.heading + " " + _BACK_TO_TOP.sub("", text)
            elif self.note:
                text = f"[^{self.note}]: {text}"     # a footnote, as markdown defines one
            elif self.item:
                text = "- " + _BULLET.sub("", text)     # the item's own bullet glyph, if printed too
            self.lines.append(text)
        self.buf = []
        self.item = False
        self.note = None
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.region and tag == self.region:
            self.inside += 1
        if not self.inside:
            return
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
            self.note = self.notes.get(dict(attrs).get("id") or "")
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
        if self.region and tag == self.region and self.inside:
            self.inside -= 1
            if not self.inside:
                self._flush(blank=True)
            return
        if not self.inside:
            return
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
        if self.skip or not self.inside or _BACKLINK.match(data):
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
    p = _PageText(_region(page), _notes(page))
    p.feed(page)
    p.close()
    return p.text()
