"""The inspectorate's reference data (standards, bands, rules, from methodologies.json; grades of staff, from
metrics.json).

Code and SQL both read this data: ``store`` writes it into reference tables so
that the audit's SQL and researchers see the same rules the code uses.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources



@lru_cache(maxsize=1)
def reference() -> dict:
    with resources.files(__package__).joinpath("reference/methodologies.json").open(encoding="utf-8") as fh:
        return json.load(fh)


#: the four ratings, lowest first (ordered by the score each carries)
RATINGS_ORDER = [r for r, _ in sorted(reference()["ratings"]["score"].items(), key=lambda kv: kv[1])]


@lru_cache(maxsize=1)
def metrics() -> dict:
    """The staffing vocabulary: workforce metric codes and the grades of staff prose names."""
    with resources.files(__package__).joinpath("reference/metrics.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def structure(kind: str) -> dict:
    """What a report of a methodology contains (key questions per standard, prompt tables, sections)."""
    return reference().get("structure", {}).get(kind, {})


def methodology(kind: str) -> dict:
    return reference()["methodologies"].get(kind, {"label": kind, "rated": False, "standards": []})


def _key(name: str) -> str:
    return re.sub(r"[^a-z]+", " ", name.lower()).strip()


def find_standard(kind: str, name: str | None, printed_code: str | None = None,
                  domain: int | None = None) -> dict | None:
    """Given a methodology and a printed standard name (and code/domain if printed), return its standard."""
    stds = methodology(kind).get("standards", [])
    if name:
        k = _key(name)
        hits = [s for s in stds if _key(s["name"]) == k or k in {_key(a) for a in s.get("aliases", [])}]
        if len(hits) > 1 and domain is not None:
            hits = [s for s in hits if s["domain"] == domain] or hits
        if len(hits) > 1 and printed_code:
            hits = [s for s in hits if s["code"] == printed_code] or hits
        if hits:
            return hits[0]
    if printed_code:
        for s in stds:
            if s["code"] == printed_code:
                return s
    return None


def choose_methodology(kind: str, printed: list[tuple[str | None, str | None]], score_max: int | None = None,
                       month: str | None = None) -> tuple[str, str | None]:
    """Given the methodology the report was classified as, the (code, name) pairs of the standards it
    prints, its score maximum and when it was inspected ('YYYY-MM'), return the member of that
    methodology's family the report follows (PDU framework 1 or 2) and why (None when there is no choice).

    The printed standards decide first: a pair counts for a framework when the name is one of its
    standards under that code, against it when the name is its standard under another code ('2.1
    Assessment' is framework 2's numbering; framework 1 numbers assessment 2.2). A tie is broken by
    the score maximum, then by the inspection date."""
    family = methodology(kind).get("family")
    if not family:
        return kind, None
    members = [k for k, m in reference()["methodologies"].items() if m.get("family") == family]
    fit = {}
    for k in members:
        n = 0
        for code, name in printed:
            s = find_standard(k, name) if name else None
            if s is not None and code:
                n += 1 if s["code"] == code else -1
        fit[k] = n
    best = max(fit.values())
    top = [k for k in members if fit[k] == best]
    if len(top) == 1:
        others = ", ".join(f"{fit[k]:+d} for {k}" for k in members if k != top[0])
        return top[0], f"the standards it numbers fit {top[0]} ({best:+d}; {others})"
    if score_max is not None:
        by_max = [k for k in top if score_max in methodology(k).get("score_maxima", [])]
        if len(by_max) == 1:
            return by_max[0], f"a score out of {score_max}, as in {by_max[0]}"
    if month:
        by_date = [k for k in top if methodology(k).get("period")
                   and methodology(k)["period"][0] <= month <= methodology(k)["period"][1]]
        if len(by_date) == 1:
            return by_date[0], f"inspected in {month}, in the period of {by_date[0]}"
    return kind, f"nothing tells the frameworks of {family} apart: kept {kind}"


def band_of(value: float, bands: list[tuple[str, float, float]]) -> str | None:
    """Given a value and bands (rating, first, last) in whole numbers, return the band it falls in: a
    value between two bands' whole numbers (64.5) belongs to the lower one. Beyond the last band, the
    top band; below the first, the bottom band; no bands, None."""
    if not bands:
        return None
    ordered = sorted(bands, key=lambda b: b[1])
    for rating, lo, hi in ordered:
        if lo <= value < hi + 1:
            return rating
    return ordered[-1][0] if value >= ordered[-1][1] else ordered[0][0]


def kq_bands() -> list[tuple[str, int, int]]:
    """The key-question bands (R1) as (rating, first percentage, last percentage)."""
    return [(b["rating"], b["min"], b["max"]) for b in reference()["kq_bands"]["bands"]]


def kq_band(pct: float) -> str:
    """Given a key-question percentage, return the rating band of the standard it would drive."""
    return band_of(pct, kq_bands())


def bands_text(bands: list[tuple[str, int, int]]) -> str:
    """'<50 Inadequate, 50-64 Requires improvement, ...': bands as the rule descriptions print them."""
    ordered = sorted(bands, key=lambda b: b[1])
    parts = []
    for k, (rating, lo, hi) in enumerate(ordered):
        if k == 0 and lo == 0:
            parts.append(f"<{hi + 1} {rating}")
        elif k == len(ordered) - 1 and hi >= 100:
            parts.append(f"{lo}+ {rating}")
        else:
            parts.append(f"{lo}-{hi} {rating}")
    return ", ".join(parts)


def rating_score(rating: str) -> int | None:
    """The points a rating adds to a report's score (None for 'Not rated')."""
    return reference()["ratings"]["score"].get(rating)


