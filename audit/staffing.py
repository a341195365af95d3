"""Staffing: counts and shares of staff stated in prose against each other and the key staffing table
and facts.
"""
from __future__ import annotations

import re

from .common import (Ctx, DEFAULT_ROUNDING, at_place, figure_spots, fmt_value, joined_text,
                    make_finding, percents_by_sentence, place_key, place_of, sentence_window)
from .registry import rule


_SURVEY_RE = re.compile(r"\bsurvey(?:s|ed)?\b|\brespondents?\b|\bresponding\b|\bresponses\b", re.I)


_STAFF_RE = re.compile(r"\b(?:staff|practitioners?|managers?|employees|workforce)\b", re.I)


@rule("survey_totals",
      "Counts out of a survey's respondents ('11 out of 14 staff surveyed') are out of one total: "
      "none out of more than the total at least two others share (information).",
      "internal consistency")
def survey_totals(ctx: Ctx, doc: dict) -> list[dict]:
    """Counts out of a survey's respondents ('11 out of 14 staff surveyed') give one total: a count
    out of more respondents than at least two others agree on cannot be a subset of them
    (information: one of the totals is misprinted, or the questions had different numbers of answers)."""
    did = doc["document_id"]
    groups: dict[str, list[dict]] = {}
    for f in sorted(ctx.rows("prose_figures", did), key=place_key):
        if f["kind"] not in ("out_of", "of_the") or not f["denominator"]:
            continue
        near = sentence_window(f["sentence"], f["figure_text"], 8, 8)
        if not _SURVEY_RE.search(near):
            continue
        groups.setdefault("staff" if _STAFF_RE.search(near) else "other", []).append(f)
    out = []
    for who, fs in groups.items():
        totals: dict[float, list[dict]] = {}
        for f in fs:
            totals.setdefault(f["denominator"], []).append(f)
        ranked = sorted(totals.items(), key=lambda kv: -len(kv[1]))
        common, agree = ranked[0]
        if len(agree) < 2 or (len(ranked) > 1 and len(ranked[1][1]) == len(agree)):
            continue          # no total that more figures share than any other
        where = ", ".join(sorted({at_place(f["page"], f["line"]) for f in agree}))
        for total, odd in sorted(totals.items()):
            if total <= common:
                continue
            for f in odd:
                out.append(make_finding(did, "survey_totals", "info", "prose", common, f["denominator"],
                                    f"'{f['figure_text']}' counts out of {f['denominator']:g} respondents to the "
                                    f"{'staff ' if who == 'staff' else ''}survey, while {len(agree)} other figures "
                                    f"of it are out of {common:g} ({where})",
                                    f["page"], f["line"], evidence=f["sentence"][:300]))
    return out


#: a grade of staff named right after a figure ('3.4 FTE (full-time equivalent) SPO's', 'three SPOs')
_ROLE_RE = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?P<role>(?:senior )?case managers?|(?:senior )?probation (?:services )?"
                      r"officers?|SPO|PSO|PO)(?:['’]?s)?\b", re.I)


_IN_POST_RE = re.compile(r"\bin post\b", re.I)


def _role_after(sentence: str, figure: str) -> str | None:
    """The grade of staff a figure counts, named right after it, singular and lower-case."""
    i = sentence.find(figure)
    if i < 0:
        return None
    rest = sentence[i + len(figure):]
    m = _ROLE_RE.match(re.sub(r"^\s*FTE\b", "", rest, flags=re.I))
    return re.sub(r"s$", "", m.group("role").lower()) if m else None


@rule("fte_vs_headcount",
      "Full-time equivalents of a grade in post ('3.4 FTE SPOs') are no more than the people of "
      "that grade stated to be in post ('three out of five SPOs') (information).",
      "internal consistency")
