"""Saved web pages: the inspectorate publishes its recent reports as HTML."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, query
from hmip_inspections.extract import DocumentError, analyse_document, load
from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.webpage import html_to_text
from mutate import md_to_html
from hmip_inspections.normalise import normalise
from test_rewrapped_reports import PROVENANCE

PDU_MD = CORPUS / "text" / "liverpool-north-pdu-2023.md"


def _tables(doc) -> dict[str, Counter]:
    rows = normalise(analyse_document(doc), "x", "x")
    drop = PROVENANCE | {"format", "size_bytes", "lines"}
    return {t: Counter(tuple(sorted((k, v) for k, v in r.items() if k not in drop)) for r in rs)
            for t, rs in rows.items() if t not in ("pages", "extraction_notes")}


@pytest.mark.parametrize("minified", [False, True], ids=["one element a line", "minified"])
def test_a_web_page_of_a_report_gives_the_same_tables_as_its_markdown(tmp_path, minified):
    md = PDU_MD.read_text(encoding="utf-8")
    page = tmp_path / "report.html"
    page.write_text(md_to_html(md, minified), encoding="utf-8")
    doc = load(page)
    assert doc.format == "html"
    base, other = _tables(document_from_text(md, PDU_MD, "markdown")), _tables(doc)
    assert sum(len(c) for c in base.values()) > 100
    for t in base:
        assert base[t] == other[t], (t, list(base[t] - other[t])[:2], list(other[t] - base[t])[:2])


def test_the_page_text_keeps_the_report_and_leaves_out_the_page_around_it():
    page = ("<html><head><title>T</title><style>h2 {color: red}</style><script>if (a < b) {}</script></head>"
            "<body><nav><ul><li>Home</li></ul></nav><h2>Foreword <a href='#top'>(Back to top)</a></h2>"
            "<p>Staff were   committed,<br>and 61&nbsp;per&nbsp;cent &amp; more<sup>3</sup> said so.</p>"
            "<table><tr><th>Key question</th><th>Percentage &#8216;Yes&#8217;</th></tr>"
            "<tr><td>Does assessment focus sufficiently<br> on keeping other people safe?<sup>4</sup></td>"
            "<td><p>22%</p></td></tr></table><ol><li>ensure training</li><li>review plans</li></ol>"
            "<pre>a  b\nc</pre></body></html>")
    assert html_to_text(page).split("\n") == [
        "## Foreword", "",
        "Staff were committed,", "and 61 per cent & more<sup>3</sup> said so.", "",
        "Key question\tPercentage ‘Yes’",
        "Does assessment focus sufficiently on keeping other people safe?<sup>4</sup>\t22%", "",
        "- ensure training", "- review plans", "",
        "a  b", "c", ""]


def test_a_head_left_open_ends_where_the_body_starts():
    assert html_to_text("<html><head><title>T</title><body><h1>Report</h1><p>Text.</p></body></html>") == \
        "# Report\n\nText.\n"


@pytest.mark.parametrize("content,why", [(b"", "empty file"), (b"Just some notes, no markup.\n", "not an HTML page")])
def test_a_page_that_is_not_html_fails_with_a_reason(tmp_path, content, why):
    f = tmp_path / "x.html"
    f.write_bytes(content)
    with pytest.raises(DocumentError, match=why):
        load(f)


def test_a_refresh_reads_a_saved_page_as_a_report(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "liverpool-north.html").write_text(md_to_html(PDU_MD.read_text(encoding="utf-8")), encoding="utf-8")
    from hmip_inspections.pipeline import refresh
    refresh([str(folder)], str(tmp_path / "r.duckdb"), workers=1)
    assert query(tmp_path / "r.duckdb", "SELECT status, format, kind, score, score_max FROM documents") == [
        ("ok", "html", "pdu_inspection_2021_on", 4, 24)]
