"""Fetch what the inspectorate has published into a corpus folder, politely and without half-written files.

What to follow is data (``pipeline/sources.json``): start pages, pagination, the pages to read for
links (an inspection's page), and the links that are report documents. One HTTP client (httpx: a
well-kept client with timeouts, redirects and streaming; nothing written by hand over urllib), a
User-Agent naming the tool, robots.txt respected, at most one request per second to a host by
default, retries with backoff on timeouts, 429 (honouring Retry-After) and 5xx, a size limit, and
the content type checked against what the link should be. A second run sends the ETag and
Last-Modified it was given (conditional requests) and downloads nothing that has not changed.

A download is written to a hidden temporary file in the corpus folder, checked against its
Content-Length, and renamed into place only when complete: a failure leaves the previous file, and
nothing is ever deleted. The hidden manifest ``.fetch-manifest.json`` keeps, per document URL: the
final URL after redirects, ETag, Last-Modified, SHA-256, size, content type, the file it was saved
as, when it was fetched and its last status. The same content under two URLs is stored once.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from .. import __version__

#: the manifest's name in the corpus folder (hidden: the refresh does not read it as a document)
MANIFEST = ".fetch-manifest.json"


class FetchError(Exception):
    """The fetch could not run at all (no listing could be read, a corpus folder that is a file)."""


def sources() -> dict:
    """The fetch configuration (pipeline/sources.json)."""
    return json.loads(resources.files(__package__).joinpath("sources.json").read_text(encoding="utf-8"))


@dataclass
class Outcome:
    """What happened to one document URL."""
    url: str
    status: str                 # fetched, unchanged, duplicate, skipped, failed, would_fetch
    why: str = ""
    file: str | None = None     # the corpus file (relative to the corpus folder)


@dataclass
class FetchResult:
    corpus: str
    listings: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)      # listing pages that could not be read

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes) or bool(self.problems)


class _Links(HTMLParser):
    """Every <a href> of a page, and the rel="next" link (a or link element)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.next: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        href = a.get("href")
        if not href:
            return
        if tag == "a":
            self.links.append(href)
        if tag in ("a", "link") and "next" in (a.get("rel") or "").lower().split():
            self.next.append(href)


def _path(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")


def _matches(url: str, patterns: list[str]) -> bool:
    return any(re.search(p, _path(url)) for p in patterns)


def _clean(url: str) -> str:
    """A URL without its fragment."""
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, p.path, p.query, ""))


