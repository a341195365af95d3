"""The case samples an inspection read: how many cases, of which kind, as the report states them.

Reports say how many cases inspectors read ("We inspected 41 cases where sentences and licences
had commenced ...", "We inspected the management of 40 unpaid work requirements", "the sample
consisted of 61 cases, 40 of which were CRC cases"), often more than once and sometimes only by
its parts ("76 community sentence cases and 38 post-release supervision cases": 114). Each
statement is read from the prose sentences; parts joined by "and" are added up. A sample is
case supervision unless its words name unpaid work or custody and release (Through the Gate,
resettlement). Of the statements about one sample, the largest count is the whole sample (the
others are its parts, or repeat it).

Each sample: {sample, cases, text, page, line}.
"""
from __future__ import annotations

import re

from .numbers import to_number

_TENS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_NUM = (rf"\d[\d,]*|(?:{_TENS})-(?:one|two|three|four|five|six|seven|eight|nine)|one|two|three|four|five|six|"
        rf"seven|eight|nine|ten|eleven|twelve|{_TENS}|hundred")
#: "<count> <up to eight words> cases|requirements|orders|licences"
_PART = rf"({_NUM})\s+((?:[\w’'()\-]+\s+){{0,8}}?)(?:cases|requirements|orders|licences)\b"
#: what inspectors did with the sample
_VERB = (r"\b(?:we|inspectors|the inspection team)\s+(?:(?:had|have)\s+)?(?:inspected|examined|reviewed|assessed|"
         r"looked at|read)\s+(?:the\s+(?:management|quality)\s+of\s+|a\s+(?:total|sample)\s+of\s+)?")
STATEMENT_RES = [
    re.compile(_VERB + rf"(?P<parts>{_PART}(?:\s*(?:,|and|,\s*and)\s+{_PART})*)", re.I),
    re.compile(r"\bsample\s+(?:consisted of|comprised|was made up of|included|totalled)\s+"
               rf"(?P<parts>{_PART})", re.I),
]
_PART_RE = re.compile(_PART, re.I)
#: words after a count's noun that make it a part of the sample ("14 cases that were eligible for MAPPA")
SUBSET_AFTER_RE = re.compile(r"^\W*(?:that|which|who|whose|where|in which|with|eligible|involving|for whom|"
                             r"relevant|requiring|subject to)\b", re.I)
#: fewer cases than this are an example, not the inspection's sample
MIN_SAMPLE = 5
#: words that name the sample (looked for in the counted words and the rest of the sentence)
KINDS = [
    ("unpaid_work", re.compile(r"\bunpaid work\b|\bcommunity payback\b", re.I)),
    ("through_the_gate", re.compile(r"\bthrough the gate\b|\bcustod\w*|\bpre-release\b|\bresettlement\b", re.I)),
]


def _kind(text: str) -> str:
    for name, rx in KINDS:
        if rx.search(text):
            return name
    return "case_supervision"


def sample_statements(sentences: list) -> list[dict]:
    """Given sentences (prose.Sentence), return every statement of a sample's size, in order:
    {sample, cases (the parts added up), parts (each part's count), counted (the words between the
    first count and its noun, lower case: "community sentence", ""), subset (words after the last
    noun make the count a part of the sample: "cases that were eligible for MAPPA"), text, page, line}."""
    out = []
    for section, text, page, line, *_ in sentences:
        for rx in STATEMENT_RES:
            m = rx.search(text)
            if not m:
                continue
            parts = _PART_RE.findall(m.group("parts"))
            counts = [to_number(n) for n, _ in parts]
            if not counts or any(c is None or c != int(c) or c <= 0 for c in counts) or sum(counts) < MIN_SAMPLE:
                continue      # not a count, or too few to be a sample ("we reviewed one of the cases")
            kind = _kind(m.group("parts") + " " + text[m.end():m.end() + 80])
            out.append({"sample": kind, "cases": int(sum(counts)), "parts": [int(c) for c in counts],
                        "counted": " ".join(parts[0][1].lower().split()),
                        "subset": bool(SUBSET_AFTER_RE.match(text[m.end():])), "text": text, "page": page, "line": line})
            break
    return out


def case_samples(sentences: list, statements: list[dict] | None = None) -> list[dict]:
    """Given sentences (prose.Sentence), return one row per sample stated: of the statements about
    one sample, the largest (the others are its parts, or repeat it)."""
    best: dict[str, dict] = {}
    for st in sample_statements(sentences) if statements is None else statements:
        if st["sample"] not in best or st["cases"] > best[st["sample"]]["cases"]:
            best[st["sample"]] = st
    return [{k: best[s][k] for k in ("sample", "cases", "text", "page", "line")}
            for s in ("case_supervision", "unpaid_work", "through_the_gate") if s in best]
