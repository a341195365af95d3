"""Recognise what a document is: its inspection methodology, provider and date.

Given a Document, return a Classification. Decisions rest on cues the
inspectorate prints (a "Score N/M" in the ratings table, a "Quality & Impact"
running title, "An inspection of probation services in:" title pages), each
recorded as evidence with its line, so that a researcher can see why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..normalise.reference import kinds_with_score_max, methodology
from .document import MONTHS, Document, Line

_MONTH_RE = "|".join(MONTHS)

#: how many content lines at the start of a document count as its front matter
DEFAULT_FRONT_LINES = 120


@dataclass
class Classification:
    kind: str                          # see normalise/reference/methodologies.json
    is_report: bool
    provider_name: str | None = None
    provider_type: str | None = None
    provider_line: tuple[int | None, int] | None = None
    title: str | None = None
    published_year: int | None = None
    published_month: int | None = None
    published_stated: bool = False
    published_evidence: str | None = None
    evidence: list[str] = field(default_factory=list)
    reason: str | None = None          # why it is not (understood as) a report


_BLOG_CUES = [r"\bShare on (?:twitter|facebook|linkedin)\b", r"^\s*Leave a Reply\s*$",
              r"author of this blog", r"^\s*\d+ Responses?\s*$", r"^\s*One Response\s*$",
              r"\bPosted (?:on|by)\b", r"\bSubscribe\b"]
_REPORT_CUES = [r"^\s*Foreword\s*$", r"^\s*(?:Contents|Ratings|Recommendations|Executive summary|Key facts|Contextual facts|Background)\s*$",
                r"Chief Inspector of Probation", r"^\s*(?:Annexe|Appendix)\b",
                r"\bHM Inspectorate of Probation\b", r"^\s*(?:An )?[Ii]nspection of ",
                r"Quality & Impact"]
_SCORE_RE = re.compile(r"\bScore\b[\s:]*(\d{1,2})\s*/\s*(\d{2})\b")


def _find(lines: list[Line], pattern: str, flags=re.I | re.M) -> list[Line]:
    rx = re.compile(pattern, flags)
    return [ln for ln in lines if rx.search(ln.text)]


def classify(doc: Document) -> Classification:
    lines = doc.content()
    text = "\n".join(ln.text for ln in lines)
    front = lines[:DEFAULT_FRONT_LINES]
    front_text = "\n".join(ln.text for ln in front)
    all_lines = doc.lines   # running titles are footers: include them for cues
    running = "\n".join(ln.text for ln in all_lines if ln.role == "footer")

    blog_hits = sum(1 for p in _BLOG_CUES if re.search(p, text, re.I | re.M))
    report_hits = [p for p in _REPORT_CUES if re.search(p, text + "\n" + running, re.M)]
    score = None
    for ln in lines:
        m = _SCORE_RE.search(ln.text)
        if m and int(m.group(1)) <= int(m.group(2)):
            score = (int(m.group(1)), int(m.group(2)), ln)
            break

    c = Classification(kind="unknown", is_report=True)
    qi = len(re.findall(r"Quality\s*&\s*Impact", text + "\n" + running))
    title_text = "\n".join(ln.text for ln in front[:15])
    youth = re.search(r"\binspection of youth (?:offending|justice)|\byouth (?:offending|justice) (?:service|team)s? in\b",
                      title_text, re.I)
    pdu = re.search(r"\b(?:PDU|Probation Delivery Unit)\b", front_text)
    crc = re.search(r"Community Rehabilitation Company|\bCRC\b", front_text)
    nps = re.search(r"National Probation Service|\bNPS\b", front_text)
    region_title = re.search(r"inspection of probation services in:?\s*\n?[^\n]*\bregion\b", front_text, re.I)

    if blog_hits >= 2 and (len(report_hits) < 4 or not score):
        c.kind, c.is_report = "commentary", False
        c.reason = (f"not an inspection report: {blog_hits} blog/web-page cues (share buttons, replies) "
                    f"and no ratings table")
        c.evidence.append(f"blog cues: {blog_hits}; report cues: {len(report_hits)}")
        return c
    national = re.search(r"^\W*National inspection\b|\binspection of (?:the )?national arrangements\b",
                         title_text, re.I | re.M)
    dynamic = re.search(r"\bDynamic inspection of public protection\b", title_text, re.I)
    youth2 = re.search(r"\binspection of youth justice work with children and victims\b", title_text, re.I)
    if score:
        s, mx, ln = score
        c.evidence.append(f"score {s}/{mx} at page {ln.page} line {ln.line}")
    titled = [(dynamic, "dynamic_public_protection_2025_on"), (youth2, "youth_justice_inspection_2025_on"),
              (national, "national_inspection"), (region_title, "regional_inspection_2023_on")]
    by_title = next(((m, kind) for m, kind in titled if m), None)
    if by_title:
        # the title says what was inspected, whatever score is printed (these types' scores are not known)
        c.kind = by_title[1]
        c.evidence.append(f"title: '{' '.join(by_title[0].group(0).split())}'")
    elif score:
        # the methodologies that score out of this maximum (the reference data's score maxima)
        scored = kinds_with_score_max(mx)
        adult = {"crc_inspection_2018_2020", "nps_inspection_2018_2021"}
        if "youth_justice_inspection" in scored or (youth and not scored):
            c.kind = "youth_justice_inspection"
        elif any(methodology(k).get("family") == "pdu" for k in scored) or pdu:
            c.kind = "pdu_inspection_2021_on"
        elif "crc_inspection_2018_2020" in scored and crc:
            c.kind = "crc_inspection_2018_2020"
        elif "nps_inspection_2018_2021" in scored and nps:
            c.kind = "nps_inspection_2018_2021"
        elif scored & adult:
            c.kind = "crc_inspection_2018_2020" if re.search(r"\bCRCs?\b", text) else "nps_inspection_2018_2021"
    elif qi >= 2:
        c.kind = "quality_and_impact_2016_2018"
        c.evidence.append(f"'Quality & Impact' printed {qi} times")
    elif youth:
        c.kind = "youth_justice_inspection"
    elif pdu and _rated_without_score(doc):
        # a PDU report whose ratings table prints no score (framework 2 may not: methodology.md 2.5)
        c.kind = "pdu_inspection_2021_on"
        c.evidence.append("a ratings table with standards rated and no score")
    elif re.search(r"\bthematic\b", front_text, re.I):
        c.kind = "thematic_inspection"
    if c.kind == "unknown":
        c.is_report = len(report_hits) >= 3
        c.reason = ("layout not recognised: no ratings score, no Quality & Impact title, "
                    f"no youth/regional/national/thematic title ({len(report_hits)} report cues)")
        if not c.is_report:
            c.kind = "commentary" if blog_hits else "unknown"
            c.reason = "not an inspection report: " + c.reason
    _provider(doc, lines, c)
    _publication(lines, text, c)
    return c


def _joined(lines: list[Line]) -> tuple[str, list[int]]:
    """Given lines, return their text joined by newlines and each line's start offset."""
    offs, parts, n = [], [], 0
    for ln in lines:
        offs.append(n)
        parts.append(ln.text)
        n += len(ln.text) + 1
    return "\n".join(parts), offs


