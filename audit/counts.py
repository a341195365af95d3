"""Counts, statcheck-style: the checks a careful reader makes of a report's counts across the whole
report. A sample's size stated again elsewhere; a count out of the cases inspected against the
sample; 'three out of four standards were rated Inadequate' against the ratings table; a total and
the parts it is broken into. Every finding names both places.
"""
from __future__ import annotations

import re

from ..normalise.reference import RATINGS_ORDER
from .common import GROUP_RE, PERIOD_RE, Ctx, at_place, joined_text, make_finding, place_key, place_of
from .registry import rule


@rule("sample_restated",
      "A case sample's size stated again elsewhere in the report (summary, body, annexe) is the same: "
      "a statement of the same sample with the same words that gives another count is a "
      "contradiction; one in other words (a kind of case named, or the sample only by its parts) is "
      "possible. Counts that are one of the sample's parts, or a subset named as such ('14 cases that "
      "were eligible for MAPPA'), are not compared.",
      "internal consistency")
def sample_restated(ctx: Ctx, doc: dict) -> list[dict]:
    did = doc["document_id"]
    by: dict[str, list[dict]] = {}
    for s in sorted(ctx.rows("sample_statements", did), key=place_key):
        by.setdefault(s["sample"], []).append(s)
    out = []
    for sample, sts in by.items():
        whole = max(sts, key=lambda s: s["cases"])          # the sample, as case_samples keeps it
        parts = {int(p) for p in (whole["parts"] or "").split("+") if p.isdigit()}
        for s in sts:
            if s["cases"] == whole["cases"] or s["subset"] or s["cases"] in parts:
                continue
            same_words = s["counted"] == whole["counted"] and "+" not in (s["parts"] or "") and \
                "+" not in (whole["parts"] or "") and not whole["subset"]
            severity = "contradiction" if same_words else "possible"
            why = "" if same_words else (" (possible: the statements name the cases in other words, "
                                         f"'{s['counted'] or 'cases'}' and '{whole['counted'] or 'cases'}')")
            out.append(make_finding(
                did, "sample_restated", severity, sample.replace("_", " "), whole["cases"], s["cases"],
                f"the {sample.replace('_', ' ')} sample is stated as {s['cases']} cases here and as {whole['cases']} "
                f"at {at_place(whole['page'], whole['line'])}{why}", s["page"], s["line"],
                evidence=s["sentence"][:300], other=(whole["page"], whole["line"])))
    return out


def _counts_followed_by(ctx: Ctx, did: str, after: re.Pattern):
    """The document's 'x out of y' figures whose following words match `after`, in document order:
    (figure row, where it starts in its sentence, the match)."""
    for f in sorted(ctx.rows("prose_figures", did), key=place_key):
        if f["kind"] not in ("out_of", "of_the") or not f["denominator"]:
            continue
        i = f["sentence"].find(f["figure_text"])
        m = after.match(f["sentence"][i + len(f["figure_text"]):]) if i >= 0 else None
        if m is not None:
            yield f, i, m


#: 'x out of y cases ...' : what the y counts, right after it
_CASES_AFTER_RE = re.compile(r"^\W*(?:(?:of\s+)?(?:the\s+|our\s+|all\s+)?)(?P<relevant>(?:relevant|applicable|"
                             r"eligible|appropriate)\s+)?cases\b(?P<rest>[^.;]{0,60})", re.I)
#: the whole sample named after 'cases': 'cases inspected', 'cases we inspected', 'cases in our sample'
_ALL_INSPECTED_RE = re.compile(r"^\s*(?:(?:that\s+)?we\s+)?(?:inspected|examined|reviewed|in (?:our|the) "
                               r"(?:case\s+)?sample)\b", re.I)


@rule("sample_denominator",
      "A count 'x out of y cases' is out of no more cases than were inspected (the samples added up); "
      "one out of 'the cases inspected' (no subset named) is out of the sample itself, where the "
      "report has one case sample.",
      "internal consistency")
def sample_denominator(ctx: Ctx, doc: dict) -> list[dict]:
    did = doc["document_id"]
    samples = ctx.rows("case_samples", did)
    if not samples:
        return []
    total = sum(s["cases"] for s in samples)
    where = "; ".join(f"{s['sample'].replace('_', ' ')} {s['cases']} at {at_place(s['page'], s['line'])}"
                      for s in samples)
    out = []
    for f, i, m in _counts_followed_by(ctx, did, _CASES_AFTER_RE):
        sent = f["sentence"]
        if PERIOD_RE.search(sent):
            continue          # cases of another inspection
        y = f["denominator"]
        # no part of the cases (a group, a kind) can outnumber all the cases inspected; only a count
        # of no group named can be of the sample itself
        group = GROUP_RE.search(sent[max(0, i - 60):i])
        if y > total:
            out.append(make_finding(
                did, "sample_denominator", "contradiction", "case sample", total, y,
                f"'{f['figure_text']} cases' counts out of {y:g} cases; the report inspected {total} ({where})",
                f["page"], f["line"], evidence=sent[:300], other=(samples[0]["page"], samples[0]["line"])))
        elif len(samples) == 1 and not m.group("relevant") and not group and _ALL_INSPECTED_RE.match(m.group("rest")) \
                and y != samples[0]["cases"]:
            s = samples[0]
            out.append(make_finding(
                did, "sample_denominator", "contradiction", "case sample", s["cases"], y,
                f"'{f['figure_text']} cases' inspected counts out of {y:g}; the sample is {s['cases']} cases "
                f"({at_place(s['page'], s['line'])})", f["page"], f["line"], evidence=sent[:300],
                other=(s["page"], s["line"])))
    return out


