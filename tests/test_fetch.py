"""`inspections fetch` against a local HTTP server (127.0.0.1, an ephemeral port), never the internet:
listing pages shaped like the inspectorate's two sites, copies of corpus files, and faults."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from conftest import CORPUS

PDF_A = (CORPUS / "pdf" / "liverpool-north-pdu-2023.pdf").read_bytes()
PDF_B = (CORPUS / "pdf" / "west-mercia-qi-2017.pdf").read_bytes()
PAGE = (CORPUS / "html" / "merseyside-crc-2020.html").read_bytes()
FAST = {"interval": 0.0, "timeout": 1.0, "retries": 2, "backoff": 0.05}


class Site:
    """Routes: path -> handler(request) returning (status, headers, body); counts the requests."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.hits: dict[str, int] = {}
        self.server = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def static(self, path: str, body: bytes, ctype: str, etag: str | None = None):
        def handle(req):
            if etag and req.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": ctype, **({"ETag": etag} if etag else {})}, body
        self.routes[path] = handle


@pytest.fixture
def site():
    s = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("#")[0]
            s.hits[path] = s.hits.get(path, 0) + 1
            h = s.routes.get(path)
            if h is None:
                status, headers, body = 404, {"Content-Type": "text/html"}, b"<p>not here</p>"
            else:
                status, headers, body = h(self)
            self.send_response(status)
            length = headers.pop("Content-Length", None)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(length if length is not None else len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *a):
            pass

    s.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=s.server.serve_forever, daemon=True)
    t.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


def _html(*links: str, next_page: str | None = None) -> bytes:
    nxt = f'<link rel="next" href="{next_page}">' if next_page else ""
    return (f"<html><head>{nxt}</head><body><main>" + "".join(f'<a href="{u}">{u}</a> ' for u in links)
            + "</main></body></html>").encode()


def _two_page_listing(site: Site) -> str:
    """A listing of two pages (the current site's shape: rel=next; the older site's: an inspection
    page linking a PDF under /wp-content/uploads/): two PDFs, one report web page reached through a
    redirect, one ordinary page."""
    site.static("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.static("/our-work/", _html("/document/merseyside-crc/", "/about-us/",
                                    "/wp-content/uploads/2023/05/liverpool-north.pdf",
                                    next_page="/our-work/page/2/"), "text/html")
    site.static("/our-work/page/2/", _html("/inspections/west-mercia/", "https://elsewhere.example/x.pdf"),
                "text/html")
    site.static("/inspections/west-mercia/", _html("/wp-content/uploads/2017/10/west-mercia.pdf"), "text/html")
    site.routes["/document/merseyside-crc/"] = lambda req: (301, {"Location": "/document/merseyside-crc-2020/"}, b"")
    site.static("/document/merseyside-crc-2020/", PAGE, "text/html; charset=utf-8", etag='"m1"')
    site.static("/about-us/", _html(), "text/html")
    site.static("/wp-content/uploads/2023/05/liverpool-north.pdf", PDF_A, "application/pdf", etag='"a1"')
    site.static("/wp-content/uploads/2017/10/west-mercia.pdf", PDF_B, "application/pdf", etag='"b1"')
    return site.url("/our-work/")


def _files(corpus: Path) -> list[str]:
    return sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*")
                  if p.is_file() and not p.name.startswith("."))


def _cli(*args: str) -> int:
    from hmip_inspections.cli.main import main
    return main(list(args))


