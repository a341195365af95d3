"""Key facts / Contextual facts panels, and recommendations.

Key facts: the panel starts at its heading; each fact is a value at the start
of a line ("2,116", "36.3%", "£12.37m", "1 (of 21)") followed by its
description, which may start on the next line and wrap; a short heading such
as "Performance against targets" names the facts below it.

Recommendations: items under an addressee line ("Merseyside CRC should:",
possibly wrapped), numbered or bulleted, wrapping over lines (even over blank
lines mid-sentence); numbering runs on across addressees.
"""
from __future__ import annotations

import re

from .document import Document, Line, strip_footnote_markers, wrapped

PANEL_RE = re.compile(r"^\s*(Key facts|Contextual facts)\s*$", re.I)
FACT_VALUE = r"£?\d[\d,]*(?:\.\d+)?\s?(?:%|m\b|bn\b|k\b)?(?:\s*\(of\s+\d[\d,]*\))?"
FACT_RE = re.compile(rf"^\s*(?P<value>{FACT_VALUE})(?:\s+(?P<desc>[A-Z].*))?\s*$")
_STOP_RE = re.compile(r"^\s*(?:\d\.\s+[A-Z]|[A-Z][a-z]+(?: [a-z]+){0,3}:?\s*$)")
#: lines a panel may span
DEFAULT_PANEL_LINES = 80


def _body(doc: Document) -> list[Line]:
    return [ln for ln in doc.content() if ln.role == "body" or ln.role == "blank"]


def key_facts(doc: Document) -> list[dict]:
    lines = _body(doc)
    out: list[dict] = []
    for i, ln in enumerate(lines):
        m = PANEL_RE.match(ln.text)
        if not m:
            continue
        panel = m.group(1)
        if ln.words:
            out = _key_facts_geometry(lines[i + 1:i + 1 + DEFAULT_PANEL_LINES], panel)
            if out:
                break
            continue
        section = panel
        cur = None
        for j in range(i + 1, min(len(lines), i + 1 + DEFAULT_PANEL_LINES)):
            t = lines[j].text.strip()
            below = next((l for l in lines[j + 1:j + 10] if l.text.strip()), None)
            nxt = below.text.strip() if below else ""
            if not t:
                # a blank ends the fact, unless what follows continues it: a sentence going on, or,
                # after a page break (which leaves blank lines mid-fact), the rest of a line that
                # wrapped (its next word would not have fitted on it) and is not a new fact
                if cur is not None and cur["desc"] and not (
                        nxt[:1].islower() or below is not None and below.page != cur["desc_page"]
                        and not FACT_RE.match(nxt) and wrapped(cur["desc"][-1], nxt, max(map(len, cur["desc"])))):
                    out.append(cur)
                    cur = None
                continue
            fm = FACT_RE.match(t)
            if fm and (fm.group("desc") or re.match(r"^(The|A|An|Annual|Number|Proportion)\b", nxt)):
                if cur is not None and cur["desc"]:
                    out.append(cur)
                cur = {"section": section, "value_text": re.sub(r"\s+", " ", fm.group("value")).strip(),
                       "desc": [fm.group("desc")] if fm.group("desc") else [], "page": lines[j].page,
                       "line": lines[j].line, "desc_page": lines[j].page}
                continue
            year = re.fullmatch(r"((?:19|20)\d\d)(\d{0,2})", fm.group("value").strip()) if fm else None
            if year and cur is not None and cur["desc"] and (not year.group(2) or int(year.group(2)) in doc.footnotes):
                cur["desc"].append(t)      # a description wrapped before a year ("year ending 31 March" / "2019")
                continue
            if fm:           # a stray number (collected superscripts): no fact
                continue
            if cur is not None and (cur["desc"] == [] or t[:1].islower() or not cur["desc"][-1].rstrip().endswith(".")
                                    and not _STOP_RE.match(t)):
                cur["desc"].append(t)
                cur["desc_page"] = lines[j].page
                continue
            if cur is not None and cur["desc"]:
                out.append(cur)
                cur = None
            if re.match(r"^[A-Z][a-z]+(?: [a-z]+){1,4}\s*$", t) and out:
                section = t          # a sub-heading inside the panel
                continue
            if out:
                break
        if cur is not None and cur["desc"]:
            out.append(cur)
        if out:
            break
    for f in out:
        f["description"] = strip_footnote_markers(re.sub(r"\s+", " ", " ".join(f.pop("desc"))).strip(),
                                                  set(doc.footnotes))
    return out


