"""Stage 2: map what extract found to one vocabulary and the framework's codes.

``normalise(extraction, document_id, source_path)`` returns rows per public
table (a dict of table name to list of dicts), ready for ``store``.
"""
from __future__ import annotations

import re

from .checks import extraction_checks
from .ratings import normalise_rating
from .reference import choose_methodology, find_standard, methodology, reference

__all__ = ["normalise", "failed_document", "normalise_rating", "methodology", "reference"]


def _ws(s: str | None) -> str | None:
    return re.sub(r"\s+", " ", s).strip() if s else s


def failed_document(document_id: str, source_path: str, sha256: str, fmt: str, error: str,
                    size: int | None = None) -> dict[str, list[dict]]:
    return {"documents": [{
        "document_id": document_id, "source_path": source_path, "sha256": sha256, "format": fmt,
        "size_bytes": size, "pages": None, "kind": None, "status": "failed", "error": error,
    }]}


def normalise(ex, document_id: str, source_path: str) -> dict[str, list[dict]]:
    doc, c = ex.document, ex.classification
    kind, why = _framework(ex)
    meth = methodology(kind)
    evidence = c.evidence + ([f"methodology: {why}"] if why else [])
    notes: list[str] = []
    status = "ok"
    error = None
    if not c.is_report:
        status = "not_a_report"
        error = c.reason
    elif kind == "unknown":
        status = "failed"
        error = c.reason
    row = {
        "document_id": document_id, "source_path": source_path, "sha256": doc.sha256,
        "format": doc.format, "size_bytes": doc.path.stat().st_size if doc.path.exists() else None,
        "pages": doc.page_count, "lines": len(doc.lines), "kind": kind, "methodology": meth.get("label"),
        "is_report": c.is_report, "provider_name": c.provider_name,
        "provider_type": c.provider_type or meth.get("provider_type"),
        "title": c.title, "published_year": c.published_year, "published_month": c.published_month,
        "published_stated": c.published_stated if c.published_year else None,
        "published_evidence": c.published_evidence, "classification_evidence": "; ".join(evidence) or None,
        "status": status, "error": error, "completeness": None,
        "overall_rating": None, "score": None, "score_max": None, "score_page": None, "score_line": None,
        "overall_page": None, "overall_line": None,
        **{k: (ex.inspection or {}).get(k) for k in ("fieldwork_start", "fieldwork_month", "fieldwork_page",
                                                     "fieldwork_line", "lead_inspector", "lead_inspector_line")},
        "fieldwork_evidence": _ws((ex.inspection or {}).get("fieldwork_text")),
    }
    out: dict[str, list[dict]] = {"documents": [row], "pages": [], "standard_ratings": [], "key_questions": [],
                                  "prompts": [], "workforce": [], "key_facts": [],
                                  "recommendations": [], "previous_recommendations": [],
                                  "previous_recommendations_summary": [], "prose_figures": [], "other_tables": [], "case_samples": [],
                                  "sample_statements": [],
                                  "extraction_notes": [], "extraction_checks": []}
    for page, first, last, text in doc.pages():
        out["pages"].append({"document_id": document_id, "page": page, "first_line": first,
                             "last_line": last, "text": text})
    if status != "ok":
        return out
    out["workforce"], out["other_tables"] = _workforce(ex, document_id)
    out["other_tables"] += _numbered(ex, document_id)
    for w in ex.workforce_prose:
        note = []
        if w["range"]:
            note.append(f"range {w['range'][0]:g} to {w['range'][1]:g}")
        if w["denominator"] is not None:
            note.append(f"of {w['denominator']:g}")
        if w["comparator"] is not None:
            note.append(f"comparator {w['comparator']:g}")
        if w["organisation"]:
            note.append(w["organisation"])
        out["workforce"].append({
            "document_id": document_id, "table_name": "prose", "metric": w["metric"], "metric_code": w["metric_code"],
            "period": "current_year", "value": w["value"], "unit": w["unit"], "value_text": w["text"],
            "note": "; ".join(note) or None, "source": "prose", "denominator": w["denominator"],
            "comparator": w["comparator"], "range_low": w["range"][0] if w["range"] else None,
            "range_high": w["range"][1] if w["range"] else None, "sentence": w["sentence"],
            "page": w["page"], "line": w["line"], "value_page": w["value_page"], "value_line": w["value_line"]})
    out["key_facts"] = _key_facts(ex, document_id)
    out["prose_figures"] = [
        {"document_id": document_id, "section": f["section"], "sentence": f["sentence"], "figure_text": f["text"],
         "kind": f["kind"], "number": f["number"], "denominator": f["denominator"], "unit": f["unit"],
         "page": f["page"], "line": f["line"]} for f in ex.prose_figures]
    out["recommendations"] = [
        {"document_id": document_id, "addressee": r["addressee"], "number": r["number"],
         "number_printed": r["number_printed"], "text": r["text"], "page": r["page"], "line": r["line"]}
        for r in ex.recommendations]
    out["previous_recommendations"] = [{"document_id": document_id, **r} for r in ex.previous_recommendations]
    out["previous_recommendations_summary"] = [{"document_id": document_id, **r} for r in ex.progress_summary]
    out["case_samples"] = [{"document_id": document_id, "sample": r["sample"], "cases": r["cases"],
                            "sentence": _ws(r["text"]), "page": r["page"], "line": r["line"]} for r in ex.samples]
    out["sample_statements"] = [{"document_id": document_id, "sample": r["sample"], "cases": r["cases"],
                                 "parts": "+".join(str(c) for c in r["parts"]), "counted": r["counted"],
                                 "subset": r["subset"], "sentence": _ws(r["text"]), "page": r["page"],
                                 "line": r["line"]} for r in ex.sample_statements]
    if not meth.get("rated", False):
        notes.append(f"no ratings: {meth.get('not_rated_reason', 'methodology publishes no ratings')}")
    rt = ex.ratings
    if rt is not None and rt.found:
        row.update({"overall_rating": normalise_rating(rt.overall_text), "score": rt.score,
                    "score_max": rt.score_max})
        if rt.score_pos:
            row["score_page"], row["score_line"] = rt.score_pos
        if rt.overall_pos:
            row["overall_page"], row["overall_line"] = rt.overall_pos
    elif meth.get("rated"):
        notes.append("rated methodology, but no ratings table was found" + (f" ({rt.note})" if rt and rt.note else ""))
    printed_ratings = rt is not None and rt.found and bool(rt.rows)
    if printed_ratings and not meth.get("rated"):
        # the sources say this type is not rated (some only believe so): what the report prints is kept
        notes.append(f"a ratings table is printed, though {kind} is not known to be rated "
                     f"({meth.get('rated_status', 'confirmed')}): its ratings are kept as printed")
    if meth.get("rated") or printed_ratings:
        out["standard_ratings"] = _standard_ratings(ex, kind, document_id, notes)
        out["key_questions"] = _key_questions(ex, kind, document_id)
        out["prompts"] = _prompts(ex, kind, document_id)
        if not ex.prompts:
            notes.append("no Annexe prompt tables (inspection data) in this document")
    for w in ex.warnings:
        notes.append(w)
    out["extraction_notes"] = [{"document_id": document_id, "note": n} for n in notes]
    out["extraction_checks"] = extraction_checks(ex, kind, out)
    row["completeness"] = "partial" if out["extraction_checks"] else "complete"
    return out


