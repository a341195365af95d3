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

RATINGS_ORDER = ["Inadequate", "Requires improvement", "Good", "Outstanding"]


@lru_cache(maxsize=1)
def reference() -> dict:
    with resources.files("normalise").joinpath("reference/methodologies.json").open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def metrics() -> dict:
    """The staffing vocabulary: workforce metric codes and the grades of staff prose names."""
    with resources.files("normalise").joinpath("reference/metrics.json").open(encoding="utf-8") as fh:
        return json.load(fh)


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


def kq_band(pct: float) -> str:
    """Given a key-question percentage, return the rating band of the standard it would drive."""
    for b in reference()["kq_bands"]["bands"]:
        if b["min"] <= pct <= b["max"] or (b["min"] <= pct < b["max"] + 1):
            return b["rating"]
    return RATINGS_ORDER[-1] if pct > 100 else RATINGS_ORDER[0]


def rating_score(rating: str) -> int | None:
    return reference()["ratings"]["score"].get(rating)


def overall_bands(score_max: int) -> dict | None:
    return reference()["overall_bands"].get(str(score_max))


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