def _key_facts_geometry(lines: list[Line], panel: str) -> list[dict]:
    """PDF: values sit in a left column, centred beside descriptions that wrap; pair them by position."""
    from collections import Counter
    body = []
    for ln in lines:
        if not ln.words:
            continue
        if body and ln.page != body[0].page and any(ln.page == b.page for b in body[:1]) is False and len(body) > 3:
            break
        if re.match(r"^\s*\d\.\s+[A-Z]", ln.text) or _SECTION_END_PANEL.match(ln.text):
            break
        body.append(ln)
    if not body:
        return []
    values, descs = [], []
    starts = Counter(round(ln.words[0].x0) for ln in body if not re.fullmatch(FACT_VALUE, ln.words[0].text))
    if not starts:
        return []
    desc_x = starts.most_common(1)[0][0]
    for ln in body:
        if re.fullmatch(r"[A-Z][a-z]+(?: [a-z]+){1,4}", ln.text.strip()) and ln.words[0].x0 < desc_x - 10:
            # a sub-heading across the panel ("Performance against targets")
            descs.append({"text": ln.text.strip(), "y": ln.words[0].top + ln.words[0].size / 2, "line": ln,
                          "heading": True})
            continue
        vw = [w for w in ln.words if w.x0 < desc_x - 10]
        dw = [w for w in ln.words if w.x0 >= desc_x - 10]
        y = ln.words[0].top
        vt = " ".join(w.text for w in vw)
        if vw and re.fullmatch(FACT_VALUE, vt):
            values.append({"value_text": vt, "y": (vw[0].top + max(w.top + w.size for w in vw)) / 2,
                           "page": ln.page, "line": ln.line})
        if dw:
            descs.append({"text": " ".join(w.text for w in dw), "y": y + dw[0].size / 2, "line": ln})
    if not values:
        return []
    section = panel
    out = []
    groups: dict[int, list] = {k: [] for k in range(len(values))}
    sections: dict[int, str] = {}
    last_was_heading = False
    for d in descs:
        near_value = any(abs(v["y"] - d["y"]) < 4 for v in values)
        if last_was_heading and re.fullmatch(r"[a-z]+", d["text"]) and not near_value:
            section = section + " " + d["text"]       # a sub-heading wrapped onto a second line
            for k in list(sections):
                sections[k] = section if sections[k] == section.rsplit(" ", 1)[0] else sections[k]
            continue
        last_was_heading = False
        if d.get("heading") or (re.match(r"^[A-Z][a-z]+(?: [a-z]+){1,4}$", d["text"]) and not near_value):
            last_was_heading = True
            section = d["text"]
            below = [k for k, v in enumerate(values) if v["y"] > d["y"]]
            for k in below:
                sections[k] = section
            continue
        k = min(range(len(values)), key=lambda k: (abs(values[k]["y"] - d["y"]), -values[k]["y"] if values[k]["y"] < d["y"] else 0))
        # ties go to the value above: a description runs on below its centred value
        dists = sorted(((abs(v["y"] - d["y"]), kk) for kk, v in enumerate(values)))
        if len(dists) > 1 and abs(dists[0][0] - dists[1][0]) < 2:
            k = min(dists[0][1], dists[1][1])
        groups[k].append(d["text"])
    for k, v in enumerate(values):
        if groups[k]:
            out.append({"section": sections.get(k, panel), "value_text": v["value_text"],
                        "desc": groups[k], "page": v["page"], "line": v["line"]})
    return out


