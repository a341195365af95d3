"""``inspections evaluate GOLD_DIR``: accuracy of the database against hand-checked gold files.

For every gold file, the documents it describes (its text file, its PDF and its
web-page renderings) are compared table by table. A row is *matched* when its key is
found and every compared field is equal; *missing* when the gold row has no
counterpart; *extra* when the database has a row the gold does not (an
invented row). Line numbers are compared for the text rendering only (the gold
convention); PDFs and web pages are compared on values.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb


def _norm_q(q: str | None) -> str:
    return re.sub(r"\s+", " ", (q or "").replace("’", "'").replace("‘", "'")).strip().lower()


def _num(v):
    if v is None:
        return None
    f = float(v)
    return int(f) if f.is_integer() else round(f, 3)


def _docs_for(gold: dict, doc_ids: list[str]) -> list[str]:
    src = gold["source_file"]
    stem = Path(src).stem
    names = {Path(n).name for n in (src, *gold.get("pdf_renderings", []), *gold.get("html_renderings", []))}
    out = []
    for did in doc_ids:
        name = Path(did).name
        if name in names or (Path(name).stem.startswith(stem + "-") and name.endswith(".pdf")):
            out.append(did)
    return out


def _compare(expected: dict, found: dict, fields: list[str]) -> dict:
    rep = {"expected": len(expected), "found": len(found), "matched": 0, "missing": [], "extra": [],
           "mismatched": []}
    for k, e in expected.items():
        f = found.get(k)
        if f is None:
            rep["missing"].append(str(k))
            continue
        diffs = [(fld, e.get(fld), f.get(fld)) for fld in fields if fld in e and e.get(fld) != f.get(fld)]
        if diffs:
            rep["mismatched"].append({"key": str(k), "diffs": [f"{a}: expected {b!r}, found {c!r}" for a, b, c in diffs]})
        else:
            rep["matched"] += 1
    rep["extra"] = [str(k) for k in found if k not in expected]
    return rep


def evaluate(gold_dir: str, db: str) -> dict:
    con = duckdb.connect(db, read_only=True)
    try:
        doc_ids = [r[0] for r in con.execute("SELECT document_id FROM documents ORDER BY 1").fetchall()]
        report = {"documents": []}
        for gf in sorted(Path(gold_dir).glob("*.json")):
            gold = json.loads(gf.read_text(encoding="utf-8"))
            for did in _docs_for(gold, doc_ids):
                report["documents"].append(_evaluate_doc(con, gold, did))
    finally:
        con.close()
    totals: dict[str, dict] = {}
    for d in report["documents"]:
        for t, r in d["tables"].items():
            tot = totals.setdefault(t, {"expected": 0, "found": 0, "matched": 0, "missing": 0, "extra": 0})
            tot["expected"] += r["expected"]
            tot["found"] += r["found"]
            tot["matched"] += r["matched"]
            tot["missing"] += len(r["missing"])
            tot["extra"] += len(r["extra"])
    for t in totals.values():
        t["accuracy"] = round(t["matched"] / t["expected"], 4) if t["expected"] else (1.0 if t["found"] == 0 else 0.0)
    report["totals"] = totals
    return report


def _evaluate_doc(con, gold: dict, did: str) -> dict:
    # line numbers are the text file's: compared for that rendering only (PDFs and web pages on values)
    is_text = Path(did).name == Path(gold["source_file"]).name
    d = con.execute("SELECT kind, status, provider_name, provider_type, published_year, published_month, "
                    "overall_rating, score, score_max FROM documents WHERE document_id = ?", [did]).fetchone()
    cols = ["kind", "status", "provider_name", "provider_type", "published_year", "published_month",
            "overall_rating", "score", "score_max"]
    found_doc = dict(zip(cols, d))
    pub = gold.get("publication") or {}
    exp_doc = {"kind": gold["document_kind"], "status": "ok" if gold["is_inspection_report"] else "not_a_report",
               "provider_name": gold.get("provider_name"), "provider_type": gold.get("provider_type"),
               "published_year": pub.get("year"), "published_month": pub.get("month"),
               "overall_rating": (gold.get("overall") or {}).get("rating"),
               "score": (gold.get("overall") or {}).get("score"),
               "score_max": (gold.get("overall") or {}).get("score_max")}
    tables = {
        "document": _compare({"document": exp_doc}, {"document": found_doc},
                             ["kind", "status", "provider_name", "provider_type", "published_year", "published_month"]),
        "overall": _compare({"overall": exp_doc}, {"overall": found_doc}, ["overall_rating", "score", "score_max"]),
    }
    # standards: the framework code is the key
    code_map = {}
    exp_std = {}
    for s in gold.get("standards", []):
        code = s.get("framework_code") or s["code"]
        code_map[s["code"]] = code
        e = {"rating": s["rating"], "previous_rating": s.get("previous_rating"), "body_rating": s.get("body_rating")}
        if is_text:
            e["line"] = s.get("line")
            e["body_line"] = s.get("body_line")
        exp_std[code] = e
    found_std = {}
    for r in con.execute("SELECT standard_code, rating, previous_rating, body_rating, line, body_line "
                         "FROM standard_ratings WHERE document_id = ?", [did]).fetchall():
        found_std[r[0]] = {"rating": r[1], "previous_rating": r[2], "body_rating": r[3], "line": r[4], "body_line": r[5]}
    tables["standard_ratings"] = _compare(exp_std, found_std, ["rating", "previous_rating", "body_rating", "line", "body_line"])
    # key questions: (standard code, question) is the key
    exp_kq = {}
    for k in gold.get("key_questions", []):
        code = code_map.get(k["standard_code"], k["standard_code"])
        e = {"question": re.sub(r"\s+", " ", k["question"]).strip(), "current_pct": _num(k.get("current_pct")),
             "previous_pct": _num(k.get("previous_pct")), "comparator_pct": _num(k.get("comparator_pct")),
             "comparator_label": k.get("comparator_label")}
        if is_text:
            e["line"] = k.get("line")
            e["values_line"] = k.get("values_line")
        exp_kq[(code, _norm_q(k["question"]))] = e
    found_kq = {}
    for r in con.execute("SELECT standard_code, question, current_pct, previous_pct, comparator_pct, comparator_label, "
                         "line, values_line FROM key_questions WHERE document_id = ?", [did]).fetchall():
        found_kq[(r[0], _norm_q(r[1]))] = {"question": r[1], "current_pct": _num(r[2]), "previous_pct": _num(r[3]),
                                           "comparator_pct": _num(r[4]), "comparator_label": r[5],
                                           "line": r[6], "values_line": r[7]}
    tables["key_questions"] = _compare(exp_kq, found_kq, ["question", "current_pct", "previous_pct", "comparator_pct",
                                                         "comparator_label", "line", "values_line"])
    exp_pr = {}
    for k in gold.get("prompts", []):
        code = code_map.get(k["standard_code"], k["standard_code"])
        e = {"current_pct": _num(k.get("current_pct")), "previous_pct": _num(k.get("previous_pct")),
             "prompt": re.sub(r"\s+", " ", k["prompt"]).strip()}
        if is_text:
            e["line"] = k.get("line")
            e["values_line"] = k.get("values_line")
        exp_pr[(code, _norm_q(k["key_question"]), _norm_q(k["prompt"]))] = e
    found_pr = {}
    for r in con.execute("SELECT standard_code, key_question, prompt, current_pct, previous_pct, line, values_line "
                         "FROM prompts WHERE document_id = ?", [did]).fetchall():
        found_pr[(r[0], _norm_q(r[1]), _norm_q(r[2]))] = {"prompt": r[2], "current_pct": _num(r[3]),
                                                          "previous_pct": _num(r[4]), "line": r[5], "values_line": r[6]}
    tables["prompts"] = _compare(exp_pr, found_pr, ["prompt", "current_pct", "previous_pct", "line", "values_line"])
    exp_wf = {}
    for k in gold.get("staffing", []) + gold.get("caseload", []):
        if k.get("source") != "table":
            continue
        for col, period in (("previous", "previous_year"), ("current", "current_year")):
            if col + "_text" not in k and k.get(col) is None:
                continue
            e = {"value": _num(k.get(col)), "unit": k.get("unit"), "metric": k["metric"]}
            if is_text:
                e["line"] = k.get("line")
            exp_wf[(_norm_q(k["metric"]), period)] = e
    found_wf = {}
    for r in con.execute("SELECT metric, period, value, unit, line FROM workforce WHERE document_id = ? "
                         "AND source = 'table'", [did]).fetchall():
        found_wf[(_norm_q(r[0]), r[1])] = {"metric": r[0], "value": _num(r[2]), "unit": r[3], "line": r[4]}
    tables["workforce"] = _compare(exp_wf, found_wf, ["metric", "value", "unit", "line"])
    # figures stated in prose: the metric wording is the annotator's own, so rows are keyed by value
    exp_pw = {}
    for k in gold.get("staffing", []) + gold.get("caseload", []):
        if k.get("source") != "prose":
            continue
        rng = tuple(k["range"]) if k.get("range") else None
        e = {"denominator": _num(k.get("denominator")), "comparator": _num(k.get("comparator"))}
        if is_text:
            e["line"] = k.get("line")
        exp_pw[(_num(k.get("current")), tuple(_num(x) for x in rng) if rng else None, k.get("organisation"))] = e
    found_pw = {}
    for r in con.execute("SELECT value, range_low, range_high, note, denominator, comparator, line FROM workforce "
                         "WHERE document_id = ? AND source = 'prose'", [did]).fetchall():
        org = next((o for o in ("NPS", "CRC") if r[3] and o in r[3].split("; ")), None)
        rng = (_num(r[1]), _num(r[2])) if r[1] is not None else None
        found_pw[(_num(r[0]), rng, org)] = {"denominator": _num(r[4]), "comparator": _num(r[5]), "line": r[6]}
    tables["workforce_prose"] = _compare(exp_pw, found_pw, ["denominator", "comparator", "line"])
    exp_kf = {}
    for k in gold.get("contextual_facts", []):
        if k.get("source") != "panel":
            continue
        e = {"number": _num(k.get("number")), "unit": k.get("unit"), "description": k["text"]}
        if is_text:
            e["line"] = k.get("line")
        exp_kf[(k["value"], _norm_q(k["text"]))] = e
    found_kf = {}
    for r in con.execute("SELECT value_text, description, number, unit, line FROM key_facts WHERE document_id = ? "
                         "AND source = 'panel'", [did]).fetchall():
        found_kf[(r[0], _norm_q(r[1]))] = {"description": r[1], "number": _num(r[2]), "unit": r[3], "line": r[4]}
    tables["key_facts"] = _compare(exp_kf, found_kf, ["number", "unit", "description", "line"])
    # contextual facts stated in prose (no panel): the description is the annotator's own, so rows
    # are keyed by number and unit
    exp_kp = {}
    for k in gold.get("contextual_facts", []):
        if k.get("source") != "prose":
            continue
        e = {"value_text": k["value"]}
        if is_text:
            e["line"] = k.get("line")
        exp_kp[(_num(k.get("number")), k.get("unit"))] = e
    found_kp = {(_num(r[1]), r[2]): {"value_text": r[0], "line": r[3]} for r in con.execute(
        "SELECT value_text, number, unit, line FROM key_facts WHERE document_id = ? AND source = 'prose'",
        [did]).fetchall()}
    tables["key_facts_prose"] = _compare(exp_kp, found_kp, ["value_text", "line"])
    exp_rec = {}
    for k in gold.get("recommendations", []):
        e = {"addressee": k["addressee"], "text": k["text"]}
        if is_text:
            e["line"] = k.get("line")
        exp_rec[k["number"]] = e
    found_rec = {r[0]: {"addressee": r[1], "text": r[2], "line": r[3]} for r in con.execute(
        "SELECT number, addressee, text, line FROM recommendations WHERE document_id = ?", [did]).fetchall()}
    tables["recommendations"] = _compare(exp_rec, found_rec, ["addressee", "text", "line"])
    exp_prev = {}
    for k in gold.get("previous_recommendations", []):
        e = {"addressee": k.get("addressee"), "text": k["text"], "progress": k.get("progress"),
             "progress_text": k.get("progress_text")}
        if is_text:
            e["line"] = k.get("line")
            e["progress_line"] = k.get("progress_line")
        exp_prev[k["number"]] = e
    found_prev = {r[0]: dict(zip(("addressee", "text", "progress", "progress_text", "line", "progress_line"), r[1:]))
                  for r in con.execute("SELECT number, addressee, text, progress, progress_text, line, progress_line "
                                       "FROM previous_recommendations WHERE document_id = ?", [did]).fetchall()}
    tables["previous_recommendations"] = _compare(exp_prev, found_prev, ["addressee", "text", "progress",
                                                                         "progress_text", "line", "progress_line"])
    # other numeric tables (leadership key data, case characteristics, services data, unpaid work key
    # data, Q&I tables): a row is its de-wrapped label; its printed numbers are compared as a set,
    # since the gold orders columns as printed and the database names them by period
    exp_ot = {}
    for t in gold.get("other_tables", []):
        for r in t.get("rows", []):
            exp_ot[_norm_q(r["label"])] = {"values": sorted(_num(v) for v in r.get("values", []) if v is not None)}
    found_ot: dict[str, dict] = {}
    for metric, value in con.execute("SELECT metric, value FROM other_tables WHERE document_id = ?", [did]).fetchall():
        vals = found_ot.setdefault(_norm_q(metric), {"values": []})["values"]
        if value is not None:
            vals.append(_num(value))
    for v in found_ot.values():
        v["values"].sort()
    tables["other_tables"] = _compare(exp_ot, found_ot, ["values"])
    # the case samples read (values only: the gold lists every line that states a sample)
    cases = gold.get("cases_inspected") or {}
    exp_cs = {k: {"cases": cases[k]} for k in ("case_supervision", "unpaid_work", "through_the_gate")
              if isinstance(cases.get(k), int)}
    found_cs = {r[0]: {"cases": r[1]} for r in con.execute(
        "SELECT sample, cases FROM case_samples WHERE document_id = ?", [did]).fetchall()}
    tables["case_samples"] = _compare(exp_cs, found_cs, ["cases"])
    # when the fieldwork took place, and who led the inspection (None where the report does not say)
    fw = gold.get("fieldwork") or {}
    start = fw.get("start")
    exp_in = {"inspection": {"fieldwork_start": start,
                             "fieldwork_month": start[:7] if start else fw.get("start_month"),
                             "lead_inspector": gold.get("lead_inspector")}}
    r = con.execute("SELECT fieldwork_start, fieldwork_month, lead_inspector FROM documents WHERE document_id = ?",
                    [did]).fetchone()
    found_in = {"inspection": {"fieldwork_start": r[0].isoformat() if r[0] else None, "fieldwork_month": r[1],
                               "lead_inspector": r[2]}}
    tables["inspection"] = _compare(exp_in, found_in, ["fieldwork_start", "fieldwork_month", "lead_inspector"])
    return {"document_id": did, "gold": gold["source_file"], "tables": tables}


def print_report(rep: dict) -> None:
    print(f"{'document':<42} {'table':<24} {'expected':>8} {'found':>6} {'matched':>7} {'missing':>7} {'extra':>5}")
    for d in rep["documents"]:
        for t, r in d["tables"].items():
            print(f"{d['document_id']:<42} {t:<24} {r['expected']:>8} {r['found']:>6} {r['matched']:>7} "
                  f"{len(r['missing']):>7} {len(r['extra']):>5}")
            for m in r["mismatched"]:
                print(f"{'':<42}   ! {m['key']}: " + "; ".join(m["diffs"]))
            for k in r["missing"]:
                print(f"{'':<42}   - missing {k}")
            for k in r["extra"]:
                print(f"{'':<42}   + extra {k}")
    print()
    print(f"{'TOTAL':<42} {'table':<24} {'expected':>8} {'found':>6} {'matched':>7} {'missing':>7} {'extra':>5} accuracy")
    for t, r in rep["totals"].items():
        print(f"{'':<42} {t:<24} {r['expected']:>8} {r['found']:>6} {r['matched']:>7} {r['missing']:>7} "
              f"{r['extra']:>5} {100 * r['accuracy']:.1f}%")
