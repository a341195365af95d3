"""Rating arithmetic: each rating against the band of its numbers, the score against the ratings, the
overall rating against the score bands, and the ratings table against the body.
"""
from __future__ import annotations

import re

from ..normalise.reference import (RATINGS_ORDER, bands_text, kq_bands, max_rating_score, overall_bands,
                                   rating_score, reference)
from .common import (Ctx, EXPLANATION_RE, RATINGS, band_for, doc_lines, lowest_kq, make_finding,
                    order_key, standard_ranges, standards_of)
from .registry import part, rule


def _overall(score_max) -> list[tuple[str, int, int]]:
    return [(b["rating"], b["min"], b["max"]) for b in overall_bands(int(score_max))["bands"]]


@rule("standard_band",
      f"A case-assessed standard's rating is the band of its lowest key question ({bands_text(kq_bands())}); "
      "professional discretion (R2) or unpaid work moderation (R3) stated in the report explains a one-band "
      "difference.",
      "methodology.md R1-R3; seed000 l.3009-3043")
def standard_band(ctx: Ctx, doc: dict) -> list[dict]:
    """R1: a case-assessed standard's rating is the band of its lowest key question (R2/R3 may explain)."""
    did, fmt = doc["document_id"], doc["format"]
    out = []
    ref = standards_of(ctx, doc["kind"])
    # the case-assessed standards of the report's methodology that carry one of the four ratings
    stds = [dict(s, moderation=ref[s["standard_code"]]["moderation"]) for s in ctx.rows("standard_ratings", did)
            if s["standard_code"] in ref and ref[s["standard_code"]]["case_assessed"]
            and ref[s["standard_code"]]["never_rated"] is False and s["rating"] in RATINGS]
    ranges = standard_ranges(ctx, did, fmt)
    lines = None
    kq_rows = ctx.rows("key_questions", did)
    for s in stds:
        low = lowest_kq(kq_rows, s["standard_code"], "current_pct")
        if low is None:
            continue
        band = band_for(ctx, low["current_pct"])
        if band == s["rating"]:
            continue
        steps = RATINGS.index(s["rating"]) - RATINGS.index(band)
        # does the report explain it? look in the standard's own section
        if lines is None:
            lines = doc_lines(ctx, did)
        rng = ranges.get(s["standard_code"])
        expl = None
        if rng:
            for k, (page, line, text) in enumerate(lines):
                key = order_key(fmt, page, line)
                if rng[0] <= key < rng[1] and EXPLANATION_RE.search(text):
                    para = " ".join(t.strip() for _, _, t in lines[k:k + 6])
                    expl = (page, line, para[:600])
                    break
        pct = low["current_pct"]
        near = min(abs(pct - b) for b in (50, 65, 80)) <= 5 if pct < 50 or pct >= 50 else False
        lowtxt = f"lowest key question {pct:g}% ('{low['question']}')"
        # a standard whose code or place in the framework is not confirmed: the check says so
        status = ref[s["standard_code"]]["code_status"] or "confirmed"
        caveat = "" if status == "confirmed" else \
            f" (UNVERIFIED: the standards of {doc['kind']} are {status}, not confirmed by a published source)"
        if expl and abs(steps) == 1:
            kind = "unpaid_work_moderation" if s.get("moderation") == "unpaid_work" and "moderat" in expl[2].lower() \
                else "professional_discretion"
            note = "" if near or kind != "professional_discretion" else \
                " The lowest key question is not within five points of a boundary, as the discretion rule requires."
            out.append(make_finding(did, "standard_band", "explained", s["standard_code"], band, s["rating"],
                                f"{s['standard_code']} {s['standard_name']}: {lowtxt} falls in the '{band}' band, "
                                f"published '{s['rating']}'; the report explains the change.{note}{caveat}",
                                low["page"], low["line"], explained_by=kind, rule_status=status,
                                evidence=f"page {expl[0]}, line {expl[1]}: {expl[2]}" if expl[0] else
                                f"line {expl[1]}: {expl[2]}"))
            out.extend(_explanation_names(did, s, expl))
        else:
            out.append(make_finding(did, "standard_band", "contradiction" if status == "confirmed" else "unverified_rule",
                                s["standard_code"], band, s["rating"],
                                f"{s['standard_code']} {s['standard_name']}: {lowtxt} falls in the '{band}' band, "
                                f"but the standard is published as '{s['rating']}' and the report gives no reason"
                                f"{caveat}", s["page"] or low["page"], s["line"] or low["line"], rule_status=status))
    return out