_SECTION_END_PANEL = re.compile(r"^\s*(?:Foreword|Contents|Executive summary|Background|Recommendations)\s*$")


ADDRESSEE_RE = re.compile(r"^\s*(?P<who>.*?)\s*should:\s*$")
ITEM_RE = re.compile(r"^\s*(?:[-•*–]\s*)?(?:(?P<num>\d{1,2})[.)]\s+)?(?P<text>\S.*)$")
_SECTION_END_RE = re.compile(r"^\s*(?:Background|Contents|Foreword|Executive summary|Introduction|Ratings|"
                             r"Key facts|Contextual facts|Annexe|Appendix|\d\.\s+[A-Z])", re.I)


def _wrapped_above(lines: list[Line], i: int, most: int = 2) -> str:
    """The start of an addressee wrapped onto the lines directly above line i ("The Community
    Rehabilitation Company and" / "National Probation Service should:"): lines with no blank between
    that end no sentence and are neither a heading nor a numbered item."""
    parts: list[str] = []
    k = i - 1
    while k >= 0 and len(parts) < most:
        ln = lines[k]
        t = ln.text.strip()
        if not t or _not_addressee(ln):
            break
        parts.insert(0, t)
        k -= 1
    # the addressee starts a block: it opens with a capital, below a blank line or a heading (not
    # the unfinished last line of the list before it)
    if parts and (not parts[0][:1].isupper() or k >= 0 and lines[k].text.strip() and not _not_addressee(lines[k])):
        return ""
    return " ".join(parts) + " " if parts else ""


def _not_addressee(ln: Line) -> bool:
    """A line that cannot be part of an addressee: a heading, a numbered item, or one that ends a sentence."""
    t = ln.text.strip()
    return bool(ln.heading or re.search(r"[.;:!?]$", t) or re.match(r"^\d{1,2}[.)]\s", t)
                or re.match(r"^\W*(?:new\s+)?recommendations?\W*$", t, re.I) or _SECTION_END_RE.match(t))


#: the longest a recommendation runs, in lines (a list that runs on longer has ended)
DEFAULT_ITEM_MAX_LINES = 10
#: a numbered item: "1. improve ...", "2) Ensure ...", "- 3. ..." (a web page's list)
NUMBERED_RE = re.compile(r"^\s*(?:[-•*–]\s*)?(?P<num>\d{1,2})[.)]\s+(?P<text>\S.*)$")
BULLET_RE = re.compile(r"^\s*[-•*–]\s+(?P<text>\S.*)$")


def _unfinished(parts: list[str]) -> bool:
    """Whether an item's text so far stops mid-sentence (no full stop or semicolon at its end)."""
    return not re.search(r"[.;!?]['’\")]*$", parts[-1].rstrip())


