"""Stage 5 (presentation): a static HTML site built from the DuckDB file alone.

`inspections report --html DIR` writes
    DIR/index.html              the league table as a colour-coded grid, the audit summary, and every
                                document the pipeline did not rate, with the reason
    DIR/reports/<slug>.html     one page per report: ratings, a chart of its key-question percentages
                                against the band boundaries, workforce figures, every audit finding
                                with its evidence and page
Pages are self-contained (inline CSS and SVG, no script, nothing fetched), so they open from disk
or from any static web server. Charts are drawn with matplotlib.
"""
from __future__ import annotations

import html
import io
import os
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from ..audit import SEVERITY_ORDER   # one order of severities: the audit's
from ..normalise.reference import RATINGS_ORDER, band_of, league_columns

#: the inspectorate's four rating colours (and grey for 'Not rated'), background and text
RATING_COLOURS = {
    "Outstanding": ("#0b6b3a", "#ffffff"),
    "Good": ("#8cc63f", "#1a1a1a"),
    "Requires improvement": ("#f7b731", "#1a1a1a"),
    "Inadequate": ("#d0312d", "#ffffff"),
    "Not rated": ("#bdbdbd", "#1a1a1a"),
}


class ReportError(Exception):
    pass


def _e(v) -> str:
    if v is None:
        return ""
    try:
        import pandas as pd
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return html.escape(str(v))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "report"


def rating_class(rating) -> str:
    return "rating-" + slug(str(rating)) if rating in RATING_COLOURS else "rating-none"


def _css() -> str:
    rules = "\n".join(f".{rating_class(r)} {{ background: {bg}; color: {fg}; }}"
                      for r, (bg, fg) in RATING_COLOURS.items())
    return """
body { font-family: system-ui, -apple-system, 'Segoe UI', Arial, sans-serif; margin: 2rem; color: #1a1a1a; }
@media (max-width: 600px) { body { margin: 0.75rem; } }
img, svg { max-width: 100%; height: auto; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #d0d0d0; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.grid td.rating { text-align: center; font-size: 0.75rem; min-width: 4.5rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table.grid th { max-width: 7rem; font-size: 0.75rem; }
table.grid .sticky { position: sticky; left: 0; background: #fff; z-index: 1; min-width: 9rem; }
table.grid th.sticky { background: #f2f2f2; }
td { overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0.2rem 0.6rem; border-radius: 0.3rem; font-weight: 600; }
.severity-contradiction { color: #b00020; font-weight: 600; } .severity-minor { color: #7a5a00; }
.severity-explained { color: #2e6b2e; } .severity-info, .severity-unverified-rule, .severity-unverified, .severity-possible { color: #555; }
.muted { color: #666; font-size: 0.85rem; } .evidence { font-style: italic; max-width: 40rem; }
.legend span { margin-right: 0.6rem; padding: 0.1rem 0.5rem; border-radius: 0.2rem; font-size: 0.8rem; }
""" + rules


def _page(title: str, body: str, root: str = "") -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<link rel=\"icon\" href=\"data:,\">\n"
            f"<style>{_css()}</style>\n</head>\n<body>\n{body}\n"
            f"<p class=\"muted\">Generated {datetime.now():%Y-%m-%d %H:%M} by hmip-inspections "
            f"from the DuckDB file; every figure carries the page and line of the report it came from.</p>\n"
            f"</body>\n</html>\n")


def _rating_cell(rating, tag: str = "td") -> str:
    if rating is None or (isinstance(rating, float)):
        return f'<{tag} class="rating rating-none"></{tag}>'
    return f'<{tag} class="rating {rating_class(rating)}" title="{_e(rating)}">{_e(rating)}</{tag}>'


def _legend() -> str:
    return '<p class="legend">' + "".join(f'<span class="{rating_class(r)}">{r}</span>'
                                          for r in RATING_COLOURS) + "</p>"


