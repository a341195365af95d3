"""Prose against prose: two statements of the same figure, a summary count against the items it counts,
figures called alike.
"""
from __future__ import annotations

import re

from .common import (Ctx, DEFAULT_ROUNDING, SUBSET_RE, at_place, content_words, cut_clause,
                    figure_context, figure_spots, make_finding, percents_by_sentence, place_key,
                    sentence_window)
from .registry import rule


_CLAUSE_END_RE = re.compile(r"[;:.()]|,\s|\s(?:but|while|whereas|although)\s")


_PRE_CLAUSE_END_RE = re.compile(r"[;:.()]")


_NOT_THE_SAME_RE = re.compile(r"\b(?:previous|last|earlier|first|year|years|average|national|all crcs|target|"
                              r"compared|than|whereas|respectively|england and wales|since|between)\b|\bin (?:19|20)\d\d\b",
                              re.I)


#: a figure's object must have this many content words to be matched with another figure's
PROSE_MATCH_MIN_WORDS = 3


def _clauses(sentence: str, figure: str) -> tuple[frozenset[str], frozenset[str], str] | None:
    """(words of the clause before a figure, words of what the figure is of, that text): '... training;
    and 61 per cent have completed domestic abuse training' gives ({}, {complet, domestic, abuse, trai},
    'have completed domestic abuse training')."""
    # a clause is short: the 200 characters either side are enough, however long the sentence
    around = figure_context(sentence, figure, 200)
    if around is None:
        return None
    left, right = cut_clause(*around, _PRE_CLAUSE_END_RE, _CLAUSE_END_RE)
    return content_words(left), content_words(right.replace("per cent", " ")), " ".join(right.split())


@rule("prose_vs_prose",
      "Two sentences that state a percentage for the same thing (the same words for what it is of, "
      "no other group, time or comparison named) give the same figure.",
      "internal consistency")
def prose_vs_prose(ctx: Ctx, doc: dict) -> list[dict]:
    """Two sentences that give different percentages for the same thing ('61 per cent have completed
    domestic abuse training' and, later, '62 per cent domestic abuse training'). The same thing: the
    words of what each figure is of agree (one set inside the other, at most one word more, at least
    three words), and the clauses before them do not name different groups; sentences that compare,
    or speak of another time or population (previous inspection, average, than), are left out."""
    did = doc["document_id"]
    figs = sorted((f for f in ctx.rows("prose_figures", did) if f["kind"] == "percent" and f["number"] is not None),
                  key=place_key)
    cand = []
    other: dict[str, bool] = {}        # per sentence: does it speak of another time, group or comparison?
    for f in figs:
        sent = f["sentence"]
        c = _clauses(sent, f["figure_text"])
        if c is None or len(c[1]) < PROSE_MATCH_MIN_WORDS:
            continue
        if sent not in other:
            other[sent] = _NOT_THE_SAME_RE.search(sent) is not None
        if other[sent] or SUBSET_RE.search(sentence_window(sent, f["figure_text"], 3, 6)):
            continue
        cand.append((f, *c))
    # pairs whose objects are equal or one word apart, found through an index of the objects (not by
    # comparing every pair: a report states hundreds of percentages)
    by_obj: dict[frozenset, list[int]] = {}
    for k, c in enumerate(cand):
        by_obj.setdefault(c[2], []).append(k)
    pairs = set()
    for k, c in enumerate(cand):
        obj = c[2]
        for key in [obj, *(obj - {w} for w in obj)]:
            for j in by_obj.get(key, ()):
                if j != k:
                    pairs.add((min(j, k), max(j, k)))
    out, seen = [], set()
    for i, j in sorted(pairs):
        (a, pre_a, obj_a, text_a), (b, pre_b, obj_b, text_b) = cand[i], cand[j]
        if a["sentence"] == b["sentence"] or abs(a["number"] - b["number"]) <= DEFAULT_ROUNDING:
            continue
        small, big = sorted((obj_a, obj_b), key=len)
        if not small <= big or len(big - small) > 1:
            continue
        if not (pre_a <= pre_b or pre_b <= pre_a):
            continue      # 'in Prescot, 60 per cent ...' and 'in Wirral, 40 per cent ...'
        key = (a["number"], b["number"], small)
        if key in seen:
            continue
        seen.add(key)
        out.append(make_finding(did, "prose_vs_prose", "contradiction", "prose", a["number"], b["number"],
                            f"the text gives {b['figure_text']} for what it gave as {a['figure_text']} at "
                            f"{at_place(a['page'], a['line'])} "
                            f"('{text_a}' / '{text_b}')", b["page"], b["line"],
                            evidence=f"{a['sentence'][:200]} | {b['sentence'][:200]}"))
    return out