def max_rating_score() -> int:
    """The points of the highest rating: a report's score maximum is this per standard in its score."""
    return max(reference()["ratings"]["score"].values())


def overall_bands(score_max: int) -> dict | None:
    return reference()["overall_bands"].get(str(score_max))


def kinds_with_score_max(score_max: int) -> set[str]:
    """The methodologies whose reports print a score out of score_max."""
    return {k for k, m in reference()["methodologies"].items()
            if score_max == m.get("score_max") or score_max in m.get("score_maxima", [])}


def in_score(kind: str, code: str) -> bool:
    """Whether a standard's rating counts towards its report's score (the resettlement standard of
    youth inspections is rated separately)."""
    s = next((s for s in methodology(kind).get("standards", []) if s["code"] == code), None)
    return True if s is None else s.get("in_score", True)


def league_column(standard: dict) -> str:
    """The league table's column for a standard: the same for the same thing in every framework
    ('planning' is CRC 2.2 and PDU 2.3), never a bare code. Its "league_column" where the reference
    gives one (youth out-of-court work, leadership named 'Governance and leadership'), else its name
    in lower case with underscores."""
    return standard.get("league_column") or re.sub(r"[^a-z0-9]+", "_", standard["name"].lower()).strip("_")


def league_columns() -> list[str]:
    """Every league table column, in framework order (first seen first)."""
    out: list[str] = []
    for m in reference()["methodologies"].values():
        for s in m.get("standards", []):
            c = league_column(s)
            if c not in out:
                out.append(c)
    return out


def reference_rows() -> dict[str, list[dict]]:
    """Return the reference data as rows for the database's ref_* tables."""
    ref = reference()
    out = {"ref_standards": [], "ref_kq_bands": [], "ref_overall_bands": [], "ref_rating_scores": [], "ref_rules": [],
           "ref_grades": []}
    for mid, m in ref["methodologies"].items():
        for s in m.get("standards", []):
            out["ref_standards"].append({
                "methodology": mid, "code": s["code"], "domain": s["domain"], "name": s["name"],
                "case_assessed": s.get("case_assessed", False), "never_rated": s.get("never_rated", False),
                "may_be_not_rated": s.get("may_be_not_rated", False), "moderation": s.get("moderation"),
                "in_score": s.get("in_score", True), "league_column": league_column(s),
                "code_status": s.get("code_status", "confirmed")})
    for b in ref["kq_bands"]["bands"]:
        out["ref_kq_bands"].append({"rating": b["rating"], "min_pct": b["min"], "max_pct": b["max"],
                                    "status": ref["kq_bands"]["status"], "source": ref["kq_bands"]["source"]})
    for mx, spec in ref["overall_bands"].items():
        for b in spec["bands"]:
            out["ref_overall_bands"].append({"score_max": int(mx), "rating": b["rating"], "min_score": b["min"],
                                             "max_score": b["max"], "status": spec["status"], "source": spec["source"]})
    for r, v in ref["ratings"]["score"].items():
        out["ref_rating_scores"].append({"rating": r, "score": v})
    for r in ref["decision_rules"]:
        out["ref_rules"].append({"rule_id": r["id"], "name": r["name"], "status": r["status"], "text": r["text"],
                                 "source": r["source"], "applies_to": ",".join(r.get("applies_to", []))})
    for k, g in enumerate(metrics()["grades"], start=1):
        out["ref_grades"].append({"methodology": g["methodology"], "position": k, "words": g["words"],
                                  "metric_code": g["metric"]})
    return out
