"""Figures stated in running text: "22 per cent", "47%", "12 out of 34", "11 of the 15".

The document's running text is rebuilt across line wraps and page breaks
(footers and footnote blocks are already out of the content stream), split
into sentences by spaCy's rule-based sentencizer on a blank English pipeline
(no downloaded model), and figures are found with a token Matcher. Lines that
belong to extracted tables are left out, so that table cells are not taken
for prose. Each figure keeps its sentence, the section (standard) it sits in,
and the page and line of the number.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import NamedTuple

from .document import Document, Line, wrapped
from .numbers import WORDS as _WORDS
from .numbers import to_number
from .previous import VERDICT_RE


class Sentence(NamedTuple):
    """A sentence of running text: its section, text, the page and line it starts on, the organisation
    the nearest heading names (or None), and where each later line of it starts (offset, page, line)."""
    section: str | None
    text: str
    page: int | None
    line: int
    org: str | None = None
    later: tuple = ()

    def at(self, offset: int) -> tuple[int | None, int]:
        """The (page, line) of the character at this offset into the text."""
        page, line = self.page, self.line
        for o, p, ln in self.later:
            if o > offset:
                break
            page, line = p, ln
        return page, line


_MAJOR = re.compile(r"^\s*(?:Foreword|Executive summary|Background|Contextual facts|Key facts|Recommendations|"
                    r"New recommendations|Annexe|Appendix|Overall|Key findings|Contents|Ratings|Introduction)\b", re.I)
#: a line shorter than this, without closing punctuation and followed by a blank line, is a heading
DEFAULT_HEADING_MAX = 70


def _import_spacy():
    """Import spaCy without its command line. ``import spacy`` imports ``spacy.cli`` (for
    ``spacy.info``), and with it requests, httpx, typer and weasel: about 0.15 s of the 0.55 s the
    import takes here, paid by every refresh with anything to extract, on its critical path (the
    zygote loads spaCy while the main process waits). spaCy merged the same laziness once
    (explosion/spaCy#12962, reverted; #13721 is open). ``spacy.cli`` is held by a placeholder while
    spaCy imports, then removed: a later ``import spacy.cli`` imports the real one, and ``spacy.info``
    imports it when called. Where this spaCy needs more of its command line at import time, the
    placeholder is dropped and spaCy imported as usual."""
    import sys
    import types
    if "spacy" in sys.modules or "spacy.cli" in sys.modules:
        import spacy
        return spacy

    def info(*args, **kwargs):
        from spacy.cli.info import info as real
        return real(*args, **kwargs)

    cli, cli_info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
    cli.__path__ = []
    cli_info.info = info
    cli.info = cli_info
    sys.modules.update({"spacy.cli": cli, "spacy.cli.info": cli_info})
    try:
        import spacy
        failed = False
    except ImportError:
        failed = True
    finally:
        for name in ("spacy.cli.info", "spacy.cli"):
            if sys.modules.get(name) in (cli, cli_info):
                del sys.modules[name]
    if failed:      # start again, as usual, from nothing of spaCy's
        for name in [m for m in sys.modules if m == "spacy" or m.startswith("spacy.")]:
            del sys.modules[name]
        import spacy
    if getattr(spacy, "cli", None) is cli:
        del spacy.cli
    return spacy


@lru_cache(maxsize=1)
def nlp_pipeline():
    spacy = _import_spacy()
    from spacy.matcher import Matcher
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 5_000_000
    m = Matcher(nlp.vocab)
    num = {"LIKE_NUM": True}
    m.add("percent", [[num, {"LOWER": "per"}, {"LOWER": "cent"}], [num, {"ORTH": "%"}]])
    m.add("out_of", [[num, {"LOWER": "out"}, {"LOWER": "of"}, {"LOWER": "the", "OP": "?"}, num]])
    m.add("of_the", [[num, {"LOWER": "of"}, {"LOWER": "the"}, num]])
    m.add("days", [[num, {"LOWER": "days"}]])
    m.add("fte", [[num, {"LOWER": "fte"}]])
    return nlp, m


def _heading_like(lines: list[Line], i: int, body_size: float | None) -> bool:
    """A heading: marked (markdown), set larger than body text (PDF), or a short line before a blank (text)."""
    ln = lines[i]
    t = ln.text.strip()
    if ln.heading:
        return True
    if not t or len(t) > DEFAULT_HEADING_MAX or t[-1] in ".,;:!?" or not t[0].isupper():
        return False
    if VERDICT_RE.search(t):
        return False        # a progress verdict printed without a full stop ("The CRC has made no progress on ...")
    if ln.words:
        return body_size is not None and max(w.size for w in ln.words) >= 1.15 * body_size
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    prev = lines[i - 1] if i > 0 else None
    if nxt is None or not nxt.text.strip():
        # before a blank; but not a line whose sentence goes on after the blank (a page break)
        after = next((x.text.strip() for x in lines[i + 1:i + 8] if x.text.strip()), "")
        return not after[:1].islower()
    # a short line set off above by a blank line, with a sentence starting below it; not the first
    # line of a paragraph wrapped narrow (the next line's first word would not have fitted on it)
    below = nxt.text.strip()
    return ((prev is None or not prev.text.strip()) and len(t) < 50 and below[:1].isupper()
            and not wrapped(t, below, _width_below(lines, i)))


def _wrapped_heading(lines: list[Line], i: int) -> str | None:
    """A text heading too long for the line, wrapped onto a second: two short lines set off by blank
    lines, ending no sentence, where the second line's first word would not have fitted on the first
    (the width being that of the paragraph below, when it wraps). Returns the heading joined, or None."""
    ln = lines[i]
    if ln.words or ln.heading or i + 1 >= len(lines):
        return None
    t, t2 = ln.text.strip(), lines[i + 1].text.strip()
    if (not t2 or i > 0 and lines[i - 1].text.strip() or i + 2 < len(lines) and lines[i + 2].text.strip()
            or not t[0].isupper() or re.search(r"[.,;:!?]$", t) or re.search(r"[.,;:!?]$", t2)):
        return None
    joined = f"{t} {t2}"
    k = next((k for k in range(i + 2, min(len(lines), i + 8)) if lines[k].text.strip()), None)
    if len(joined) > DEFAULT_HEADING_MAX or k is None or lines[k].words or not lines[k].text.strip()[:1].isupper():
        return None
    # the paragraph below must wrap (two lines or more) for its width to say anything
    if k + 1 >= len(lines) or not lines[k + 1].text.strip():
        return None
    width = max(len(lines[k].text.strip()), _width_below(lines, k))
    return joined if wrapped(t, t2, width) else None


def _width_below(lines: list[Line], i: int, n: int = 6) -> int:
    """The longest of the (up to n) lines that follow line i without a blank: the width text is wrapped to."""
    width = 0
    for ln in lines[i + 1:i + 1 + n]:
        t = ln.text.strip()
        if not t:
            break
        width = max(width, len(t))
    return width


def prose_figures(doc: Document, exclude: set[tuple[int | None, int]] = frozenset(),
                  sentences: list | None = None) -> list[dict]:
    """Given a Document and the (page, line) of table lines to leave out, return every figure in its prose.

    If `sentences` is a list, every sentence is appended to it as (section, text, page, line)."""
    from .ratings import STANDARD_HEADING, RATING_RE
    nlp, matcher = nlp_pipeline()
    lines = [ln for ln in doc.content() if (ln.page, ln.line) not in exclude]
    from collections import Counter
    sizes = Counter(round(w.size, 1) for ln in lines for w in (ln.words or []))
    body_size = sizes.most_common(1)[0][0] if sizes else None
    # blocks of running text between headings; within a block, lines (and page breaks) join up
    blocks: list[tuple[str, str, list[tuple[int, Line]], str | None]] = []
    section = None
    org = None     # the organisation the nearest heading names (Quality & Impact reports cover CRC and NPS)
    text, offs = "", []

    def flush():
        nonlocal text, offs
        if text.strip():
            blocks.append((section, text, offs, org))
        text, offs = "", []

    skip = -1
    for i, ln in enumerate(lines):
        t = ln.text.strip()
        if not t or i == skip:
            continue
        mh = STANDARD_HEADING.match(t)
        if mh and not RATING_RE.search(mh.group("name")) and not re.search(r"\s\d+\s*$", t):
            flush()
            section = f"{mh.group('code')} {mh.group('name').strip()}"
            continue
        if _MAJOR.match(t) and t[0].isupper() and len(t) < DEFAULT_HEADING_MAX and not re.search(r"[.;,](?:\s|$)", t):
            flush()
            section = t          # a major section ("Annexe 2: ...") ends any standard
            continue
        joined = _wrapped_heading(lines, i)
        if (joined or _heading_like(lines, i, body_size)) and not re.search(r"\d", joined or t):
            flush()
            if joined:
                t, skip = joined, i + 1
            # inside a standard, sub-headings ("Strengths:") keep the standard as the section
            if not (section and re.match(r"^\d\.\d", section)) or _MAJOR.match(t):
                section = t
            org = "NPS" if re.search(r"\bNPS\b|National Probation Service", t) else \
                "CRC" if re.search(r"\bCRC\b|Community Rehabilitation Company", t) else org
            continue
        below = lines[i + 1].text.strip() if i + 1 < len(lines) else ""
        if re.match(r"^\s*\d\.\s+[A-Z][^.]*$", t) and len(t) < DEFAULT_HEADING_MAX and not below[:1].islower():
            flush()
            section = t          # a domain heading ("2. Case supervision")
            continue
        if text and not text.endswith("-"):
            text += " "
        offs.append((len(text), ln))
        text += re.sub(r"\s+", " ", t)
    flush()
    out: list[dict] = []
    for section, btext, boffs, borg in blocks:
        doc_ = nlp(btext)
        starts = [o for o, _ in boffs]       # the line a character is on: the last line starting at or before it

        def line_at(char: int) -> Line:
            return boffs[bisect_right(starts, char) - 1][1]

        if sentences is not None:
            for sent in doc_.sents:
                text = sent.text.strip()
                first = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                ln = line_at(first)
                # where each later line of the sentence starts, as an offset into its text
                k = bisect_right(starts, first)
                later = tuple((o - first, l.page, l.line) for o, l in boffs[k:bisect_right(starts, first + len(text) - 1)])
                sentences.append(Sentence(section, text, ln.page, ln.line, borg, later))
        matches = matcher(doc_)
        import spacy.util
        spans = spacy.util.filter_spans([doc_[s:e] for _, s, e in matches])
        for span in spans:
            label = None
            for mid, s, e in matches:
                if s == span.start and e == span.end:
                    label = nlp.vocab.strings[mid]
            num = to_number(span[0].text)
            if num is None:
                continue
            figure_text = span.text
            if span.start >= 2 and doc_[span.start - 1].text == "-" and to_number(doc_[span.start - 2].text):
                # "Eighty-one per cent": the tokenizer splits the hyphen
                whole = doc_[span.start - 2].text + "-" + span[0].text
                if to_number(whole) is not None:
                    num = to_number(whole)
                    figure_text = doc_[span.start - 2:span.end].text
            den = None
            unit = {"percent": "percent", "days": "days", "fte": "FTE"}.get(label, "count")
            if label in ("out_of", "of_the"):
                den = to_number(span[-1].text)
                if den is None:
                    continue
            sent = span.sent.text.strip()
            ln = line_at(span.start_char)
            out.append({"section": section, "sentence": sent, "text": figure_text, "kind": label,
                        "number": num, "denominator": den, "unit": unit, "page": ln.page, "line": ln.line})
    return out


def _pattern_file(name: str) -> dict:
    """One of the pattern files in extract/patterns/, read."""
    import json
    from importlib import resources
    with resources.files(__package__).joinpath(f"patterns/{name}").open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def workforce_patterns():
    data = _pattern_file("workforce_prose.json")
    # a number starts at a word boundary: the \b lets the engine skip most positions at once
    num = r"\b(?:\d[\d,]*(?:\.\d+)?|(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")(?:-\w+)?)"
    return [dict(p, rx=re.compile(p["pattern"].replace("NUM", num), re.I)) for p in data["patterns"]]


def workforce_prose(sentences: list) -> list[dict]:
    """Given sentences (Sentence), return staffing and caseload figures stated in them."""
    out = []
    for s in sentences:
        section, text, page, line, org = s.section, s.text, s.page, s.line, s.org
        for p in workforce_patterns():
            m = p["rx"].search(text)
            if not m:
                continue
            g = m.groupdict()
            # the row is where its sentence starts; its value may be printed lines later
            value_page, value_line = s.at(m.start("value") if g.get("value") else
                                          m.start("lo") if g.get("lo") else m.start())
            out.append({"metric": p["metric"], "metric_code": p["metric_code"], "unit": p["unit"],
                        "value": to_number(g["value"]) if g.get("value") else None,
                        "denominator": to_number(g["den"]) if g.get("den") else None,
                        "comparator": to_number(g["cmp"]) if g.get("cmp") else None,
                        "range": (to_number(g["lo"]), to_number(g["hi"])) if g.get("lo") else None,
                        "organisation": g.get("org") or org, "text": m.group(0), "sentence": text,
                        "page": page, "line": line, "value_page": value_page, "value_line": value_line})
    return out


#: the pieces the context patterns are written with (see patterns/context_prose.json)
_CONTEXT_PIECES = {
    # capitalised words, matched case-sensitively inside case-insensitive patterns
    # (not a pronoun or determiner that starts a sentence: "It has a population of ...")
    "AREA": r"(?-i:(?!(?:It|Its|This|That|These|Those|There|Which|We|Our|Their|A|An)\b)"
            r"[A-Z][\w'’&-]*(?:\s+(?:(?:and|upon|on|of|the)\s+)?[A-Z][\w'’&-]*){0,4})",
    "BIG": r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\s*(?:million|m)\b)?|\d+(?:\.\d+)?\s*(?:million|m)\b|\d{5,})",
    "PCT": r"\d+(?:\.\d+)?\s*(?:per\s*cent|%)",
    # what a share is of: up to the end of the clause (a comma that goes on with another clause)
    "WHAT": r"[^.;()]{3,80}?(?=\s*(?:,\s*(?:with|which|while|whereas|compared|against|but|and\s+the)\b|[.;()]|$))",
}


@lru_cache(maxsize=1)
def context_patterns():
    data = _pattern_file("context_prose.json")

    def rx(pattern: str) -> re.Pattern:
        for k, v in _CONTEXT_PIECES.items():
            pattern = pattern.replace(k, v)
        return re.compile(pattern, re.I)

    sections = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?\s+)?(?:" + "|".join(map(re.escape, data["sections"])) + r")\b", re.I)
    facts = [dict(p, rx=rx(p["pattern"])) for p in data["facts"]]
    comparators = [dict(p, rx=rx(p["pattern"])) for p in data["comparators"]]
    return sections, facts, comparators


def _describe(template: str, groups: dict) -> str:
    """Fill a description template: {name} from the groups; a [part] only when its groups all matched."""
    def part(m: re.Match) -> str:
        names = re.findall(r"\{(\w+)\}", m.group(1))
        return m.group(1) if all(groups.get(n) for n in names) else ""
    t = re.sub(r"\[([^\]]*)\]", part, template)
    t = re.sub(r"\s+", " ", t.format_map({k: (v or "").strip() for k, v in groups.items()})).strip()
    return t[:1].upper() + t[1:]


def context_facts(sentences: list) -> list[dict]:
    """Given sentences (Sentence), return the contextual facts stated in the sections that describe the
    area (population, proven reoffending rate, ...), each with the comparator stated beside it. For
    reports that print no Key facts panel; a figure is a fact only where a pattern names what it is."""
    sections, facts, comparators = context_patterns()
    out: list[dict] = []
    prev: tuple[int, dict] | None = None        # (sentence index, last fact) for "This was higher than ..."
    for i, s in enumerate(sentences):
        if not s.section or not sections.match(s.section) or not re.search(r"\d", s.text):
            continue
        found: list[tuple[int, int, dict]] = []           # (start, end, row) of each value
        for p in facts:
            for m in p["rx"].finditer(s.text):
                a, b = m.span("value")
                if _taken(found, a, b):
                    continue            # the same figure read by another pattern
                g = {k: v for k, v in m.groupdict().items() if v}
                g.setdefault("area", g.get("area2"))
                row = _context_row(s, m, p["metric"], p["unit"], _describe(p["description"], g))
                row["name"] = _describe(p["name"], g).lower()          # what its comparators call it
                found.append((a, b, row))
        for p in comparators:
            for m in p["rx"].finditer(s.text):
                a, b = m.span("value")
                if _taken(found, a, b):
                    continue
                before = [r for st, _, r in sorted(found, key=lambda x: x[0]) if st < a and r["unit"] == "percent"
                          and r["compares"] is None]
                of = before[-1] if before else prev[1] if prev and prev[0] == i - 1 and prev[1]["unit"] == "percent" \
                    and prev[1]["section"] == s.section else None
                if of is None:
                    continue            # an average of what the sentence does not say
                label = _describe(p["description"], m.groupdict())
                found.append((a, b, _context_row(s, m, of["metric"], "percent", f"{label} ({of['name']})", compares=of)))
        found.sort(key=lambda x: x[0])
        rows = [r for _, _, r in found]
        out.extend(rows)
        own = [r for r in rows if r["compares"] is None]
        prev = (i, own[-1]) if own else None
    for r in out:
        r["compares"] = r["compares"]["value_text"] if r["compares"] else None
        r.pop("name", None)
    return out


def _taken(found: list[tuple[int, int, dict]], a: int, b: int) -> bool:
    """Whether the figure at [a, b) overlaps one already read from the sentence."""
    return any(a < e and st < b for st, e, _ in found)


def _context_row(s: Sentence, m: re.Match, metric: str, unit: str, description: str, compares: dict | None = None) -> dict:
    page, line = s.at(m.start("value"))
    return {"section": s.section, "metric": metric, "unit": unit, "value_text": re.sub(r"\s+", " ", m.group("value")),
            "description": description, "compares": compares, "sentence": s.text, "page": page, "line": line}