class Fetcher:
    """A polite HTTP client: one request per `interval` seconds per host, robots.txt, retries."""

    def __init__(self, config: dict, interval: float | None = None, timeout: float | None = None,
                 retries: int | None = None, backoff: float | None = None, client=None,
                 say: Callable[[str], None] | None = None):
        import httpx
        self.cfg = config
        self.interval = config["min_interval_seconds"] if interval is None else interval
        self.timeout = config["timeout_seconds"] if timeout is None else timeout
        self.retries = config["retries"] if retries is None else retries
        self.backoff = config["backoff_seconds"] if backoff is None else backoff
        self.max_bytes = config["max_bytes"]
        self.agent = config["user_agent"].format(version=__version__)
        self.client = client or httpx.Client(headers={"User-Agent": self.agent}, follow_redirects=True,
                                             timeout=httpx.Timeout(self.timeout), max_redirects=10)
        self.say = say or (lambda m: None)
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}

    def close(self) -> None:
        self.client.close()

    def _wait(self, url: str) -> None:
        host = urlsplit(url).netloc
        gap = time.monotonic() - self._last.get(host, -1e9)
        if gap < self.interval:
            time.sleep(self.interval - gap)
        self._last[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this tool fetch the URL (a site without one allows everything)."""
        p = urlsplit(url)
        base = f"{p.scheme}://{p.netloc}"
        if base not in self._robots:
            rp = None
            try:
                r = self.request("GET", base + "/robots.txt")
                if r.status_code == 200:
                    rp = RobotFileParser()
                    rp.parse(r.text.splitlines())
            except Exception:       # no robots.txt to be had: nothing forbids
                rp = None
            self._robots[base] = rp
        rp = self._robots[base]
        return True if rp is None else rp.can_fetch(self.agent, url)

    def request(self, method: str, url: str, headers: dict | None = None, stream_to: Path | None = None):
        """One request, retried on timeouts, 429 and 5xx (with backoff; Retry-After honoured). With
        stream_to, a 200's body is written there (up to max_bytes) and the response returned without
        it; otherwise the body is read into the response. Raises httpx errors, or ValueError for a
        body over the size limit or shorter than its Content-Length."""
        import httpx
        attempt = 0
        while True:
            self._wait(url)
            try:
                with self.client.stream(method, url, headers=headers) as r:
                    if r.status_code != 429 and r.status_code < 500 or attempt >= self.retries:
                        if stream_to is not None and r.status_code == 200:
                            self._save(r, stream_to)
                        elif stream_to is None:
                            r.read()
                        return r
                    delay = self._delay(r, attempt)
            except (httpx.TimeoutException, httpx.TransportError) as e:
                if isinstance(e, httpx.RemoteProtocolError) and stream_to is not None and stream_to.exists():
                    raise           # a body cut short: not retried blindly, reported
                if attempt >= self.retries:
                    raise
                delay = self.backoff * 2 ** attempt
                self.say(f"  retrying {url} in {delay:g} s: {type(e).__name__}")
            attempt += 1
            time.sleep(delay)

    def _delay(self, r, attempt: int) -> float:
        """Seconds to wait before retrying: Retry-After (seconds or a date) for a 429 or 503, else
        exponential backoff."""
        ra = r.headers.get("Retry-After")
        delay = self.backoff * 2 ** attempt
        if ra:
            try:
                delay = float(ra)
            except ValueError:
                try:
                    delay = (parsedate_to_datetime(ra) - datetime.now(timezone.utc)).total_seconds()
                except (TypeError, ValueError):
                    pass
        delay = max(0.0, min(delay, self.cfg["max_retry_after_seconds"]))
        self.say(f"  retrying {r.url} in {delay:g} s: HTTP {r.status_code}")
        return delay

    def _save(self, r, target: Path) -> None:
        """Write a response's body to target, within the size limit; check it against Content-Length."""
        n = 0
        declared = r.headers.get("Content-Length")
        if declared and int(declared) > self.max_bytes:
            raise ValueError(f"larger than the size limit ({int(declared)} bytes > {self.max_bytes})")
        with open(target, "wb") as fh:
            for chunk in r.iter_raw():
                n += len(chunk)
                if n > self.max_bytes:
                    raise ValueError(f"larger than the size limit ({self.max_bytes} bytes)")
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if declared and int(declared) != n and not r.headers.get("Content-Encoding"):
            raise ValueError(f"incomplete download: {n} of {declared} bytes")


def _load_manifest(corpus: Path) -> dict:
    p = corpus / MANIFEST
    if not p.exists():
        return {"documents": {}}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise FetchError(f"{p}: unreadable manifest ({e}); move it aside to start afresh") from e


def _write_manifest(corpus: Path, manifest: dict) -> None:
    p = corpus / MANIFEST
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, p)


def _name_for(url: str, save: str, used: set[str], corpus: Path) -> str:
    """The corpus file a document URL is saved as: SAVE/<last part of its path>[.html]."""
    last = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or "document"
    last = re.sub(r"[^\w.\-]+", "-", last).strip("-.") or "document"
    if save == "html" and not last.lower().endswith((".html", ".htm")):
        last += ".html"
    stem, dot, ext = last.rpartition(".")
    name, k = f"{save}/{last}", 2
    while name in used or (corpus / name).exists():
        name, k = f"{save}/{stem}-{k}.{ext}", k + 1
    return name


def _document_rule(url: str, sites: list[dict]) -> dict | None:
    """The sites' 'documents' rule whose pattern the URL matches, or None: the URL is no document."""
    return next((d for s in sites for d in s.get("documents", []) if _matches(url, [d["pattern"]])), None)