def test_a_listing_of_two_pages_gives_exactly_its_three_documents_and_a_second_run_fetches_none(site, tmp_path):
    listing = _two_page_listing(site)
    corpus = tmp_path / "corpus"
    assert _cli("fetch", "--source", listing, "--corpus", str(corpus), "--delay", "0", "-q") == 0
    assert _files(corpus) == ["html/merseyside-crc.html", "pdf/liverpool-north.pdf", "pdf/west-mercia.pdf"]
    assert (corpus / "pdf" / "liverpool-north.pdf").read_bytes() == PDF_A
    manifest = json.loads((corpus / ".fetch-manifest.json").read_text())["documents"]
    page = manifest[site.url("/document/merseyside-crc/")]
    # the redirect's final URL, and the rest of what the manifest keeps
    assert page["final_url"] == site.url("/document/merseyside-crc-2020/")
    assert {"etag", "last_modified", "sha256", "size", "content_type", "fetched_at", "last_status", "file"} <= set(page)
    assert page["etag"] == '"m1"' and page["size"] == len(PAGE) and page["content_type"] == "text/html"
    # the ordinary page and the other site's link were not downloaded
    assert "/about-us/" not in [Path(e["file"]).name for e in manifest.values()]
    assert site.hits.get("/about-us/") is None
    before = dict(site.hits)
    # a second run: every document answered 304 (conditional requests), nothing downloaded again
    assert _cli("fetch", "--source", listing, "--corpus", str(corpus), "--delay", "0", "-q") == 0
    assert _files(corpus) == ["html/merseyside-crc.html", "pdf/liverpool-north.pdf", "pdf/west-mercia.pdf"]
    from hmip_inspections.pipeline.fetch import fetch
    res = fetch(corpus, source=[listing], **FAST)
    assert {o.status for o in res.outcomes} == {"unchanged"} and len(res.outcomes) == 3
    assert site.hits["/wp-content/uploads/2023/05/liverpool-north.pdf"] == before[
        "/wp-content/uploads/2023/05/liverpool-north.pdf"] + 2
    # a refresh of the folder stores all three, with where each came from
    db = tmp_path / "x.duckdb"
    assert _cli("refresh", str(corpus), "--db", str(db), "-q") == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = dict(con.execute("SELECT document_id, source_url FROM documents").fetchall())
        fetched_at = con.execute("SELECT count(*) FROM documents WHERE fetched_at IS NOT NULL").fetchone()[0]
    finally:
        con.close()
    assert rows == {"html/merseyside-crc.html": site.url("/document/merseyside-crc/"),
                    "pdf/liverpool-north.pdf": site.url("/wp-content/uploads/2023/05/liverpool-north.pdf"),
                    "pdf/west-mercia.pdf": site.url("/wp-content/uploads/2017/10/west-mercia.pdf")}
    assert fetched_at == 3


def test_refresh_fetch_does_both(site, tmp_path):
    listing = _two_page_listing(site)
    corpus, db = tmp_path / "corpus", tmp_path / "x.duckdb"
    assert _cli("refresh", "--fetch", str(corpus), "--source", listing, "--db", str(db), "-q") == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM documents WHERE source_url IS NOT NULL").fetchone()[0] == 3
    finally:
        con.close()


def _one(site, tmp_path, path: str, handler, **kw):
    from hmip_inspections.pipeline.fetch import fetch
    site.routes[path] = handler
    return fetch(tmp_path / "corpus", urls=[site.url(path)], **{**FAST, **kw})


def test_a_404_is_a_clear_failure(site, tmp_path):
    from hmip_inspections.pipeline.fetch import fetch
    res = fetch(tmp_path / "corpus", urls=[site.url("/wp-content/uploads/gone.pdf")], **FAST)
    (o,) = res.outcomes
    assert (o.status, o.why) == ("failed", "HTTP 404 Not Found") and _files(tmp_path / "corpus") == []


def test_a_500_then_success_is_retried(site, tmp_path):
    calls = []

    def flaky(req):
        calls.append(1)
        return (500, {}, b"oops") if len(calls) == 1 else (200, {"Content-Type": "application/pdf"}, PDF_A)
    res = _one(site, tmp_path, "/wp-content/uploads/a.pdf", flaky)
    assert [o.status for o in res.outcomes] == ["fetched"] and len(calls) == 2


def test_a_429_waits_as_retry_after_says(site, tmp_path):
    calls = []

    def busy(req):
        calls.append(time.monotonic())
        return (429, {"Retry-After": "1"}, b"") if len(calls) == 1 else (200, {"Content-Type": "application/pdf"}, PDF_A)
    res = _one(site, tmp_path, "/wp-content/uploads/a.pdf", busy)
    assert [o.status for o in res.outcomes] == ["fetched"]
    assert calls[1] - calls[0] >= 0.9


