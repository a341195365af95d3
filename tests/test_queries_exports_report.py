"""The researchers' side. Queries (as files, views and `inspections query`), exports, the HTML report."""
from __future__ import annotations

import csv
import io
import json
import re
import html as html_lib
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from conftest import CORPUS, ROOT, gold_files, query
from hmip_inspections.normalise.workforce import metric_code
from hmip_inspections.store.queries import load
from hmip_inspections.store.schema import TABLES

QUERIES = load()
RATED = {name: g for name, g in gold_files().items() if (g.get("overall") or {}).get("rating")}


def view(db, name, where="", params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {name} {where}", params or []).df()
    finally:
        con.close()


def framework_code(s: dict) -> str:
    return s.get("framework_code") or s["code"]


def test_the_issue_asks_for_these_queries():
    assert {"league_table", "standard_key_questions", "changes_since_previous", "staffing_vs_ratings",
            "audit_summary"} <= set(QUERIES)
    for q in QUERIES.values():
        assert q.header.startswith(q.name + ":") and "Columns:" in q.header, q.name
        assert q.name not in TABLES, f"view {q.name} would shadow a table"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_is_a_view_and_returns_rows(corpus_db, name):
    db, _ = corpus_db
    as_view = view(db, name)
    # every rendering of each corpus report reads the same: nothing there to disagree
    assert len(as_view) > 0 if name != "rendering_disagreements" else as_view.empty
    con = duckdb.connect(str(db), read_only=True)
    try:   # the file run as it stands (what `duckdb inspections.duckdb < queries/NAME.sql` does)
        as_file = con.execute((ROOT / "queries" / f"{name}.sql").read_text(encoding="utf-8")).df()
    finally:
        con.close()
    assert as_file.astype(str).values.tolist() == as_view.astype(str).values.tolist()


def test_reports_groups_renderings_of_one_report(corpus_db):
    db, _ = corpus_db
    rows = view(db, "reports").to_dict("records")
    by_provider = {r["provider_name"]: r for r in rows}
    for name, g in gold_files().items():
        if not g.get("is_inspection_report"):
            continue
        r = by_provider[g["provider_name"]]
        stem = g["source_file"].rsplit(".", 1)[0]
        assert any(stem in d for d in r["renderings"]), (name, r["renderings"])
        assert r["cases_inspected"] == g["cases_inspected"]["case_supervision"], name
    assert len(rows) == len(by_provider)    # one report per provider in this corpus


def test_league_table_against_gold(corpus_db):
    from hmip_inspections.normalise.reference import league_column, league_columns, methodology
    db, _ = corpus_db
    league = view(db, "league_table")
    # no column named by a bare standard code: every standard column is named by what it is
    assert not [c for c in league.columns if re.fullmatch(r"[\d.]+", c)]
    assert [c for c in league.columns if c in league_columns()] and set(league_columns()) <= set(league.columns)
    rows = {r["provider_name"]: r for r in league.to_dict("records")}
    assert len(rows) == len(RATED)
    for name, g in RATED.items():
        r = rows[g["provider_name"]]
        assert (r["overall_rating"], r["score"], r["score_max"]) == (
            g["overall"]["rating"], g["overall"]["score"], g["overall"]["score_max"]), name
        std = {s["code"]: s for s in methodology(r["kind"])["standards"]}
        cols = set()
        for s in g["standards"]:
            col = league_column(std[framework_code(s)])
            assert r[col] == s["rating"], (name, s["code"], col)
            cols.add(col)
        assert all(r[c] is None or r[c] != r[c] for c in league_columns() if c not in cols), name
    # the same standard, the same column, whatever its code: CRC 2.3 and PDU 2.4 are implementation
    # and delivery; the CRC's 2.4 (reviewing) is not the PDU's 2.4
    crc, pdu = rows["Merseyside Community Rehabilitation Company"], rows["Liverpool North PDU"]
    assert (crc["implementation_and_delivery"], crc["reviewing"]) == ("Requires improvement", "Inadequate")
    assert (pdu["implementation_and_delivery"], pdu["reviewing"]) == ("Inadequate", "Requires improvement")


def test_ratings_long_has_every_rating_with_code_name_and_score(corpus_db):
    db, _ = corpus_db
    long = view(db, "ratings_long")
    reports = view(db, "reports")
    n = query(db, "SELECT count(*) FROM standard_ratings WHERE list_contains(?, document_id)",
              [list(reports["document_id"])])[0][0]
    assert len(long) == n
    row = long[(long.provider_name == "Liverpool North PDU") & (long.standard_code == "2.3")].iloc[0]
    assert (row.standard_name, row.league_column, row.rating, row.rating_score) == ("Planning", "planning", "Inadequate", 0)


def test_standard_key_questions_against_gold(corpus_db):
    db, _ = corpus_db
    for name, g in RATED.items():
        printed_to_framework = {s["code"]: framework_code(s) for s in g["standards"]}
        for kq in g["key_questions"]:
            if kq.get("current_pct") is None:
                continue
            code = printed_to_framework.get(kq["standard_code"], kq["standard_code"])
            got = view(db, "standard_key_questions", "WHERE provider_name = ? AND standard_code = ? AND question = ?",
                       [g["provider_name"], code, kq["question"]])
            assert len(got) == 1, (name, kq["question"])
            row = got.iloc[0]
            assert row["current_pct"] == kq["current_pct"]
            lo = {"Inadequate": 0, "Requires improvement": 50, "Good": 65, "Outstanding": 80}[row["band"]]
            assert lo <= kq["current_pct"]


def test_changes_since_previous_against_gold(corpus_db):
    db, _ = corpus_db
    steps = {"Inadequate": 0, "Requires improvement": 1, "Good": 2, "Outstanding": 3}
    n = 0
    for name, g in RATED.items():
        got = view(db, "changes_since_previous", "WHERE provider_name = ?", [g["provider_name"]])
        std = {r["standard_code"]: r for r in got[got.item_type == "standard"].to_dict("records")}
        for s in g["standards"]:
            if s.get("previous_rating") in steps and s["rating"] in steps:
                r = std[framework_code(s)]
                assert (r["previous"], r["current"]) == (s["previous_rating"], s["rating"])
                assert r["change"] == steps[s["rating"]] - steps[s["previous_rating"]]
                n += 1
        kq = {r["item"]: r for r in got[got.item_type == "key question"].to_dict("records")}
        for q in g["key_questions"]:
            if q.get("previous_pct") is not None and q.get("current_pct") is not None:
                assert kq[q["question"]]["change"] == pytest.approx(q["current_pct"] - q["previous_pct"])
                n += 1
    assert n > 10


def test_staffing_vs_ratings_against_gold(corpus_db):
    db, _ = corpus_db
    rows = {r["provider_name"]: r for r in view(db, "staffing_vs_ratings").to_dict("records")}
    checked = 0
    for name, g in RATED.items():
        r = rows[g["provider_name"]]
        assert r["staff_rating"] == next(s["rating"] for s in g["standards"] if s["code"] == "1.2")
        for w in (g.get("staffing") or []) + (g.get("caseload") or []):
            code = metric_code(w["metric"]) if w.get("source", "table") == "table" else None
            if code in r and isinstance(w.get("current"), (int, float)):
                assert r[code] == pytest.approx(w["current"]), (name, w["metric"])
                checked += 1
    assert checked >= 8


def test_audit_summary_against_gold_and_findings(corpus_db):
    db, _ = corpus_db
    summary = view(db, "audit_summary")
    for name, g in RATED.items():
        mine = summary[summary.provider_name == g["provider_name"]]
        did = mine["document_id"].iloc[0]
        assert mine["findings"].sum() == query(db, "SELECT count(*) FROM audit_findings WHERE document_id = ?",
                                               [did])[0][0]
        explained = {s["standard_code"] for s in g["audit"].get("standards", []) if s.get("explained_by")}
        band = mine[mine.rule == "standard_band"]
        assert set(band["subjects"].str.split(", ").sum() if len(band) else []) == explained, name
        assert band["explained"].sum() == len(explained)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "hmip_inspections.cli.main", *args], cwd=ROOT, capture_output=True, text=True)