def _framework(ex) -> tuple[str, str | None]:
    """The methodology the report follows, among the frameworks of the kind it was classified as
    (PDU framework 1 or 2), from the standards it numbers, its score maximum and its date; and why."""
    c = ex.classification
    if not c.is_report:
        return c.kind, None
    printed = [(r["printed_code"], r["label"]) for r in (ex.ratings.rows if ex.ratings else [])]
    printed += [(b["printed_code"], b["name"]) for b in ex.body_ratings]
    printed += [(k["printed_code"], k["standard_name"]) for k in ex.key_questions]
    month = (ex.inspection or {}).get("fieldwork_month")
    if month is None and c.published_year:
        month = f"{c.published_year:04d}-{c.published_month or 1:02d}"
    score_max = ex.ratings.score_max if ex.ratings is not None and ex.ratings.found else None
    return choose_methodology(c.kind, printed, score_max, month)


def _standard_ratings(ex, kind: str, document_id: str, notes: list[str]) -> list[dict]:
    rows: dict[str, dict] = {}
    order: list[str] = []
    for r in (ex.ratings.rows if ex.ratings else []):
        std = find_standard(kind, r["label"], r["printed_code"], r["domain_printed"])
        code = std["code"] if std else r["printed_code"]
        if code is None:
            notes.append(f"ratings-table row '{r['label']}' (line {r['line']}) matches no standard of {kind}")
            continue
        if code in rows:
            # one standard, two rows (a table printed twice, or two labels read as one standard): one
            # row per standard is kept, the first, and the repeat said
            notes.append(f"ratings-table row '{r['label']}' (line {r['line']}) is standard {code} again; the row "
                         f"at line {rows[code]['line']} is kept")
            continue
        rows[code] = {
            "document_id": document_id, "standard_code": code, "printed_code": r["printed_code"],
            "domain": std["domain"] if std else r["domain_printed"],
            "standard_name": std["name"] if std else r["label"], "ratings_table_label": r["ratings_table_label"],
            "rating": normalise_rating(r["rating_text"]), "previous_rating": None, "in_ratings_table": True,
            "code_inferred": False, "page": r["page"], "line": r["line"],
            "body_rating": None, "body_previous_rating": None, "body_page": None, "body_line": None,
        }
        order.append(code)
    domain_unnamed = []
    for b in ex.body_ratings:
        if b["printed_code"] is None:
            domain_unnamed.append(b)
            continue
        std = find_standard(kind, b["name"], b["printed_code"], b["domain_printed"])
        code = std["code"] if std else b["printed_code"]
        _attach_body(rows, order, code, std, b, document_id, inferred=False)
    for b in domain_unnamed:
        # a domain heading followed by a bare rating: the standard of that domain that has no
        # heading of its own and no ratings-table row (e.g. PDU court work, 'Not rated')
        stds = [s for s in methodology(kind).get("standards", [])
                if s["domain"] == b["domain_printed"] and s["code"] not in rows and not s.get("never_rated")]
        if not stds:
            notes.append(f"a bare rating under domain {b['domain_printed']} (line {b['line']}) matches no standard")
            continue
        _attach_body(rows, order, stds[0]["code"], stds[0], b, document_id, inferred=True)
    return [rows[c] for c in order]