def discover(f: Fetcher, start: list[str], sites: list[dict], max_pages: int, result: FetchResult) -> list[tuple[str, dict]]:
    """Read the listing pages from `start` (following pagination, and the pages the sites' 'follow'
    patterns name, one level), and return the document links found: (url, its documents rule)."""
    import httpx
    pagination = [p for s in sites for p in s.get("pagination", [])]
    follow = [p for s in sites for p in s.get("follow", [])]
    queue = [(u, "listing") for u in start]
    seen: set[str] = set()
    found: dict[str, dict] = {}
    while queue:
        url, role = queue.pop(0)
        url = _clean(url)
        if url in seen or len(seen) >= max_pages:
            continue
        seen.add(url)
        if not f.allowed(url):
            result.problems.append(f"{url}: not read: robots.txt disallows it")
            continue
        try:
            r = f.request("GET", url)
        except (httpx.HTTPError, ValueError) as e:
            result.problems.append(f"{url}: listing not read: {type(e).__name__}: {e}")
            continue
        if r.status_code != 200:
            result.problems.append(f"{url}: listing not read: HTTP {r.status_code}")
            continue
        result.listings += 1
        page = _Links()
        page.feed(r.text)
        host = urlsplit(str(r.url)).netloc
        for href in page.next:
            queue.append((urljoin(str(r.url), href), "listing"))
        for href in page.links:
            link = _clean(urljoin(str(r.url), href))
            if urlsplit(link).netloc != host or link in found:
                continue        # another site: never followed
            rule = _document_rule(link, sites)
            if rule:
                found[link] = rule
            elif role == "listing" and _matches(link, pagination):
                queue.append((link, "listing"))
            elif role == "listing" and _matches(link, follow):
                queue.append((link, "inspection page"))
    return list(found.items())


def fetch(corpus: str | Path = "corpus", source: list[str] | None = None, urls: list[str] | None = None,
          since: date | None = None, dry_run: bool = False, say: Callable[[str], None] | None = None,
          config: dict | None = None, **client_options) -> FetchResult:
    """Fetch new and changed report documents into the corpus folder; return what happened.

    source: listing pages to read (default: the configured sites' start pages, unless `urls` is
    given); urls: document URLs to fetch directly; since: documents not yet fetched are asked for
    only if modified since that date (If-Modified-Since). client_options go to Fetcher (interval,
    timeout, retries, backoff)."""
    cfg = config or sources()
    say = say or (lambda m: None)
    corpus = Path(corpus)
    if corpus.exists() and not corpus.is_dir():
        raise FetchError(f"{corpus}: not a folder")
    corpus.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(corpus)
    docs: dict = manifest.setdefault("documents", {})
    res = FetchResult(str(corpus))
    f = Fetcher(cfg, say=say, **client_options)
    try:
        sites = cfg["sites"]
        targets: list[tuple[str, dict]] = []
        if source or not urls:
            start = source or [u for s in sites for u in s["start"]]
            targets += discover(f, start, sites, cfg["max_listing_pages"], res)
        for u in urls or []:
            targets.append((u, _document_rule(u, sites) or {"save": "pdf" if _path(u).lower().endswith(".pdf") else "html",
                                        "content_types": []}))
        if res.problems and not res.listings and not urls:
            say(f"no listing page could be read ({'; '.join(res.problems[:3])})")
        used = {e["file"] for e in docs.values() if e.get("file")}
        by_sha = {e["sha256"]: e["file"] for e in docs.values() if e.get("sha256") and e.get("file")}
        for k, (url, rule) in enumerate(targets, 1):
            o = _one(f, corpus, docs, url, rule, since, dry_run, used, by_sha)
            res.outcomes.append(o)
            say(f"[{k}/{len(targets)}] {o.status:<9} {o.file or url}" + (f" - {o.why}" if o.why else ""))
            if not dry_run:
                _write_manifest(corpus, manifest)      # after each document: an interrupted run keeps what it did
    finally:
        f.close()
        for p in corpus.glob(".fetch-*.part"):
            p.unlink(missing_ok=True)
    return res