def fte_vs_headcount(ctx: Ctx, doc: dict) -> list[dict]:
    """Full-time equivalents of a grade in post against the number of people of that grade in post:
    '3.4 FTE SPOs in post' cannot be made by 'three out of five SPOs were in post' (information: the
    two may be counted at different dates, or count staff in transition differently)."""
    did = doc["document_id"]
    ftes, heads = [], []
    for f in sorted(ctx.rows("prose_figures", did), key=place_key):
        if f["number"] is None or not _IN_POST_RE.search(f["sentence"] or ""):
            continue
        if f["kind"] not in ("fte", "out_of", "of_the"):
            continue
        # '3.4 FTE SPOs', 'three out of five SPOs': the role follows the whole figure
        role = _role_after(f["sentence"], f["figure_text"])
        if role:
            (ftes if f["kind"] == "fte" else heads).append((role, f))
    out = []
    for role, f in ftes:
        for role2, h in heads:
            if role2 == role and h["number"] < f["number"]:
                out.append(make_finding(did, "fte_vs_headcount", "info", "workforce", f"at most {h['number']:g}",
                                    f["number"],
                                    f"{f['figure_text']} {role.upper() if len(role) <= 3 else role}s in post, but the "
                                    f"text gives {h['figure_text']} as the number in post at {at_place(h['page'], h['line'])}: "
                                    f"{h['number']:g} people cannot make {f['number']:g} full-time posts",
                                    f["page"], f["line"], evidence=f"{f['sentence'][:200]} | {h['sentence'][:200]}"))
                break
    return out


_INCLUDING_RE = re.compile(r"\bincluding\b", re.I)


def _grades(ctx: Ctx, kind: str) -> list[tuple[re.Pattern, str]]:
    """The words that name a grade of staff right after 'of', with the FTE metric that counts it
    (ref_grades): the methodology's own first, then the general ones."""
    key = ("grades", kind)
    if key not in ctx.cache:
        rows = sorted((g for g in ctx.ref("ref_grades") if g["methodology"] in (kind, "*")),
                      key=lambda g: (g["methodology"] == "*", g["position"]))
        ctx.cache[key] = [(re.compile(r"^\s*of (?:" + g["words"] + r")\b", re.I), g["metric_code"]) for g in rows]
    return ctx.cache[key]


def _grade_after(grades: list[tuple[re.Pattern, str]], text: str) -> str | None:
    for rx, code in grades:
        if rx.match(text):
            return code
    return None


@rule("part_exceeds_whole",
      "'X per cent of staff, including Y per cent of <grade>': Y per cent of the grade is no more "
      "people than X per cent of staff, each sized by the key staffing table's FTE (grades named as"
      " in ref_grades; information).",
      "internal consistency")
def part_exceeds_whole(ctx: Ctx, doc: dict) -> list[dict]:
    """'Nine per cent of staff ..., including 29 per cent of case managers': the part cannot be more
    people than the whole. Each group is sized by the key staffing table's FTE for its grade
    (ref_grades names the grades); the figures are given half a point of rounding each way
    (information: the two percentages may count heads, not FTE)."""
    did = doc["document_id"]
    sizes = {r["metric_code"]: r for r in ctx.rows("workforce", did) if r["source"] == "table" and
             r["period"] == "current_year" and r["value"] and r["metric_code"]}
    if len(sizes) < 2:
        return []
    grades = _grades(ctx, doc["kind"])
    out = []
    for sent, fs in percents_by_sentence(ctx, did).items():
        spots = figure_spots(sent, fs)
        if len(spots) < 2:
            continue
        _, end, whole = spots[0]
        whole_code = _grade_after(grades, sent[end:])
        including = _INCLUDING_RE.search(sent, end)
        if whole_code not in sizes or including is None:
            continue
        whole_n = (whole["number"] + DEFAULT_ROUNDING) / 100 * sizes[whole_code]["value"]
        for i, j, part in spots[1:]:
            code = _grade_after(grades, sent[j:])
            if i < including.start() or code in (None, whole_code) or code not in sizes:
                continue
            part_n = (part["number"] - DEFAULT_ROUNDING) / 100 * sizes[code]["value"]
            if part_n <= whole_n:
                continue
            p, w = sizes[code], sizes[whole_code]
            out.append(make_finding(
                did, "part_exceeds_whole", "info", "workforce", f"at most {whole_n:.1f}", f"{part_n:.1f}",
                f"{part['figure_text']} of the {p['value']:g} FTE counted as '{p['metric']}' ({at_place(p['page'], p['line'])}) "
                f"is about {part_n:.1f}, more than the {whole['figure_text']} of {w['value']:g} FTE "
                f"('{w['metric']}', {at_place(w['page'], w['line'])}) it is part of, about {whole_n:.1f}",
                part["page"], part["line"], evidence=sent[:300]))
    return out