@rule("recommendation_progress",
      "The summary count of progress on previous recommendations matches the verdicts printed under"
      " each.",
      "internal consistency")
def recommendation_progress(ctx: Ctx, doc: dict) -> list[dict]:
    """The summary of progress on previous recommendations against the verdict printed under each
    (both extracted as rows: previous_recommendations_summary and previous_recommendations)."""
    did = doc["document_id"]
    verdicts = [r for r in ctx.rows("previous_recommendations", did) if r["progress"]]
    stated_rows = [r for r in ctx.rows("previous_recommendations_summary", did)
                   if r["category"] != "recommendations made"]
    if not verdicts or not stated_rows or any(r["count"] is None for r in stated_rows):
        return []
    stated_rows.sort(key=place_key)
    stated: dict[str, int] = {}
    for r in stated_rows:
        stated.setdefault(r["category"], r["count"])     # a category counted twice: the first statement
    found: dict[str, int] = {}
    for r in verdicts:
        found[r["progress"]] = found.get(r["progress"], 0) + 1
    order = {"no progress": 0, "some progress": 1, "sufficient progress": 2}
    cats = sorted(set(stated) | set(found), key=lambda c: (order.get(c, 3), c))
    if all(stated.get(c, 0) == found.get(c, 0) for c in cats):
        return []

    def counts(d: dict[str, int]) -> str:
        return ", ".join(f"{c.removesuffix(' progress')} {d.get(c, 0)}" for c in cats)
    first = stated_rows[0]
    where = ", ".join(at_place(r["progress_page"], r["progress_line"]) for r in sorted(verdicts, key=lambda r: r["number"]))
    return [make_finding(did, "recommendation_progress", "contradiction", "previous recommendations",
                     counts(found), counts(stated),
                     "the summary of progress on the previous inspection's recommendations disagrees with the "
                     f"verdicts printed under them ({where})", first["page"], first["line"],
                     evidence=first["sentence"][:300])]


#: two percentages of one sentence called alike: 'eight per cent ..., which was representative of the
#: caseload, reported to be 4.6 per cent' ('similar to the last inspection' is prose_vs_table's)
_ALIKE_RE = re.compile(r"\b(?:representative of|in line with|reflective of|in keeping with|on a par with|"
                       r"comparable (?:to|with)|consistent with|mirror(?:s|ed|ing)?|reflect(?:s|ed|ing)?|"
                       r"matche[sd]|the same as)\b", re.I)


_ALIKE_NEGATED_RE = re.compile(r"\b(?:not|never|less|no longer|(?:was|were|is|are)n[’']t)\s+(?:\w+\s+)?$", re.I)


#: words between the two figures that make them a comparison or a change, not a likeness ('which
#: reflects a fall from 60 per cent')
_NOT_ALIKE_RE = re.compile(r"\b(?:than|compared|whereas|while|but|although|rather|fall|fell|falls|decline[sd]?|"
                           r"drop(?:ped|s)?|increase[sd]?|rise|rose|risen|improve\w*|deteriorat\w*|change[sd]?)\b",
                           re.I)


#: figures called alike that differ by at least this many points and this share of the larger one
ALIKE_MIN_GAP = 2.0


ALIKE_MIN_SHARE = 0.25


#: the two figures are at most this many characters apart
ALIKE_REACH = 200


@rule("alike_figures",
      "Two percentages of a sentence called alike ('representative of', 'in line with', 'reflects')"
      " differ by less than 2 points or a quarter of the larger (information).",
      "internal consistency")
def alike_figures(ctx: Ctx, doc: dict) -> list[dict]:
    """Two percentages of one sentence that it calls alike ('representative of', 'in line with',
    'reflects', 'consistent with'), though they differ by at least 2 points and a quarter of the larger
    (information: the words are a judgement, the figures are the report's own)."""
    did = doc["document_id"]
    out = []
    for sent, fs in percents_by_sentence(ctx, did).items():
        spots = figure_spots(sent, fs)
        for (i, j, a), (k, _, b) in zip(spots, spots[1:]):
            between = sent[j:k]
            m = _ALIKE_RE.search(between)
            if m is None or k - j > ALIKE_REACH or _ALIKE_NEGATED_RE.search(between[:m.start()]) \
                    or _NOT_ALIKE_RE.search(between):
                continue
            gap = abs(a["number"] - b["number"])
            if gap < ALIKE_MIN_GAP or gap < ALIKE_MIN_SHARE * max(a["number"], b["number"]):
                continue
            out.append(make_finding(did, "alike_figures", "info", (a["section"] or "").split(" ")[0] or "prose",
                                b["number"], a["number"],
                                f"the text calls {a['figure_text']} '{m.group(0)}' {b['figure_text']}, though they "
                                f"differ by {gap:.3g} points", a["page"], a["line"], evidence=sent[:300]))
    return out