def _one(f: Fetcher, corpus: Path, docs: dict, url: str, rule: dict, since: date | None, dry_run: bool,
         used: set[str], by_sha: dict) -> Outcome:
    """Fetch one document URL (conditionally), and record it in the manifest entries `docs`."""
    import httpx
    entry = docs.get(url, {})
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    if not f.allowed(url):
        return Outcome(url, "skipped", "robots.txt disallows it", entry.get("file"))
    headers = {}
    if entry.get("etag"):
        headers["If-None-Match"] = entry["etag"]
    if entry.get("last_modified"):
        headers["If-Modified-Since"] = entry["last_modified"]
    elif since and not entry:
        headers["If-Modified-Since"] = format_datetime(datetime(since.year, since.month, since.day,
                                                                tzinfo=timezone.utc), usegmt=True)
    if dry_run:
        return Outcome(url, "would_fetch" if not entry.get("file") else "unchanged",
                       "dry run: nothing downloaded" if not entry.get("file") else "dry run: fetched before, would be "
                       "asked for again only if changed", entry.get("file"))
    part = corpus / f".fetch-{os.getpid()}-{hashlib.sha1(url.encode()).hexdigest()[:12]}.part"
    try:
        r = f.request("GET", url, headers=headers, stream_to=part)
    except httpx.TimeoutException:
        entry.update(url=url, last_status="timeout", checked_at=now)
        docs[url] = entry
        return Outcome(url, "failed", f"timed out after {f.retries + 1} attempts", entry.get("file"))
    except (httpx.HTTPError, ValueError, OSError) as e:
        part.unlink(missing_ok=True)
        why = str(e) if isinstance(e, ValueError) else f"{type(e).__name__}: {e}"
        if isinstance(e, httpx.RemoteProtocolError):
            why = f"incomplete download ({e})"
        entry.update(url=url, last_status="failed", checked_at=now)
        docs[url] = entry
        return Outcome(url, "failed", why + ("; the previous file is kept" if entry.get("file") else ""),
                       entry.get("file"))
    entry.update(url=url, final_url=str(r.url), checked_at=now, last_status=r.status_code)
    docs[url] = entry
    if r.status_code == 304:
        return Outcome(url, "unchanged", "not modified (304)" if entry.get("file") else
                       f"not modified since {since}", entry.get("file"))
    if r.status_code != 200:
        part.unlink(missing_ok=True)
        return Outcome(url, "failed", f"HTTP {r.status_code} {r.reason_phrase}".strip(), entry.get("file"))
    ctype = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if rule.get("content_types") and ctype not in rule["content_types"]:
        part.unlink(missing_ok=True)
        return Outcome(url, "skipped", f"content type {ctype or 'none'} is not a {rule['save']} document",
                       entry.get("file"))
    sha = hashlib.sha256(part.read_bytes()).hexdigest()
    size = part.stat().st_size
    entry.update(etag=r.headers.get("ETag"), last_modified=r.headers.get("Last-Modified"), sha256=sha,
                 size=size, content_type=ctype, fetched_at=now)
    if sha in by_sha and by_sha[sha] != entry.get("file"):
        part.unlink(missing_ok=True)
        entry["file"] = by_sha[sha]
        return Outcome(url, "duplicate", f"the same content as {by_sha[sha]}: stored once", by_sha[sha])
    if entry.get("file") and (corpus / entry["file"]).exists() and \
            hashlib.sha256((corpus / entry["file"]).read_bytes()).hexdigest() == sha:
        part.unlink(missing_ok=True)
        return Outcome(url, "unchanged", "same content", entry["file"])
    name = entry.get("file") or _name_for(str(r.url) if rule["save"] == "pdf" else url, rule["save"], used, corpus)
    target = corpus / name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, target)
    used.add(name)
    by_sha[sha] = name
    entry["file"] = name
    return Outcome(url, "fetched", f"{size:,} bytes" + (f" via {r.url}" if str(r.url) != url else ""), name)


def source_urls(root: Path) -> dict[str, dict]:
    """{file relative to root: its manifest entry} for the documents a fetch saved under root."""
    p = Path(root) / MANIFEST
    if not p.is_file():
        return {}
    try:
        docs = json.loads(p.read_text(encoding="utf-8")).get("documents", {})
    except (OSError, ValueError):
        return {}
    out: dict[str, dict] = {}
    for url, e in sorted(docs.items()):
        if e.get("file") and e["file"] not in out:
            out[e["file"]] = {"source_url": url, "fetched_at": e.get("fetched_at")}
    return out