def test_query_command_prints_table_csv_and_json(corpus_db):
    db, _ = corpus_db
    table = _cli("query", "league_table", "--db", str(db))
    assert table.returncode == 0 and "Liverpool No" in table.stdout and table.stdout.endswith("\n")
    assert "2 rows" in table.stdout and "(2 rows)" not in table.stdout
    out = _cli("query", "standard_key_questions", "--db", str(db), "--where", "standard_code = '2.1'", "--csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows and {r["standard_code"] for r in rows} == {"2.1"}
    assert list(rows[0]) == list(view(db, "standard_key_questions").columns)
    js = json.loads(_cli("query", "audit_summary", "--db", str(db), "--json").stdout)
    assert sum(r["findings"] for r in js) == view(db, "audit_summary")["findings"].sum()
    listing = _cli("query")
    assert all(n in listing.stdout for n in QUERIES)


def test_a_table_fits_the_terminal_and_reads_as_the_duckdb_cli_prints_one():
    import pandas as pd

    from hmip_inspections.store.queries import table_text
    df = pd.DataFrame({"provider_name": ["Merseyside Community Rehabilitation Company", None],
                       "standard_code": ["2.1", "10.2"], "score": [13, None], "pct": [61.0, 47.5],
                       "message": ["x" * 300, "short"]})
    out = table_text(df, 80).split("\n")
    assert all(len(line) <= 80 for line in out)
    # long text cut with an ellipsis; text left-aligned, numbers right-aligned; nothing printed as None
    assert "…" in out[2] and out[2].startswith("Merseyside") and "None" not in "\n".join(out) \
        and "nan" not in "\n".join(out).lower().replace("pct", "")
    head = out[0].split(" | ")
    assert [h.strip() for h in head] == ["provider_name", "standard_code", "score", "pct", "message"]
    assert out[2].split(" | ")[3].strip() == "61" and out[3].split(" | ")[3].endswith("47.5")
    assert out[-1] == "2 rows"
    assert table_text(df.head(1), 200).split("\n")[-1] == "1 row"
    assert table_text(df.head(0), 200).split("\n")[-1] == "no rows"
    # a terminal too narrow for every column: the last ones are left out, and the footer says so
    assert table_text(df, 30).split("\n")[-1].startswith("2 rows; ")


def test_query_errors_are_one_line(corpus_db, tmp_path):
    db, _ = corpus_db
    bad = _cli("query", "no_such_query", "--db", str(db))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no_such_query" in bad.stderr   # usage
    missing = _cli("query", "league_table", "--db", str(tmp_path / "nope.duckdb"))
    assert missing.returncode == 1 and "nope.duckdb" in missing.stderr


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_table(corpus_db, tmp_path, fmt):
    db, _ = corpus_db
    from hmip_inspections.store.export import export
    counts = export(str(db), str(tmp_path / "out"), fmt)
    # every table, and every query as a view
    assert set(counts) == set(TABLES) | set(QUERIES)
    schema = json.loads((tmp_path / "out" / "schema.json").read_text(encoding="utf-8"))
    con = duckdb.connect()
    for t, spec in TABLES.items():
        f = tmp_path / "out" / f"{t}.{fmt}"
        reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
        assert con.execute(f"SELECT count(*) FROM {reader}('{f.as_posix()}')").fetchone()[0] == counts[t] \
            == query(db, f'SELECT count(*) FROM "{t}"')[0][0]
        cols = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {reader}('{f.as_posix()}')").fetchall()]
        assert cols == [c for c, _, _ in spec["columns"]] == [c["name"] for c in schema[t]["columns"]]
    assert {schema[q]["kind"] for q in QUERIES} == {"view"}
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    # no absolute path of the machine that ran the refresh
    text = "".join(p.read_bytes().decode("latin-1") for p in (tmp_path / "out").iterdir() if p.suffix == ".csv")
    assert str(CORPUS) not in text if fmt == "csv" else True


def test_exports_read_back_with_their_types_in_pandas(corpus_db, tmp_path):
    import pandas as pd

    from hmip_inspections.store.export import export, read_csv
    db, _ = corpus_db
    export(str(db), str(tmp_path / "pq"), "parquet", quiet=True)
    export(str(db), str(tmp_path / "csv"), "csv", quiet=True)
    for name in sorted(set(TABLES) | set(QUERIES)):
        # the README's read_parquet works in the project's own environment, for every file
        pq = pd.read_parquet(tmp_path / "pq" / f"{name}.parquet")
        assert len(pq) == query(db, f'SELECT count(*) FROM "{name}"')[0][0]
    kq = read_csv(tmp_path / "csv", "key_questions")
    # a standard code stays text ('2.1', not 2.1), a percentage a number, a line an integer
    assert kq["standard_code"].dtype == "string" and "2.1" in set(kq["standard_code"])
    assert kq["current_pct"].dtype == "float64" and str(kq["line"].dtype) == "Int64"
    docs = read_csv(tmp_path / "csv", "documents")
    assert not docs["source_path"].str.startswith("/").any()
    assert set(docs["source_path"]) == set(docs["document_id"])


def test_schema_prints_text_and_markdown_with_views():
    out = _cli("schema").stdout
    md = _cli("schema", "--markdown").stdout
    assert "| column | type | meaning |" in md and "| column |" not in out
    for name in QUERIES:
        assert name in out and f"`{name}`" in md


# ------------------------------------------------------------------ HTML report
class _Cells(HTMLParser):
    """Collect (class, text) of every table cell, and whether an <svg> chart is present."""

    def __init__(self):
        super().__init__()
        self.cells, self._open, self.svg, self.links = [], None, False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("td", "th"):
            self._open = [a.get("class") or "", ""]
        if tag == "svg":
            self.svg = True
        if tag == "a":
            self.links.append(a.get("href"))

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._open is not None:
            self.cells.append((self._open[0], " ".join(self._open[1].split())))
            self._open = None


@pytest.fixture(scope="module")
def site(corpus_db, tmp_path_factory):
    db, _ = corpus_db
    from hmip_inspections.report import build
    out = tmp_path_factory.mktemp("site")
    return build(str(db), str(out)), out


def test_html_index_has_the_league_grid_in_rating_colours(site):
    res, out = site
    p = _Cells()
    p.feed((out / "index.html").read_text(encoding="utf-8"))
    for g in RATED.values():
        for s in g["standards"]:
            assert (f"rating rating-{s['rating'].lower().replace(' ', '-')}", s["rating"]) in p.cells
    assert all((out / link).exists() for link in p.links if link.startswith("reports/"))
    assert len(res["reports"]) == 3


def test_html_report_page_has_ratings_chart_and_findings(site, corpus_db):
    res, out = site
    db, _ = corpus_db
    page = next(p for p in res["reports"] if "merseyside" in p)
    text = open(page, encoding="utf-8").read()
    p = _Cells()
    p.feed(text)
    assert p.svg and "band" in text
    did = next(l for l in text.splitlines() if "figures below from" in l).split("<code>")[1].split("</code>")[0]
    findings = query(db, "SELECT rule, subject, page FROM audit_findings WHERE document_id = ?", [did])
    assert findings
    texts = [c[1] for c in p.cells]
    for rule, subject, pg in findings:
        assert rule in texts and subject in texts
    assert any("professional discretion" in t for t in texts)


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not _chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("which", ["index", "report"])
def test_html_opens_in_headless_chromium_without_console_errors(site, tmp_path, which):
    res, out = site
    target = out / "index.html" if which == "index" else next(
        Path(p) for p in res["reports"] if "liverpool" in Path(p).name)
    proc = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", "--dump-dom",
         target.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [l for l in proc.stderr.splitlines() if ":CONSOLE" in l]
    assert console == []
    p = _Cells()
    p.feed(proc.stdout)        # the DOM as the browser built it
    if which == "index":
        assert ("rating rating-inadequate", "Inadequate") in p.cells
        assert ("rating rating-not-rated", "Not rated") in p.cells
    else:
        assert p.svg
        assert "standard_band" in [c[1] for c in p.cells]


def _renderings(g: dict) -> list[str]:
    stem = g["source_file"].rsplit(".", 1)[0]
    return [stem, *[p.rsplit(".", 1)[0] for p in (g.get("pdf_renderings") or [])]]


def test_provider_ratings_and_key_questions_against_gold_for_every_rendering(corpus_db):
    db, _ = corpus_db
    ratings = view(db, "provider_ratings")
    kqs = view(db, "provider_key_questions")
    for name, g in RATED.items():
        mine = ratings[ratings.provider_name == g["provider_name"]]
        docs = sorted(set(mine["document_id"]))
        assert len(docs) >= 2, name                       # text and PDF renderings both listed
        for did in docs:
            got = {r["standard_code"]: r["rating"] for r in mine[mine.document_id == did].to_dict("records")}
            assert got == {framework_code(s): s["rating"] for s in g["standards"]}, (name, did)
            k = kqs[(kqs.document_id == did) & kqs.current_pct.notna()]
            want = sorted((q["question"], q["current_pct"]) for q in g["key_questions"] if q.get("current_pct") is not None)
            assert sorted(zip(k["question"], k["current_pct"])) == want, (name, did)


def test_previous_recommendation_progress_against_gold(corpus_db):
    """Each previous recommendation with its verdict (as the gold has them), how many share that
    verdict, and the count the report's own summary states for it (the audit compares the two)."""
    from collections import Counter
    db, _ = corpus_db
    rows = view(db, "previous_recommendation_progress").to_dict("records")
    for name, g in gold_files().items():
        mine = [r for r in rows if r["provider_name"] == g["provider_name"]]
        gold = [(p["number"], p["progress"]) for p in g.get("previous_recommendations", [])]
        assert [(r["number"], r["progress"]) for r in mine] == gold, name
        per = Counter(p for _, p in gold)
        assert all(r["verdicts_with_this_progress"] == per[r["progress"]] for r in mine)
        assert all(r["stated_in_summary"] is not None and r["page"] is not None for r in mine)


def test_contextual_facts_against_gold(corpus_db):
    """The panel's facts, or the background's where a report prints no panel, for each report once."""
    db, _ = corpus_db
    for name, g in gold_files().items():
        if not g.get("is_inspection_report"):
            continue
        got = view(db, "contextual_facts", "WHERE provider_name = ?", [g["provider_name"]])
        expected = sorted((f["source"], float(f["number"]), f["unit"]) for f in g["contextual_facts"])
        assert sorted(zip(got["source"], got["number"].astype(float), got["unit"])) == expected, name


#: measures the page in the frame it is loaded in, and tells the page around it: its scroll width,
#: its client width, and the elements (outside a scrolling box) that reach past the right edge
_PROBE = """<script>window.addEventListener('load', () => { const d = document.documentElement; const wide = [];
for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect();
  if (r.right > d.clientWidth + 1 && !e.closest('.scroll')) wide.push(e.tagName + '.' + e.className); }
parent.postMessage(JSON.stringify({sw: d.scrollWidth, cw: d.clientWidth, wide: wide.slice(0, 5)}), '*'); });
</script></body>"""


def _chromium_run(tmp_path, url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1600,1000", "--virtual-time-budget=3000", "--hide-scrollbars", *extra, url],
        capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not _chromium(), reason="Debian's chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [1400, 390])
def test_no_html_page_scrolls_sideways_at_desktop_or_phone_width(site, tmp_path, width):
    """Each page in a frame of the given width (headless Chromium will not make a window narrower
    than 500 px): nothing but a scrolling box (the league grid) is wider than the page, and a
    screenshot is taken of each."""
    res, out = site
    copy = tmp_path / "site"
    shutil.copytree(out, copy)
    pages = [copy / "index.html", *sorted((copy / "reports").glob("*.html"))]
    assert len(pages) == 1 + len(res["reports"])
    for page in pages:
        probe = page.with_name(page.stem + ".probe.html")
        probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE), encoding="utf-8")
        frame = copy / f"frame-{page.stem}.html"
        frame.write_text(
            f'<html><body style="margin:0"><iframe src="{probe.relative_to(copy).as_posix()}" width="{width}" '
            'height="900" style="border:0"></iframe><pre id="out"></pre><script>window.addEventListener("message", '
            'e => { document.getElementById("out").textContent = e.data; });</script></body></html>', encoding="utf-8")
        proc = _chromium_run(tmp_path, frame.as_uri(), "--dump-dom")
        m = re.search(r'<pre id="out">(.*?)</pre>', proc.stdout)
        assert m, (page.name, proc.stderr[-1000:])
        seen = json.loads(html_lib.unescape(m.group(1)))
        assert seen["sw"] <= seen["cw"] and seen["wide"] == [], (page.name, width, seen)
        shot = tmp_path / f"{page.stem}-{width}.png"
        _chromium_run(tmp_path, frame.as_uri(), f"--screenshot={shot}")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chart_keeps_whole_questions_and_percentages_clear_of_the_markers():
    import pandas as pd

    from hmip_inspections.report.html import kq_chart_svg
    long_q = ("Does the implementation and delivery of services effectively support the safety of other people, "
              "including those at risk from domestic abuse?")
    kq = pd.DataFrame([{"standard_code": "2.3", "question": long_q, "current_pct": 47.0, "previous_pct": 46.0,
                        "comparator_pct": 48.0}])
    bands = pd.DataFrame([{"rating": "Inadequate", "min_pct": 0, "max_pct": 49},
                          {"rating": "Requires improvement", "min_pct": 50, "max_pct": 64},
                          {"rating": "Good", "min_pct": 65, "max_pct": 79},
                          {"rating": "Outstanding", "min_pct": 80, "max_pct": 100}])
    svg = kq_chart_svg(kq, bands)
    # the question whole (wrapped over lines), never cut with '...'
    assert "..." not in svg and "domestic abuse?" in svg and "including those at risk from" in svg
    # the percentage is drawn right of the plot area (its x beyond the axes' right edge, the 100% line),
    # where no previous or comparator marker can be
    axes_right = float(re.search(r'<g id="patch_2">\s*<path d="M [\d.]+ [\d.]+ \s*L ([\d.]+)', svg).group(1))
    label_x = float(re.search(r'x="([\d.]+)" y="[\d.]+"[^>]*>47%</text>', svg).group(1))
    assert label_x > axes_right
