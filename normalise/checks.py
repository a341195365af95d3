"""Extraction checks: each document against what a report of its kind must contain, and against what
it says of itself.

The structure of each inspection type is reference data (``structure`` in
``reference/methodologies.json``): the key questions each standard's table has, the standards the
Annexe gives prompt tables for, and the sections a report carries. A report also says things of
itself: "our rating for assessment is based on three key questions", "we have made eight
recommendations", "we made six recommendations" at the last inspection. Each gap or surplus between
what was read and what was expected is a row of ``extraction_checks``; a document with any is
``partial``. The audit does not call a difference that rests on a flagged reading a contradiction.
"""
from __future__ import annotations

from collections import Counter

from .reference import RATINGS_ORDER, methodology, structure

#: subjects a check can flag besides a standard's code: the audit's rules read them
RATINGS, RECOMMENDATIONS, PREVIOUS, FACTS = "ratings", "recommendations", "previous recommendations", "key facts"


def _row(did: str, check: str, subject: str, expected, found, message: str, page=None, line=None,
         status: str = "confirmed") -> dict:
    return {"document_id": did, "check": check, "subject": subject,
            "expected": None if expected is None else str(expected), "found": None if found is None else str(found),
            "message": message, "page": page, "line": line, "rule_status": status}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def extraction_checks(ex, kind: str, rows: dict[str, list[dict]]) -> list[dict]:
    """Given an extraction, the methodology it was read under and its normalised rows, return the
    extraction checks that fail (none: the document is complete)."""
    did = rows["documents"][0]["document_id"]
    meth = methodology(kind)
    spec = structure(kind)
    status = spec.get("status", "unconfirmed")
    sections = spec.get("sections", {})
    out: list[dict] = []
    out += _ratings(did, meth, rows, ex, status)
    out += _key_questions(did, meth, spec, rows, ex, status)
    out += _prompts(did, spec, rows, status)
    out += _recommendations(did, sections, rows, ex, status)
    out += _previous(did, rows)
    if sections.get("key_facts") == "panel" and not any(f["source"] == "panel" for f in rows["key_facts"]):
        out.append(_row(did, "key_facts_panel", FACTS, "a Key facts panel", 0,
                        "reports of this kind print a Key facts panel; none was read", status=status))
    return out


def _ratings(did, meth, rows, ex, status) -> list[dict]:
    if not meth.get("rated"):
        return []
    rt = ex.ratings
    if rt is None or not rt.found:
        return [_row(did, "ratings_table", RATINGS, "a ratings table", 0,
                     "the methodology is rated, but no ratings table was read", status=status)]
    out = []
    stds = meth.get("standards", [])
    expected = [s["code"] for s in stds if not s.get("never_rated") and not s.get("may_be_not_rated")]
    read = {r["standard_code"] for r in rows["standard_ratings"] if r["in_ratings_table"]}
    missing = [c for c in expected if c not in read]
    if stds and missing:
        out.append(_row(did, "standards_rated", RATINGS, len(expected), len(expected) - len(missing),
                        f"the ratings table of a {meth.get('label', 'report')} rates {len(expected)} standards; "
                        f"no rating was read for {', '.join(missing)}", rt.rows[0]["page"] if rt.rows else None,
                        rt.rows[0]["line"] if rt.rows else None, status))
    known = {s["code"] for s in stds}
    surplus = sorted(c for c in read if c not in known) if stds else []
    if surplus:
        out.append(_row(did, "standards_unknown", RATINGS, len(known), len(known) + len(surplus),
                        f"the ratings table has standards its methodology does not: {', '.join(surplus)}",
                        status=status))
    scored = meth.get("score_max") is not None or meth.get("score_maxima")
    if scored and rt.score is None:
        out.append(_row(did, "score", RATINGS, "a score", None,
                        "reports of this kind print a score; none was read", status=status))
    return out