def recommendations(doc: Document) -> list[dict]:
    """Given a Document, return the new recommendations: under each addressee ("Merseyside CRC
    should:"), its items, numbered (consecutively), bulleted, or unmarked lines. An item runs on over
    the lines that follow it (wrapped, across a page break, a note in brackets on a line of its own)
    until the next item, a heading, another addressee or the end of the list: a line after an item
    that has ended its sentence belongs to it only if it starts in lower case or with a bracket."""
    lines = [ln for ln in doc.content() if ln.role in ("body", "blank")]
    out: list[dict] = []
    i = 0
    n = len(lines)
    while i < n:
        t = lines[i].text.strip()
        who = None
        m = ADDRESSEE_RE.match(t)
        if m and m.group("who"):
            who = _wrapped_above(lines, i) + m.group("who")
        elif t == "should:" and i > 0:
            k = i - 1
            while k > 0 and not lines[k].text.strip():
                k -= 1
            who = lines[k].text.strip()
        if not who:
            i += 1
            continue
        who = re.sub(r"\s+", " ", who).strip()
        i += 1
        cur = None
        marker = None           # how this addressee's items are marked: marked (numbers, bullets) or unmarked
        while i < n:
            ln = lines[i]
            t = ln.text.strip()
            if not t:
                i += 1
                continue
            if ADDRESSEE_RE.match(t) or t == "should:" or (i + 1 < n and lines[i + 1].text.strip() == "should:"):
                break
            num = NUMBERED_RE.match(t)
            bul = BULLET_RE.match(ln.text) if not num else None
            # numbers run on consecutively (a list may mix bullets and numbers: "- improve", "- 2. ensure")
            # (one number may be missing from the print: the extraction checks then flag the gap)
            if num and (cur is None or cur["number"] is None or int(num.group("num")) in (cur["number"] + 1,
                                                                                        cur["number"] + 2)):
                kind, text, number = "marked", num.group("text"), int(num.group("num"))
            elif bul and marker != "unmarked":
                kind, text, number = "marked", bul.group("text"), None
            elif cur is None and marker is None and t[:1].islower():
                kind, text, number = "unmarked", t, None      # a list whose items carry no marker
            else:
                kind = None
            if kind:
                if cur:
                    out.append(cur)
                marker = kind
                cur = {"addressee": who, "number": number, "number_printed": number is not None,
                       "parts": [text], "page": ln.page, "line": ln.line}
                i += 1
                continue
            if cur is not None and not ln.heading and not _SECTION_END_RE.match(t) and not num \
                    and len(cur["parts"]) < DEFAULT_ITEM_MAX_LINES \
                    and (_unfinished(cur["parts"]) or t[:1].islower() or t.startswith("(")):
                if marker == "unmarked" and t[:1].islower() and not _unfinished(cur["parts"]):
                    out.append(cur)      # unmarked items: a line in lower case after a finished one starts the next
                    cur = {"addressee": who, "number": None, "number_printed": False,
                           "parts": [t], "page": ln.page, "line": ln.line}
                else:
                    cur["parts"].append(t)
                i += 1
                continue
            break
        if cur:
            out.append(cur)
    # numbering runs on across addressees: fill unprinted numbers from their neighbours
    for k, r in enumerate(out):
        if r["number"] is None:
            if k + 1 < len(out) and out[k + 1]["number"]:
                r["number"] = out[k + 1]["number"] - 1
            elif k > 0 and out[k - 1]["number"]:
                r["number"] = out[k - 1]["number"] + 1
        r["text"] = re.sub(r"\s+", " ", " ".join(r.pop("parts"))).strip()
    return out


#: "we have made eight recommendations", "this report makes seven recommendations"
STATED_RE = re.compile(r"\b(?:made|make|makes|making)\s+(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|"
                       r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen)\s+(?:new\s+)?recommendations\b", re.I)
#: a sentence about the previous inspection's recommendations, not this report's
_PREVIOUS_RE = re.compile(r"\b(?:previous|last|earlier|prior)\b", re.I)


def stated_recommendations(doc: Document) -> dict | None:
    """What the report says of how many recommendations it makes ("we have made eight
    recommendations"): {count, text, page, line}, or None where it does not say. A sentence about
    the previous inspection's recommendations does not count."""
    from .numbers import to_number
    lines = doc.content()
    starts, parts, pos = [], [], 0
    for ln in lines:
        starts.append(pos)
        parts.append(ln.text)
        pos += len(ln.text) + 1
    text = "\n".join(parts)
    from bisect import bisect_right
    for m in STATED_RE.finditer(text):
        a = max(text.rfind(".", 0, m.start()), text.rfind("\n\n", 0, m.start()))
        sentence = text[a + 1:text.find(".", m.end()) + 1 or len(text)]
        if _PREVIOUS_RE.search(sentence):
            continue
        ln = lines[bisect_right(starts, m.start()) - 1]
        return {"count": int(to_number(m.group("n"))), "text": re.sub(r"\s+", " ", sentence).strip(),
                "page": ln.page, "line": ln.line}
    return None