def test_a_response_slower_than_the_timeout_fails_after_its_retries(site, tmp_path):
    def slow(req):
        time.sleep(1.5)
        return 200, {"Content-Type": "application/pdf"}, PDF_A
    res = _one(site, tmp_path, "/wp-content/uploads/slow.pdf", slow, timeout=0.3, retries=1)
    (o,) = res.outcomes
    assert o.status == "failed" and "timed out after 2 attempts" in o.why
    assert _files(tmp_path / "corpus") == []


def test_a_body_shorter_than_its_content_length_leaves_the_previous_file(site, tmp_path):
    path = "/wp-content/uploads/a.pdf"
    site.static(path, PDF_A, "application/pdf", etag='"v1"')
    from hmip_inspections.pipeline.fetch import fetch
    assert [o.status for o in fetch(tmp_path / "corpus", urls=[site.url(path)], **FAST).outcomes] == ["fetched"]
    # the file changes, and its new version arrives cut short
    site.routes[path] = lambda req: (200, {"Content-Type": "application/pdf", "ETag": '"v2"',
                                           "Content-Length": len(PDF_B)}, PDF_B[:1000])
    (o,) = fetch(tmp_path / "corpus", urls=[site.url(path)], **FAST).outcomes
    assert o.status == "failed" and "incomplete download" in o.why and "previous file is kept" in o.why
    assert (tmp_path / "corpus" / "pdf" / "a.pdf").read_bytes() == PDF_A
    assert not list((tmp_path / "corpus").glob(".fetch-*.part"))


def test_a_redirect_chain_is_followed_and_its_end_recorded(site, tmp_path):
    site.routes["/document/r1/"] = lambda req: (302, {"Location": "/document/r2/"}, b"")
    site.routes["/document/r2/"] = lambda req: (301, {"Location": "/document/report-final/"}, b"")
    site.static("/document/report-final/", PAGE, "text/html")
    from hmip_inspections.pipeline.fetch import fetch
    (o,) = fetch(tmp_path / "corpus", urls=[site.url("/document/r1/")], **FAST).outcomes
    assert o.status == "fetched" and o.file == "html/r1.html"
    m = json.loads((tmp_path / "corpus" / ".fetch-manifest.json").read_text())["documents"]
    assert m[site.url("/document/r1/")]["final_url"] == site.url("/document/report-final/")


def test_the_same_file_under_two_urls_is_stored_once(site, tmp_path):
    site.static("/wp-content/uploads/a.pdf", PDF_A, "application/pdf")
    site.static("/wp-content/uploads/copy-of-a.pdf", PDF_A, "application/pdf")
    from hmip_inspections.pipeline.fetch import fetch
    res = fetch(tmp_path / "corpus", urls=[site.url("/wp-content/uploads/a.pdf"),
                                          site.url("/wp-content/uploads/copy-of-a.pdf")], **FAST)
    assert [o.status for o in res.outcomes] == ["fetched", "duplicate"]
    assert _files(tmp_path / "corpus") == ["pdf/a.pdf"]
    m = json.loads((tmp_path / "corpus" / ".fetch-manifest.json").read_text())["documents"]
    assert {e["file"] for e in m.values()} == {"pdf/a.pdf"} and len(m) == 2


def test_a_changed_file_is_fetched_again_and_replaces_the_old_in_place(site, tmp_path):
    path = "/wp-content/uploads/a.pdf"
    site.static(path, PDF_A, "application/pdf", etag='"v1"')
    from hmip_inspections.pipeline.fetch import fetch
    fetch(tmp_path / "corpus", urls=[site.url(path)], **FAST)
    site.static(path, PDF_B, "application/pdf", etag='"v2"')
    (o,) = fetch(tmp_path / "corpus", urls=[site.url(path)], **FAST).outcomes
    assert (o.status, o.file) == ("fetched", "pdf/a.pdf")
    assert (tmp_path / "corpus" / "pdf" / "a.pdf").read_bytes() == PDF_B