def _attach_body(rows, order, code, std, b, document_id, inferred: bool) -> None:
    cur = normalise_rating(b["current_text"])
    prev = normalise_rating(b["previous_text"])
    if code not in rows:
        rows[code] = {
            "document_id": document_id, "standard_code": code, "printed_code": b["printed_code"],
            "domain": std["domain"] if std else b["domain_printed"],
            "standard_name": std["name"] if std else b["name"], "ratings_table_label": None,
            "rating": cur, "previous_rating": prev, "in_ratings_table": False, "code_inferred": inferred,
            "page": None, "line": None,
            "body_rating": None, "body_previous_rating": None, "body_page": None, "body_line": None,
        }
        order.append(code)
    r = rows[code]
    if r["body_rating"] is None:
        r.update({"body_rating": cur, "body_previous_rating": prev, "body_page": b["rating_page"],
                  "body_line": b["rating_line"]})
        if r["previous_rating"] is None:
            r["previous_rating"] = prev
        if r["printed_code"] is None:
            r["printed_code"] = b["printed_code"]


def _key_questions(ex, kind: str, document_id: str) -> list[dict]:
    out = []
    for k in ex.key_questions:
        std = find_standard(kind, k["standard_name"], k["printed_code"])
        texts = k.get("cell_texts") or {}
        out.append({
            "document_id": document_id, "standard_code": std["code"] if std else k["printed_code"],
            "printed_code": k["printed_code"], "question": _ws(k["question"]),
            "current_pct": k["current_pct"], "previous_pct": k["previous_pct"],
            "comparator_pct": k["comparator_pct"], "comparator_label": k["comparator_label"],
            "column_label": k["column_label"], "qualitative_only": k["qualitative_only"],
            "not_rated": bool(std and std.get("never_rated")),
            "current_text": texts.get("current"), "previous_text": texts.get("previous"),
            "comparator_text": texts.get("comparator"),
            "page": k["page"], "line": k["line"], "values_page": k["values_page"], "values_line": k["values_line"],
        })
    return out


def _prompts(ex, kind: str, document_id: str) -> list[dict]:
    out = []
    for p in ex.prompts:
        if p.get("skipped"):
            continue
        std = find_standard(kind, p["standard_name"], p["printed_code"])
        texts = p.get("cell_texts") or {}
        out.append({
            "document_id": document_id, "standard_code": std["code"] if std else p["printed_code"],
            "printed_code": p["printed_code"], "key_question": _ws(p["key_question"]), "prompt": _ws(p["prompt"]),
            "current_pct": p["current_pct"], "previous_pct": p["previous_pct"],
            "current_text": texts.get("current"), "previous_text": texts.get("previous"),
            "page": p["page"], "line": p["line"], "values_page": p["values_page"], "values_line": p["values_line"],
        })
    return out


#: the two-column tables whose rows are workforce metrics; the others go to other_tables
WORKFORCE_TABLES = ("Key staffing data", "Caseload data")