def _key_questions(did, meth, spec, rows, ex, status) -> list[dict]:
    out = []
    kqs = rows["key_questions"]
    by_code = Counter(k["standard_code"] for k in kqs)
    codes = {s["code"] for s in meth.get("standards", [])}
    first = {}
    for k in kqs:
        first.setdefault(k["standard_code"], k)
    rated = {r["standard_code"]: r for r in rows["standard_ratings"] if r["rating"] in RATINGS_ORDER}
    for code, expected in (spec.get("key_questions") or {}).items():
        if expected is None:
            continue
        found = by_code.get(code, 0)
        if found == expected or (found == 0 and code not in rated):
            continue
        where = first.get(code) or rated.get(code) or {}
        if found == 0:
            msg = f"standard {code} is rated but no key questions were read for it (its methodology has {expected})"
        else:
            msg = (f"standard {code} has {_plural(found, 'key question')}; its methodology has {expected}")
        out.append(_row(did, "key_questions_per_standard", code, expected, found, msg, where.get("page"),
                        where.get("line") or where.get("body_line"), status))
    unfiled = [k for k in kqs if codes and k["standard_code"] not in codes]
    if unfiled:
        c = Counter(k["standard_code"] for k in unfiled)
        out.append(_row(did, "key_questions_unfiled", "key questions", 0, len(unfiled),
                        f"{_plural(len(unfiled), 'key question')} filed under no standard of the methodology "
                        "(" + ", ".join(f"{k or 'none'}: {n}" for k, n in c.items()) + ")",
                        unfiled[0]["page"], unfiled[0]["line"], status))
    # what each table's introducing sentence says of itself ("based on three key questions")
    tables: dict[tuple, list[dict]] = {}
    for k, row in zip(ex.key_questions, kqs):
        tables.setdefault((k.get("table_page"), k.get("table_line")), []).append((k, row))
    for (page, line), items in tables.items():
        stated = items[0][0].get("stated_count")
        if stated is not None and stated != len(items):
            code = items[0][1]["standard_code"]
            out.append(_row(did, "key_questions_stated", code, stated, len(items),
                            f"the table for standard {code} says it is based on {stated} key questions; "
                            f"{len(items)} were read", page, line, "confirmed"))
    return out


def _prompts(did, spec, rows, status) -> list[dict]:
    with_tables = spec.get("prompt_tables") or []
    if not with_tables or not rows["prompts"]:
        return []       # a report without an Annexe's inspection data is not checked here
    have = Counter(p["standard_code"] for p in rows["prompts"])
    rated = {r["standard_code"] for r in rows["standard_ratings"] if r["rating"] in RATINGS_ORDER}
    return [_row(did, "prompts_per_standard", code, "at least 1", 0,
                 f"the Annexe gives prompt tables for other standards, but none was read for standard {code}",
                 status=status) for code in with_tables if code in rated and not have.get(code)]


def _recommendations(did, sections, rows, ex, status) -> list[dict]:
    recs = rows["recommendations"]
    stated = ex.stated_recommendations
    out = []
    if stated and stated["count"] != len(recs):
        out.append(_row(did, "recommendations_stated", RECOMMENDATIONS, stated["count"], len(recs),
                        f"the report says it makes {stated['count']} recommendations; {len(recs)} were read",
                        stated["page"], stated["line"]))
    elif not stated and not recs and sections.get("recommendations"):
        out.append(_row(did, "recommendations_section", RECOMMENDATIONS, "at least 1", 0,
                        "reports of this kind make recommendations; none was read", status=status))
    numbers = sorted(r["number"] for r in recs if r["number"] is not None)
    if numbers:
        gaps = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        if gaps or len(set(numbers)) != len(numbers):
            out.append(_row(did, "recommendations_numbering", RECOMMENDATIONS,
                            f"{numbers[0]} to {numbers[-1]}", ", ".join(map(str, numbers)),
                            "the recommendations read are not numbered consecutively"
                            + (f": {', '.join(map(str, gaps))} not read" if gaps else ": a number is read twice"),
                            recs[0]["page"], recs[0]["line"]))
    return out


def _previous(did, rows) -> list[dict]:
    items = rows["previous_recommendations"]
    summary = {s["category"]: s for s in rows["previous_recommendations_summary"]}
    out = []
    made = summary.get("recommendations made")
    if made and made["count"] is not None and made["count"] != len(items):
        out.append(_row(did, "previous_recommendations_stated", PREVIOUS, made["count"], len(items),
                        f"the report says the previous inspection made {made['count']} recommendations; "
                        f"{len(items)} were read", made["page"], made["line"]))
    without = [r for r in items if not r["progress"]]
    if without:
        out.append(_row(did, "previous_recommendations_verdicts", PREVIOUS, len(items), len(items) - len(without),
                        f"no progress verdict was read for previous recommendation"
                        f"{'s' if len(without) > 1 else ''} {', '.join(str(r['number']) for r in without)}",
                        without[0]["page"], without[0]["line"]))
    return out