def test_a_link_to_a_page_that_is_not_a_report_is_skipped(site, tmp_path):
    # a /document/ link whose answer is not a web page, and a .pdf link that answers with HTML
    site.static("/our-work/", _html("/document/data.csv", "/wp-content/uploads/x.pdf", "/contact/"), "text/html")
    site.static("/document/data.csv", b"a,b\n1,2\n", "text/csv")
    site.static("/wp-content/uploads/x.pdf", b"<html>moved</html>", "text/html")
    site.static("/contact/", _html(), "text/html")
    from hmip_inspections.pipeline.fetch import fetch
    res = fetch(tmp_path / "corpus", source=[site.url("/our-work/")], **FAST)
    assert sorted((o.status, o.why) for o in res.outcomes) == [
        ("skipped", "content type text/csv is not a html document"),
        ("skipped", "content type text/html is not a pdf document")]
    assert _files(tmp_path / "corpus") == [] and site.hits.get("/contact/") is None


def test_robots_txt_is_respected(site, tmp_path):
    site.static("/robots.txt", b"User-agent: *\nDisallow: /wp-content/uploads/private/\n", "text/plain")
    site.static("/wp-content/uploads/private/a.pdf", PDF_A, "application/pdf")
    from hmip_inspections.pipeline.fetch import fetch
    (o,) = fetch(tmp_path / "corpus", urls=[site.url("/wp-content/uploads/private/a.pdf")], **FAST).outcomes
    assert (o.status, o.why) == ("skipped", "robots.txt disallows it")
    assert site.hits.get("/wp-content/uploads/private/a.pdf") is None


def test_requests_are_spaced_by_the_interval(site, tmp_path):
    stamps = []

    def stamp(req):
        stamps.append(time.monotonic())
        return 200, {"Content-Type": "application/pdf"}, PDF_A
    site.routes["/wp-content/uploads/a.pdf"] = stamp
    site.routes["/wp-content/uploads/b.pdf"] = stamp
    from hmip_inspections.pipeline.fetch import fetch
    fetch(tmp_path / "corpus", urls=[site.url("/wp-content/uploads/a.pdf"), site.url("/wp-content/uploads/b.pdf")],
          **{**FAST, "interval": 0.5})
    assert len(stamps) == 2 and stamps[1] - stamps[0] >= 0.45


def test_since_asks_only_for_what_changed_since_and_dry_run_downloads_nothing(site, tmp_path):
    from email.utils import parsedate_to_datetime

    from hmip_inspections.pipeline.fetch import fetch
    asked = []

    def dated(req):
        ims = req.headers.get("If-Modified-Since")
        asked.append(ims)
        modified = parsedate_to_datetime("Tue, 03 Mar 2020 10:00:00 GMT")
        if ims and parsedate_to_datetime(ims) >= modified:
            return 304, {}, b""
        return 200, {"Content-Type": "application/pdf", "Last-Modified": "Tue, 03 Mar 2020 10:00:00 GMT"}, PDF_A
    site.routes["/wp-content/uploads/old.pdf"] = dated
    from datetime import date
    (o,) = fetch(tmp_path / "corpus", urls=[site.url("/wp-content/uploads/old.pdf")], since=date(2021, 1, 1),
                 **FAST).outcomes
    assert o.status == "unchanged" and "not modified since 2021-01-01" in o.why and asked[-1].startswith("Fri, 01 Jan 2021")
    (o,) = fetch(tmp_path / "corpus", urls=[site.url("/wp-content/uploads/old.pdf")], dry_run=True, **FAST).outcomes
    assert o.status == "would_fetch" and len(asked) == 1 and _files(tmp_path / "corpus") == []
    (o,) = fetch(tmp_path / "corpus", urls=[site.url("/wp-content/uploads/old.pdf")], since=date(2019, 1, 1),
                 **FAST).outcomes
    assert o.status == "fetched"