@rule("previous_band",
      "The previous rating printed beside each standard is the band of the lowest previous "
      "key-question percentage printed (R1 on the previous figures; information only: the previous "
      "report may have explained a difference).",
      "methodology.md R1, applied to the previous figures")
def previous_band(ctx: Ctx, doc: dict) -> list[dict]:
    """R1 applied to the previous inspection's figures as this report prints them: the previous rating
    against the band of the lowest previous key question. Information only: the previous report may
    have explained a difference (discretion, moderation) that this one does not repeat."""
    did = doc["document_id"]
    out = []
    ref = standards_of(ctx, doc["kind"])
    kq_rows = ctx.rows("key_questions", did)
    for s in ctx.rows("standard_ratings", did):
        code = s["standard_code"]
        if code not in ref or not ref[code]["case_assessed"] or s["previous_rating"] not in RATINGS:
            continue
        low = lowest_kq(kq_rows, code, "previous_pct")
        if low is None:
            continue
        band = band_for(ctx, low["previous_pct"])
        if band == s["previous_rating"]:
            continue
        out.append(make_finding(did, "previous_band", "info", code, band, s["previous_rating"],
                            f"{code} {s['standard_name']}: the previous inspection's lowest key question as printed "
                            f"here, {low['previous_pct']:g}% ('{low['question']}'), falls in the '{band}' band, but "
                            f"the previous rating printed beside it is '{s['previous_rating']}'; this report does not "
                            "say why (the previous report may have explained it)", low["page"], low["line"]))
    return out


def _explanation_names(did: str, s: dict, expl: tuple) -> list[dict]:
    """An explanation that names a different standard ('increase the rating for assessment' under 2.3)."""
    m = re.search(r"rating for (\w+(?: and \w+)?)", expl[2])
    if not m:
        return []
    named = m.group(1).lower()
    own = s["standard_name"].lower()
    if named in own or own.startswith(named.split()[0]):
        return []
    return [make_finding(did, "explanation_subject", "minor", s["standard_code"], s["standard_name"], m.group(1),
                     f"{s['standard_code']} {s['standard_name']}: the sentence explaining its rating speaks of "
                     f"'the rating for {m.group(1)}'", expl[0], expl[1], evidence=expl[2])]


@rule("score_sum",
      "The stated score is the sum of the scores of the rated standards that count towards it ("
      + ", ".join(f"{r} {rating_score(r)}" for r in RATINGS_ORDER) + f"); the maximum is {max_rating_score()} "
      "per such standard ('Not rated' and standards rated separately excluded).",
      "methodology.md R4, R5; seed000 l.3044-3066; seed002 l.71")
def score_sum(ctx: Ctx, doc: dict) -> list[dict]:
    """R4/R5: the stated score is the sum of rated standards' scores; the maximum is 3 per rated standard."""
    if doc["score"] is None:
        return []
    did = doc["document_id"]
    scores = {r["rating"]: r["score"] for r in ctx.ref("ref_rating_scores")}
    ref = standards_of(ctx, doc["kind"])
    rated = [dict(s, score=scores[s["rating"]]) for s in ctx.rows("standard_ratings", did)
             if scores.get(s["rating"]) is not None
             and (s["standard_code"] not in ref or ref[s["standard_code"]]["in_score"] is not False)]
    if not rated:
        return []
    top = max(scores.values())
    total = sum(r["score"] for r in rated)
    out = []
    parts = " + ".join(f"{r['standard_code']} {r['rating']}={r['score']}" for r in rated)
    if total != doc["score"]:
        out.append(make_finding(did, "score_sum", "contradiction", "overall", total, doc["score"],
                            f"stated score {doc['score']}/{doc['score_max']} but the standards sum to {total} ({parts})",
                            doc["score_page"], doc["score_line"]))
    if doc["score_max"] is not None and top * len(rated) != doc["score_max"]:
        out.append(make_finding(did, "score_max", "contradiction", "overall", top * len(rated), doc["score_max"],
                            f"stated maximum {doc['score_max']} but {len(rated)} standards are rated "
                            f"({top} points each; 'Not rated' standards are excluded)",
                            doc["score_page"], doc["score_line"]))
    return out