#: a count of people supervised, stated in prose: '5,094 individuals are being supervised in the
#: community by the CRC on community sentences or licences'
_SUPERVISED_RE = re.compile(r"(?<![\d,.£])(?P<n>\d{1,3}(?:,\d{3})+|\d{3,})\s+(?:individuals|people|service users|"
                            r"offenders|adults)\b(?P<rest>[^.;]{0,160})", re.I)


#: the body inspected, as a sentence names it ('by the CRC')
_OWN_ORG_RE = re.compile(r"\b(?:CRC|NPS|PDU|Community Rehabilitation Company|National Probation Service)\b")


#: the kinds of supervision a Key facts count or a sentence names
_SUPERVISION_KINDS = {"community sentences": re.compile(r"community (?:sentence|order)", re.I),
                      "post-release": re.compile(r"post-release|licen[cs]e", re.I),
                      "pre-release": re.compile(r"pre-release|in custody|in prison", re.I)}


def _supervision_kinds(text: str) -> set[str]:
    return {k for k, rx in _SUPERVISION_KINDS.items() if rx.search(text)}


@rule("caseload_vs_facts",
      "A count of people supervised stated in prose ('5,094 individuals are being supervised ... on"
      " community sentences or licences') equals the Key facts panel's count for the kinds of "
      "supervision it names, summed (information: the two may be of different dates).",
      "internal consistency")
def caseload_vs_facts(ctx: Ctx, doc: dict) -> list[dict]:
    """A count of people supervised by the body inspected ('by the CRC'), stated in prose, against the
    Key facts panel's counts of people supervised: the sum of the panel's counts for the kinds of
    supervision the sentence names (community sentences, licences), or, where it names none, one of
    the counts or their sum."""
    did = doc["document_id"]
    facts = []
    for f in ctx.rows("key_facts", did):
        if f["unit"] == "count" and f["number"] is not None and re.search(r"\bsupervis", f["description"] or "", re.I):
            kinds = _supervision_kinds(f["description"])
            if len(kinds) == 1:
                facts.append((kinds.pop(), f))
    if not facts:
        return []
    fact_lines = {(f["page"], f["line"]) for _, f in facts}
    text, starts, places = joined_text(ctx, did)
    out = []
    for m in _SUPERVISED_RE.finditer(text):
        # what the count is of: its sentence, from the figure before it to the figure after it ('...,
        # with a further 1,141 on pre-release supervision')
        before = text[max(0, m.start() - 200):m.start()]
        before = re.split(r"[.;!?]\s|\d", before)[-1]
        rest = before + " " + re.split(r"\d", m.group("rest"), maxsplit=1)[0]
        if not re.search(r"\bsupervis", rest, re.I) or not _OWN_ORG_RE.search(rest):
            continue            # not a count of people supervised by the body inspected ('by probation services')
        page, line = place_of(starts, places, m.start())
        if (page, line) in fact_lines:
            continue            # the panel itself, read as text
        stated = float(m.group("n").replace(",", ""))
        named = _supervision_kinds(rest)
        if named:
            parts = [(k, f) for k, f in facts if k in named]
            if {k for k, _ in parts} != named:
                continue        # a kind of supervision the panel does not count: nothing to compare
            candidates = [sum(f["number"] for _, f in parts)]
        else:
            parts = facts
            candidates = [f["number"] for _, f in facts] + [sum(f["number"] for _, f in facts)]
        if stated in candidates:
            continue
        expected = candidates[-1]
        sums = " + ".join(f"{fmt_value(f['number'])} ({k}, {at_place(f['page'], f['line'])})" for k, f in parts)
        out.append(make_finding(did, "caseload_vs_facts", "info", "key facts", expected, stated,
                            f"the text gives {m.group('n')} people supervised"
                            f"{' (' + ', '.join(sorted(named)) + ')' if named else ''}; "
                            f"the Key facts panel gives {sums}"
                            + (f" = {fmt_value(expected)}" if len(parts) > 1 else "")
                            + " (the two may be counted at different dates; the report does not reconcile them)",
                            page, line, evidence=(before + m.group(0)).strip()[:300]))
    return out