_RATING_WORDS = "|".join(re.escape(r) for r in RATINGS_ORDER)
#: '... (domain two) standards were rated (as) 'Inadequate'' right after 'x out of y'
_STANDARDS_RATED_RE = re.compile(
    r"^\W*(?:of\s+(?:the|our)\s+)?(?:(?:domain|section)\s+(?P<domain>\w+)\s+)?(?:quality\s+)?standards?\s+"
    r"(?:(?:were|was|are|is|being|have\s+been|had\s+been)\s+)?(?:rated|judged|assessed)\s+(?:as\s+)?"
    rf"[‘'\"“]?(?P<rating>{_RATING_WORDS})\b", re.I)
_DOMAIN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@rule("rated_count",
      "'x out of y (domain n) standards were rated R' agrees with the ratings table: y is the number "
      "of rated standards (of that domain, or of the one domain with y rated standards), and x of "
      "them are rated R. When no domain or set of y standards fits, it is not compared.",
      "internal consistency")
def rated_count(ctx: Ctx, doc: dict) -> list[dict]:
    did = doc["document_id"]
    rated = [r for r in ctx.rows("standard_ratings", did) if r["rating"] in RATINGS_ORDER]
    if not rated:
        return []
    by_domain: dict[int, list[dict]] = {}
    for r in rated:
        by_domain.setdefault(r["domain"], []).append(r)
    out = []
    for f, _, m in _counts_followed_by(ctx, did, _STANDARDS_RATED_RE):
        sent = f["sentence"]
        y = int(f["denominator"])
        if m.group("domain"):
            rows = by_domain.get(_DOMAIN_WORDS.get(m.group("domain").lower()), [])
        else:
            fits = [rs for rs in by_domain.values() if len(rs) == y]
            rows = fits[0] if len(fits) == 1 else rated if len(rated) == y and not fits else []
        if len(rows) != y:
            continue        # the standards it counts are not the ones read: not compared
        rating = next(r for r in RATINGS_ORDER if r.lower() == m.group("rating").lower())
        have = [r for r in rows if r["rating"] == rating]
        if len(have) == f["number"]:
            continue
        first = min(rows, key=place_key)
        out.append(make_finding(
            did, "rated_count", "contradiction", "ratings", len(have), f["number"],
            f"the text says {f['figure_text']} standards were rated '{rating}'; the ratings table rates "
            f"{len(have)} of these {y} ({', '.join(r['standard_code'] for r in have) or 'none'})",
            f["page"], f["line"], evidence=sent[:300], other=(first["page"], first["line"])))
    return out


#: 'N <noun>, A of which were ... and B of which were ...' (digits)
_PARTS_OF_RE = re.compile(r"\b(?P<total>\d[\d,]*)\s+(?P<noun>(?:[a-z\-]+\s+){0,3}?[a-z\-]+),\s+(?P<parts>\d[\d,]*\s+"
                          r"(?:of\s+(?:which|whom|these|them)\s+)(?:were|are|was|is|had|have)\b[^.;]{0,120}?"
                          r"(?:,?\s+and\s+\d[\d,]*\s+(?:of\s+(?:which|whom|these|them)\s+)?(?:were|are|was|is|had|"
                          r"have)\b[^.;]{0,120}?)+)(?=[.;]|$)")
_PART_NUM_RE = re.compile(r"(?:^|\band\s+)(\d[\d,]*)\s+(?:of\s+(?:which|whom|these|them)\s+)?(?:were|are|was|is|had|have)\b")


@rule("total_vs_parts",
      "A total broken into parts in one sentence ('61 cases, 40 of which were CRC cases and 21 of which "
      "were NPS cases') adds up: parts adding up to more than the total are a contradiction; to less, "
      "possible (the parts named may not be all of them). Counts printed as digits.",
      "internal consistency")
def total_vs_parts(ctx: Ctx, doc: dict) -> list[dict]:
    did = doc["document_id"]
    text, starts, places = joined_text(ctx, did)
    out = []
    for m in _PARTS_OF_RE.finditer(text):
        total = int(m.group("total").replace(",", ""))
        parts = [int(n.replace(",", "")) for n in _PART_NUM_RE.findall(m.group("parts"))]
        if len(parts) < 2 or sum(parts) == total:
            continue
        page, line = place_of(starts, places, m.start("total"))
        severity = "contradiction" if sum(parts) > total else "possible"
        out.append(make_finding(
            did, "total_vs_parts", severity, "prose", total, sum(parts),
            f"{total} {m.group('noun')} are broken into {' + '.join(map(str, parts))} = {sum(parts)}"
            + ("" if severity == "contradiction" else " (possible: the parts named may not be all of them)"),
            page, line, evidence=" ".join(m.group(0).split())[:300],
            other=place_of(starts, places, m.start("parts"))))
    return out