@rule("overall_band",
      "The overall rating is the band of the score for the score maximum ("
      + "; ".join(f"{mx}: {', '.join(f'{b[1]}-{b[2]}' for b in sorted(_overall(mx), key=lambda b: b[1]))} "
                  f"({overall_bands(mx)['status']})" for mx in sorted(reference()["overall_bands"], key=int))
      + "); a band not confirmed gives 'unverified_rule'.",
      "methodology.md 3.3")
def overall_band(ctx: Ctx, doc: dict) -> list[dict]:
    """The overall rating is the band of the score for the report's score maximum."""
    if doc["score"] is None or doc["overall_rating"] is None or doc["score_max"] is None:
        return []
    did = doc["document_id"]
    b = [r for r in ctx.ref("ref_overall_bands")
         if r["score_max"] == doc["score_max"] and r["min_score"] <= doc["score"] <= r["max_score"]]
    if not b:
        return [make_finding(did, "overall_band", "unverified_rule", "overall", None, doc["overall_rating"],
                         f"no score bands are known for a maximum of {doc['score_max']}: the overall rating "
                         f"cannot be checked", doc["overall_page"], doc["overall_line"], rule_status="unknown")]
    band = b[0]
    if band["rating"] == doc["overall_rating"]:
        return []
    confirmed = band["status"] == "confirmed"
    return [make_finding(did, "overall_band", "contradiction" if confirmed else "unverified_rule", "overall",
                     band["rating"], doc["overall_rating"],
                     f"score {doc['score']}/{doc['score_max']} falls in the '{band['rating']}' band "
                     f"({'' if confirmed else 'UNVERIFIED band: '}{band['source']}), but the overall rating is "
                     f"'{doc['overall_rating']}'", doc["overall_page"], doc["overall_line"],
                     rule_status=band["status"])]


@rule("table_vs_body",
      "The ratings table agrees with the rating printed beside each standard's heading.",
      "internal consistency")
def table_vs_body(ctx: Ctx, doc: dict) -> list[dict]:
    """The ratings table and the rating printed beside the standard's heading agree."""
    did = doc["document_id"]
    out = []
    for s in ctx.rows("standard_ratings", did):
        if s["in_ratings_table"] and s["body_rating"] is not None and s["body_rating"] != s["rating"]:
            out.append(make_finding(did, "table_vs_body", "contradiction", s["standard_code"], s["rating"],
                                s["body_rating"],
                                f"{s['standard_code']} {s['standard_name']}: the ratings table says '{s['rating']}' "
                                f"(page {s['page']}, line {s['line']}) but the body says '{s['body_rating']}'",
                                s["body_page"], s["body_line"]))
    return out


@rule("pdu_leadership",
      "PDU 2021-23: three or more Inadequate case-supervision standards make leadership Inadequate "
      "(UNCONFIRMED rule).",
      "methodology.md R6; seed002 l.140")
def pdu_leadership(ctx: Ctx, doc: dict) -> list[dict]:
    """R6 (unconfirmed): in PDU framework 1, three or more Inadequate case-supervision standards make leadership Inadequate."""
    rule = [r for r in ctx.ref("ref_rules") if r["name"] == "pdu_leadership"]
    if not rule or doc["kind"] not in (rule[0]["applies_to"] or ""):
        return []
    did = doc["document_id"]
    stds = ctx.rows("standard_ratings", did)
    d2 = [r for r in stds if r["domain"] == 2 and r["rating"] is not None and r["rating"] != "Not rated"]
    lead = [r for r in stds if r["standard_code"] == "1.1"]
    if not lead or not d2:
        return []
    n_inad = sum(1 for r in d2 if r["rating"] == "Inadequate")
    if n_inad >= 3 and lead[0]["rating"] != "Inadequate":
        return [make_finding(did, "pdu_leadership", "unverified_rule", "1.1", "Inadequate", lead[0]["rating"],
                         f"{n_inad} case-supervision standards are Inadequate; under the PDU leadership decision rule "
                         f"(UNCONFIRMED: its text is not in the sources) leadership would be Inadequate",
                         lead[0]["page"], lead[0]["line"], rule_status=rule[0]["status"])]
    return []


part("score_max", "score_sum", f"The stated maximum is {max_rating_score()} points per rated standard.",
     "methodology.md R5")
part("explanation_subject", "standard_band", "The sentence that explains a changed rating names the standard it "
     "sits under.", "internal consistency")