def _table(df, columns: list[tuple[str, str]], numeric: set[str] = frozenset(), raw: set[str] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for c, _ in columns:
            v = rec.get(c)
            if c in raw:
                cells.append(f"<td>{v}</td>")
            else:
                cells.append(f'<td class="num">{_e(v)}</td>' if c in numeric else f"<td>{_e(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        return '<p class="muted">Nothing to show.</p>'
    return (f"<div class=\"scroll\"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
            + "\n</tbody>\n</table></div>")


# --------------------------------------------------------------------------- chart
#: characters per line of a key question's label in the chart (longer questions wrap)
CHART_LABEL_WIDTH = 48

def kq_chart_svg(kq, bands) -> str:
    """A horizontal bar chart of key-question percentages against the rating bands, as inline SVG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    import textwrap
    kq = kq[kq["current_pct"].notna()].reset_index(drop=True)
    n = len(kq)
    # each question whole, wrapped over lines (never cut short): the rows grow with the lines
    labels = [f"{r['standard_code']}  " + "\n".join(textwrap.wrap(str(r["question"]), CHART_LABEL_WIDTH))
              for _, r in kq.iterrows()]
    lines = sum(max(1, lb.count("\n") + 1) for lb in labels)
    fig, ax = plt.subplots(figsize=(10, 0.24 * lines + 0.2 * n + 1.4), dpi=96)
    try:
        for b in bands.to_dict("records"):
            bg, _ = RATING_COLOURS[b["rating"]]
            ax.axvspan(b["min_pct"], min(b["max_pct"] + 1, 100), color=bg, alpha=0.18, lw=0)
            if b["min_pct"] > 0:
                ax.axvline(b["min_pct"], color="#555555", lw=0.8, ls="--")

        band_rows = [(b["rating"], b["min_pct"], b["max_pct"]) for b in bands.to_dict("records")]

        for i, r in kq.iterrows():
            colour = RATING_COLOURS.get(band_of(r["current_pct"], band_rows), ("#888888", ""))[0]
            ax.barh(i, r["current_pct"], color=colour, edgecolor="#333333", lw=0.5, height=0.65)
            # the percentage in a column of its own right of the plot, where no marker can cover it
            ax.text(1.01, i, f"{r['current_pct']:g}%", va="center", fontsize=8, transform=ax.get_yaxis_transform())
            if r.get("previous_pct") is not None and r["previous_pct"] == r["previous_pct"]:
                ax.plot(r["previous_pct"], i, marker="|", color="#000000", ms=12, mew=2)
            if r.get("comparator_pct") is not None and r["comparator_pct"] == r["comparator_pct"]:
                ax.plot(r["comparator_pct"], i, marker="D", color="#333333", ms=4)
        ax.set_yticks(range(n), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("cases meeting the key question (%)")
        handles = [Patch(color=RATING_COLOURS[r][0], label=r) for r in RATINGS_ORDER]
        from matplotlib.lines import Line2D
        handles += [Line2D([], [], marker="|", color="#000000", ls="", ms=10, mew=2, label="previous inspection"),
                    Line2D([], [], marker="D", color="#333333", ls="", ms=4, label="comparator")]
        ax.legend(handles=handles, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
        fig.tight_layout()
        buf = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            fig.savefig(buf, format="svg")
    finally:
        plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


# --------------------------------------------------------------------------- pages
def build(db: str, directory: str, quiet: bool = True) -> dict:
    """Write the site for database DB into DIRECTORY (published atomically); return what was written."""
    import duckdb
    from ..store.queries import load
    if not Path(db).exists():
        raise ReportError(f"{db}: no such database (run `inspections refresh` first)")
    queries = load()
    con = duckdb.connect(db, read_only=True)
    try:
        def q(name: str, where: str = "", params=None):
            return con.execute(f"SELECT * FROM ({queries[name].sql}) {where}", params or []).df()

        reports = q("reports")
        league = q("league_table")
        audit = q("audit_summary")
        bands = con.execute("SELECT rating, min_pct, max_pct FROM ref_kq_bands ORDER BY min_pct").df()
        others = con.execute(
            "SELECT d.document_id, d.status, d.kind, d.provider_name, coalesce(d.error, (SELECT string_agg(n.note, '; ') "
            "FROM extraction_notes n WHERE n.document_id = d.document_id AND n.note LIKE 'no ratings%')) AS why "
            "FROM documents d WHERE d.status <> 'ok' OR d.overall_rating IS NULL ORDER BY d.document_id").df()
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".report-", dir=out))
        (tmp / "reports").mkdir()
        pages = {}
        try:
            for rec in reports.to_dict("records"):
                name = f"{slug(rec['provider_name'] or rec['document_id'])}-{rec['published_year'] or 'undated'}"
                pages[rec["document_id"]] = f"reports/{name}.html"
                (tmp / pages[rec["document_id"]]).write_text(_report_page(con, rec, bands), encoding="utf-8")
                if not quiet:
                    print(f"  {pages[rec['document_id']]}", flush=True)
            (tmp / "index.html").write_text(_index(league, audit, reports, others, pages), encoding="utf-8")
            if (out / "reports").exists():
                shutil.rmtree(out / "reports")
            os.replace(tmp / "reports", out / "reports")
            os.replace(tmp / "index.html", out / "index.html")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        con.close()
    return {"index": str(out / "index.html"), "reports": [str(out / p) for p in pages.values()]}


def _index(league, audit, reports, others, pages) -> str:
    parts = ["<h1>HM Inspectorate of Probation reports: ratings and audit</h1>",
             f'<p class="muted">{len(reports)} reports; the audit checks each stated rating against the '
             "report's own numbers and the inspectorate's published rules.</p>",
             '<h2 id="league-table">League table (latest inspection of each provider)</h2>', _legend()]
    # the standard columns of league_table.sql (named by standard, aligned across frameworks) that
    # any provider has a rating in
    codes = [c for c in league_columns() if c in league.columns and league[c].notna().any()]
    head = ('<tr><th class="sticky">Provider</th><th>Type</th><th>Published</th><th>Overall</th><th>Score</th>'
            + "".join(f"<th>{_e(c.replace('_', ' ').capitalize())}</th>" for c in codes) + "</tr>")
    rows = []
    for r in league.to_dict("records"):
        link = pages.get(r["document_id"])
        name = f'<a href="{link}">{_e(r["provider_name"])}</a>' if link else _e(r["provider_name"])
        rows.append("<tr>" + f'<td class="sticky">{name}</td><td>{_e(r["provider_type"])}</td>'
                    f"<td>{_e(r['published_year'])}</td>"
                    + _rating_cell(r["overall_rating"])
                    + f'<td class="num">{_e(r["score"])}/{_e(r["score_max"])}</td>'
                    + "".join(_rating_cell(r.get(c)) for c in codes) + "</tr>")
    parts.append(f'<div class="scroll"><table class="grid">\n<thead>{head}</thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table></div>"
                 if rows else '<p class="muted">No rated reports.</p>')
    parts.append('<p class="muted">Each column is one standard, whatever its code in the report\'s framework '
                 "(planning is 2.2 in a CRC report, 2.3 in a PDU report); an empty cell: no such standard in that "
                 "methodology. The grid scrolls sideways inside its box; the provider column stays.</p>")
    parts.append('<h2 id="audit-summary">Audit summary</h2>')
    audit = audit.copy()
    audit["provider"] = [f'<a href="{pages[d]}">{_e(p)}</a>' if d in pages else _e(p)
                         for d, p in zip(audit["document_id"], audit["provider_name"])]
    parts.append(_table(audit, [("provider", "Provider"), ("rule", "Rule"), ("findings", "Findings"),
                                ("contradictions", "Contradictions"), ("minor", "Minor"),
                                ("explained", "Explained by the report"), ("info", "Information"),
                                ("subjects", "Subjects")],
                        numeric={"findings", "contradictions", "minor", "explained", "info"}, raw={"provider"}))
    parts.append('<h2 id="reports">All reports</h2>')
    rep = reports.copy()
    rep["provider"] = [f'<a href="{pages[d]}">{_e(p or d)}</a>' for d, p in zip(rep["document_id"], rep["provider_name"])]
    rep["renderings"] = [", ".join(x) for x in rep["renderings"]]
    parts.append(_table(rep, [("provider", "Provider"), ("kind", "Methodology"), ("published_year", "Year"),
                              ("overall_rating", "Overall"), ("renderings", "Renderings")], raw={"provider"}))
    parts.append('<h2 id="not-rated">Documents without ratings</h2>'
                 '<p class="muted">Recorded, with the reason; never dropped.</p>')
    parts.append(_table(others, [("document_id", "Document"), ("status", "Status"), ("kind", "Kind"),
                                 ("provider_name", "Provider"), ("why", "Why")]))
    return _page("HMIP inspection reports: league table and audit", "\n".join(parts))


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0])


def _report_page(con, rec: dict, bands) -> str:
    did = rec["document_id"]
    title = f"{rec['provider_name'] or did} ({rec['published_year'] or 'undated'})"
    parts = ['<p><a href="../index.html">&larr; all reports</a></p>', f"<h1>{_e(title)}</h1>"]
    overall = rec["overall_rating"] if isinstance(rec["overall_rating"], str) else None
    meta = (f"<p>{_e(rec['kind'])} &middot; renderings: {_e(', '.join(rec['renderings']))} &middot; "
            f"figures below from <code>{_e(did)}</code></p>")
    parts.append(meta)
    if overall:
        bg_cls = rating_class(overall)
        parts.append(f'<p>Overall rating: <span class="badge {bg_cls}">{_e(overall)}</span> '
                     f"score {_e(rec['score'])}/{_e(rec['score_max'])}</p>")
    std = con.execute("SELECT standard_code, standard_name, rating, previous_rating, body_rating, page, line "
                      "FROM standard_ratings WHERE document_id = ? ORDER BY string_split(standard_code, '.')[1]::INT, "
                      "string_split(standard_code, '.')[2]::INT", [did]).df()
    parts.append('<h2 id="ratings">Ratings</h2>')
    if len(std):
        rows = ["<tr><th>Standard</th><th>Name</th><th>Rating</th><th>Previous</th><th>In the body</th><th>Page</th>"
                "<th>Line</th></tr>"]
        for s in std.to_dict("records"):
            rows.append(f"<tr><td>{_e(s['standard_code'])}</td><td>{_e(s['standard_name'])}</td>"
                        + _rating_cell(s["rating"]) + _rating_cell(s["previous_rating"]) + _rating_cell(s["body_rating"])
                        + f'<td class="num">{_e(s["page"])}</td><td class="num">{_e(s["line"])}</td></tr>')
        parts.append('<div class="scroll"><table class="grid ratings">' + "\n".join(rows) + "</table></div>")
    else:
        parts.append('<p class="muted">This report has no ratings (its methodology does not rate).</p>')
    kq = con.execute("SELECT standard_code, question, current_pct, previous_pct, comparator_pct, comparator_label, "
                     "page, line FROM key_questions WHERE document_id = ? ORDER BY string_split(standard_code, '.')[1]::INT, "
                     "string_split(standard_code, '.')[2]::INT, page, line", [did]).df()
    parts.append('<h2 id="key-questions">Key questions against the rating bands</h2>')
    if kq["current_pct"].notna().any():
        parts.append('<figure class="chart">' + kq_chart_svg(kq, bands) + "</figure>")
        parts.append('<p class="muted">Bars: this inspection; bar colour and background: the band the '
                     "percentage falls in (&lt;50% Inadequate, 50-64% Requires improvement, 65-79% Good, "
                     "80%+ Outstanding). A standard is rated by its lowest key question, subject to "
                     "professional discretion.</p>")
        parts.append(_table(kq, [("standard_code", "Standard"), ("question", "Key question"),
                                 ("current_pct", "Current %"), ("previous_pct", "Previous %"),
                                 ("comparator_pct", "Comparator %"), ("comparator_label", "Comparator"),
                                 ("page", "Page"), ("line", "Line")],
                            numeric={"current_pct", "previous_pct", "comparator_pct", "page", "line"}))
    else:
        parts.append('<p class="muted">No key-question percentages in this report.</p>')
    wf = con.execute("SELECT table_name, metric, metric_code, period, value, unit, note, source, page, line "
                     "FROM workforce WHERE document_id = ? ORDER BY line, period DESC", [did]).df()
    parts.append('<h2 id="workforce">Workforce</h2>')
    parts.append(_table(wf, [("table_name", "Table"), ("metric", "Metric"), ("period", "Period"), ("value", "Value"),
                             ("unit", "Unit"), ("note", "Note"), ("source", "From"), ("page", "Page"),
                             ("line", "Line")], numeric={"value", "page", "line"}))
    checks = con.execute("SELECT c.\"check\", c.subject, c.expected, c.found, c.message, c.page, c.line "
                         "FROM extraction_checks c WHERE c.document_id = ?", [did]).df() \
        if _has_table(con, "extraction_checks") else None
    parts.append('<h2 id="completeness">What was read</h2>')
    if checks is None:
        parts.append('<p class="muted">This database predates the extraction checks: refresh it to see them.</p>')
    elif len(checks):
        parts.append(f'<p>Read in part: {len(checks)} extraction check{"s" if len(checks) > 1 else ""} '
                     "found a gap between what was read and what a report of this kind contains or what the "
                     "report says of itself. Audit findings that rest on these readings are marked "
                     "<em>unverified</em>.</p>")
        parts.append(_table(checks, [("check", "Check"), ("subject", "Subject"), ("expected", "Expected"),
                                     ("found", "Found"), ("message", "What is missing"), ("page", "Page"),
                                     ("line", "Line")], numeric={"page", "line"}))
    else:
        parts.append('<p class="muted">Complete: everything a report of this kind contains, and everything the '
                     "report says of its own tables and recommendations, was read.</p>")
    f = con.execute("SELECT severity, rule, rule_status, subject, expected, stated, explained_by, message, evidence, "
                    "page, line FROM audit_findings WHERE document_id = ?", [did]).df()
    if len(f):
        f = f.assign(_o=f["severity"].map(SEVERITY_ORDER).fillna(9)).sort_values(["_o", "rule", "subject"])
        f["severity_html"] = [f'<span class="severity-{slug(s)}">{_e(s)}</span>' for s in f["severity"]]
        f["explained_by"] = [e.replace("_", " ") if isinstance(e, str) else e for e in f["explained_by"]]
        f["evidence_html"] = [f'<span class="evidence">{_e(e)}</span>' for e in f["evidence"]]
    parts.append(f'<h2 id="findings">Audit findings ({len(f)})</h2>')
    parts.append(_table(f, [("severity_html", "Severity"), ("rule", "Rule"), ("subject", "Subject"),
                            ("expected", "Expected"), ("stated", "Stated"), ("explained_by", "Explained by"),
                            ("message", "Finding"), ("evidence_html", "Evidence"), ("page", "Page"),
                            ("line", "Line")], numeric={"page", "line"}, raw={"severity_html", "evidence_html"})
                 if len(f) else '<p class="muted">' + ("No findings: every checked rating follows from the numbers."
                                                      if len(std) else "No findings; no ratings to check.") + "</p>")
    return _page(title, "\n".join(parts))