def _workforce(ex, document_id: str) -> tuple[list[dict], list[dict]]:
    """The two-column data tables' cells: (workforce rows, with a metric code; other_tables rows,
    with the cell's column)."""
    from .workforce import metric_code, parse_value, period
    workforce, other = [], []
    for r in ex.workforce:
        is_workforce = r["table_name"] in WORKFORCE_TABLES
        code = metric_code(r["metric"]) if is_workforce else None
        for col, cell in r["cells"].items():
            v, unit, note = parse_value(cell["text"], r["metric"], r["table_name"])
            row = {"document_id": document_id, "table_name": r["table_name"], "metric": _ws(r["metric"]),
                   "period": period(r["periods"], col), "value": v, "unit": unit, "value_text": cell["text"],
                   "note": note, "page": r["page"], "line": r["line"], "value_page": cell["page"],
                   "value_line": cell["line"]}
            if is_workforce:
                workforce.append({**row, "metric_code": code, "source": "table"})
            else:
                index = r["columns"].index(col) + 1 if col in r["columns"] else None
                other.append({**row, "column_index": index, "header": None})
    return workforce, other


def _numbered(ex, document_id: str) -> list[dict]:
    """Rows of numbered tables ('Table 4: ...'), one per cell. Figures printed without % are
    percentages when the table's header or caption says so ('% of cases ...')."""
    from .workforce import parse_value
    out = []
    for r in ex.numbered_tables:
        says_percent = bool(re.search(r"%|per ?cent|percentage|proportion", f"{r['header'] or ''} {r['caption']}", re.I))
        for k, c in enumerate(r["cells"], start=1):
            v, unit, note = parse_value(c["text"], r["label"], r["caption"])
            if v is not None and unit == "count" and says_percent:
                unit = "percent"
            out.append({"document_id": document_id, "table_name": r["caption"], "metric": _ws(r["label"]),
                        "period": None, "column_index": k, "header": r["header"], "value": v, "unit": unit,
                        "value_text": c["text"], "note": note, "page": r["page"], "line": r["line"],
                        "value_page": c["page"], "value_line": c["line"]})
    return out


def parse_quantity(text: str) -> tuple[float | None, str | None, float | None]:
    """Given a printed figure ("2,116", "36.3%", "27.7 per cent", "£12.37m", "1.26 million", "1 (of 21)"),
    return (number, unit, denominator)."""
    t = re.sub(r"\s+", " ", text).strip()
    den = None
    m = re.search(r"\(of\s+(\d[\d,]*)\)", t)
    if m:
        den = float(m.group(1).replace(",", ""))
        t = t[:m.start()].strip()
    m = re.fullmatch(r"(£)?(\d[\d,]*(?:\.\d+)?)\s?(%|per ?cent|m|million|bn|billion|k)?", t, re.I)
    if not m:
        return None, None, den
    v = float(m.group(2).replace(",", ""))
    suffix = (m.group(3) or "").lower().replace(" ", "")
    suffix = {"million": "m", "billion": "bn", "percent": "%"}.get(suffix, suffix)
    mult = {"m": 1e6, "bn": 1e9, "k": 1e3}.get(suffix, 1)
    v = round(v * mult, 6)
    unit = "GBP" if m.group(1) else "percent" if suffix == "%" else "count"
    v = int(v) if float(v).is_integer() else v
    return v, unit, den


def _key_facts(ex, document_id: str) -> list[dict]:
    out = []
    for f in ex.key_facts:
        num, unit, den = parse_quantity(f["value_text"])
        d = f["description"]
        ew = re.search(r"(?:all )?England and Wales(?: CRCs)? was (\d+(?:\.\d+)?)%", d)
        tg = re.search(r"against a target of (\d+(?:\.\d+)?)%", d)
        out.append({"document_id": document_id, "section": f["section"], "value_text": f["value_text"],
                    "number": num, "unit": unit, "denominator": den, "description": d,
                    "england_and_wales_pct": float(ew.group(1)) if ew else None,
                    "target_pct": float(tg.group(1)) if tg else None, "source": "panel",
                    "page": f["page"], "line": f["line"]})
    # no panel: the facts stated in the report's description of the area; a fact compared with England
    # and Wales carries that figure, as a panel's facts do
    ew_of = {f["compares"]: parse_quantity(f["value_text"])[0] for f in ex.context_facts
             if f["compares"] and re.match(r"(?:the\s+)?England\s+(?:and|&)\s+Wales\b", f["description"], re.I)}
    for f in ex.context_facts:
        num, unit, den = parse_quantity(f["value_text"])
        out.append({"document_id": document_id, "section": f["section"], "value_text": f["value_text"],
                    "number": num, "unit": unit, "denominator": den, "description": f["description"],
                    "england_and_wales_pct": ew_of.get(f["value_text"]) if not f["compares"] else None,
                    "target_pct": None, "source": "prose", "page": f["page"], "line": f["line"]})
    return out