def _line_at(lines: list[Line], offs: list[int], pos: int) -> Line:
    k = max(i for i, o in enumerate(offs) if o <= pos)
    return lines[k]


def _provider(doc: Document, lines: list[Line], c: Classification) -> None:
    name = None
    where = None
    # 1. title page: "An inspection of probation services in:" then the name (either may wrap)
    front = lines[:DEFAULT_FRONT_LINES]
    joined, offs = _joined(front)
    # (after a colon the name may follow on the same line: "... services in: North East region")
    m = re.search(r"An inspection of (?:probation|youth\w*)[\w\s]*?(?:services|work)\s+in"
                  r"(?::[ \t]*(?:\n\s*)?|[ \t]*\n\s*)(?P<name>[^\n]+)", joined, re.I)
    if m:
        name, where = m.group("name").strip(), _line_at(front, offs, m.start("name"))
    # a national inspection inspects HM Prison and Probation Service itself
    if not name and c.kind == "national_inspection":
        m = re.search(r"(?:His|Her) Majesty['’]s Prison and Probation Service|HM Prison and Probation Service|\bHMPPS\b",
                      joined)
        if m:
            name, where = "HM Prison and Probation Service", _line_at(front, offs, m.start())
    # 2. the ratings table: the words before "Score N/M" (possibly wrapped)
    if not name:
        for i, ln in enumerate(lines):
            m = _SCORE_RE.search(ln.text)
            if m:
                before = ln.text[:m.start()].strip()
                parts = [before] if before else []
                # a name wrapped onto lines above (text) or below (PDF) the score line
                j = i - 1
                while j >= 0 and lines[j].text.strip() and not re.match(r"^\s*Ratings\s*$", lines[j].text) \
                        and len(parts) < 3:
                    parts.insert(0, lines[j].text.strip())
                    j -= 1
                k = i + 1
                while k < len(lines) and lines[k].text.strip() and not re.search(r"rating", lines[k].text, re.I) \
                        and len(lines[k].text.split()) <= 3 and len(parts) < 4:
                    parts.append(lines[k].text.strip())
                    k += 1
                cand = " ".join(parts).strip()
                if cand and not re.search(r"dwork|started", cand):
                    name, where = cand, ln
                break
    # 3. a Quality & Impact title "Quality & Impact: West Mercia"
    if not name:
        for ln in doc.lines:
            m = re.search(r"Quality\s*&\s*Impact:\s*([A-Z][\w &'’-]+?)\s*$", ln.text)
            if m:
                name, where = m.group(1).strip(), ln
                c.title = f"Quality & Impact: {name}"
                break
    # 4. the running title "Inspection of probation services: X"
    if not name:
        for ln in doc.lines:
            m = re.search(r"Inspection of (?:probation|youth offending) services:\s*([^\t\d]+?)\s*\d*\s*$", ln.text)
            if m:
                name, where = m.group(1).strip(), ln
                break
    if not c.is_report or c.kind == "commentary":
        return
    if name:
        name = re.sub(r"\s+", " ", name)
        c.provider_name = name
        c.provider_line = (where.page, where.line) if where else None
    c.provider_type = _provider_type(name or "")


def _provider_type(name: str) -> str | None:
    """The kind of body a provider's name says it is (None where it does not say: normalise then takes
    the type the methodology inspects)."""
    if re.search(r"Community Rehabilitation Company|\bCRC\b", name):
        return "CRC"
    if re.search(r"\bPDU\b|Probation Delivery Unit", name):
        return "PDU"
    if re.search(r"\bNPS\b|National Probation Service", name):
        return "NPS division"
    if re.search(r"\bYOS\b|\bYOT\b|\bYJS\b|[Yy]outh", name):
        return "YOS"
    if re.search(r"\bregion\b", name, re.I):
        return "region"
    return None


def _rated_without_score(doc: Document) -> bool:
    """A ratings table with an overall rating and standards rated under it, but no score."""
    from .ratings import ratings_table
    rt = ratings_table(doc)
    return rt.found and rt.score is None and rt.overall_text is not None and len(rt.rows) >= 3


def _publication(lines: list[Line], text: str, c: Classification) -> None:
    if not c.is_report:
        return
    front = lines[:DEFAULT_FRONT_LINES]
    # stated: "HM Inspectorate of Probation, June 2023" or a date line under the Foreword signature
    joined, offs = _joined(front)
    m = re.search(rf"(?:Inspectorate of Probation\s*,?|^)[ \t]*\n?[ \t]*({_MONTH_RE})\s+((?:19|20)\d\d)[ \t]*$",
                  joined, re.M)
    if m:
        ln = _line_at(front, offs, m.start(1))
        c.published_month = MONTHS.index(m.group(1)) + 1
        c.published_year = int(m.group(2))
        c.published_stated = True
        c.published_evidence = f"'{re.sub(chr(92) + 's+', ' ', m.group(0)).strip()}' (page {ln.page}, line {ln.line})"
        return
    # implied: the latest full date the report mentions
    years = [int(y) for y in re.findall(rf"\b\d{{1,2}}\s+(?:{_MONTH_RE})\s+((?:19|20)\d\d)\b", text)]
    if years:
        c.published_year = max(years)
        c.published_stated = False
        c.published_evidence = f"implied: latest full date mentioned is in {c.published_year}"
