"""What every rule shares: the context the rules read (Ctx), how a finding is made, where a value is in
its document, and the text helpers the families of rules use.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from ..normalise.reference import RATINGS_ORDER, band_of
from ..store.schema import qualified


#: the four ratings, lowest first (from the reference data)
RATINGS = RATINGS_ORDER


SEVERITY_ORDER = {"contradiction": 0, "minor": 1, "possible": 2, "unverified": 3, "unverified_rule": 4,
                  "explained": 5, "info": 6}


#: a figure stated in prose may differ from a table value by this much and still be a rounding
DEFAULT_ROUNDING = 0.5


#: share of a table row's content words a sentence must contain to be taken as describing that row
DEFAULT_MATCH_SHARE = 0.8


DEFAULT_MATCH_MIN_WORDS = 4


STOP_WORDS = set("""a an and are as at be been being both by does do for from has have in into is it its of on or
than that the their them there these they this to was were what when where which while who with would
service user users person probation sufficiently sufficient whether any all other people case cases
average previous current months month year years total number proportion percentage""".split())


EXPLANATION_RE = re.compile(r"professional discretion|ratings panel|initially rated|increase the rating|"
                            r"decrease the rating|moderat\w+ the (?:provisional|indicative) rating|"
                            r"change to the provisional rating", re.I)


@dataclass
class Ctx:
    """What the rules read: the reference tables (once per run) and each document's rows.

    A document's rows come from ``rows(table, document_id)``, which reads the table once for the
    whole batch of documents being audited (``documents``) and hands each document its own rows in
    stored order: a handful of queries per batch instead of a dozen per document."""
    con: object            # DuckDB connection
    cache: dict = field(default_factory=dict)     # reference data, read once per run
    documents: list[str] | None = None            # the batch being audited (None: every document)
    batch: dict = field(default_factory=dict)     # per-batch rows, by table then document
    lines: dict = field(default_factory=dict)     # per-batch: a document's lines, rebuilt from its pages
    source: str | None = None                     # an attached database holding the documents' rows, if any

    def table(self, name: str) -> str:
        """Where a per-document table is read: the source database's copy, or the database's own."""
        return qualified(name, self.source)

    def q(self, sql: str, params=None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def start_batch(self, documents: list[str] | None) -> None:
        self.documents = documents
        self.batch = {}
        self.lines = {}

    def rows(self, table: str, did: str) -> list[dict]:
        """Every row of a per-document table for one document of the batch, in stored order."""
        by = self.batch.get(table)
        if by is None:
            sql, params = f"SELECT * FROM {self.table(table)}", []
            if self.documents is not None:
                sql, params = sql + " WHERE list_contains(?, document_id)", [self.documents]
            by = self.batch[table] = {}
            for r in self.q(sql, params):
                by.setdefault(r["document_id"], []).append(r)
        return by.get(did, [])

    def done(self, did: str) -> None:
        """Forget a document whose rules have all run: its rows and the lines rebuilt from its pages.
        What the audit holds is then the batch's rows read and one document's lines, not every
        document's (a refresh audits in its main process: this is most of that process's peak)."""
        for by in self.batch.values():
            by.pop(did, None)
        for key in [k for k in self.lines if k == did or (isinstance(k, tuple) and did in k)]:
            del self.lines[key]
        # the word sets of its sentences too: kept across documents, their entries (evicted and
        # replaced all along) were scattered among short-lived objects, and pinned their memory
        content_words.cache_clear()

    def ref(self, table: str) -> list[dict]:
        """A reference table (ref_*), read once per run."""
        key = ("ref", table)
        if key not in self.cache:
            self.cache[key] = self.q(f"SELECT * FROM {table}")
        return self.cache[key]


def nulls_last(v) -> tuple:
    """A sort key that orders None after every value, as SQL's ORDER BY does here."""
    return (v is None, 0 if v is None else v)


def place_key(r: dict, page: str = "page", line: str = "line") -> tuple:
    """A sort key: a row's place in its document (page, then line; unknown ones last)."""
    return nulls_last(r[page]), nulls_last(r[line])


def at_place(page, line) -> str:
    """'page 8 line 20', or 'line 453' where the page is not known."""
    return f"page {page} line {line}" if page is not None else f"line {line}"


def band_for(ctx: Ctx, pct: float) -> str:
    """The rating band a key-question percentage falls in, from ref_kq_bands (read once per audit run)."""
    bands = ctx.cache.get("kq_bands")
    if bands is None:
        bands = ctx.cache["kq_bands"] = [(b["rating"], b["min_pct"], b["max_pct"]) for b in ctx.ref("ref_kq_bands")]
    return band_of(pct, bands)


def fmt_value(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return None if v is None else str(v)


def make_finding(doc, rule, severity, subject, expected, stated, message, page=None, line=None,
             explained_by=None, evidence=None, rule_status="confirmed", other=None):
    """A finding row. `other`: the (page, line) of the other place a two-place finding compares
    (the table row, the first statement)."""
    expected, stated = fmt_value(expected), fmt_value(stated)
    other_page, other_line = other or (None, None)
    return {"document_id": doc, "rule": rule, "severity": severity, "subject": subject,
            "expected": None if expected is None else str(expected),
            "stated": None if stated is None else str(stated), "explained_by": explained_by,
            "rule_status": rule_status, "message": message, "page": page, "line": line,
            "evidence": evidence, "other_page": other_page, "other_line": other_line}


def doc_lines(ctx: Ctx, doc: str) -> list[tuple[int | None, int, str]]:
    if doc in ctx.lines:
        return ctx.lines[doc]
    out = []
    pages = sorted(ctx.rows("pages", doc), key=lambda p: (nulls_last(p["first_line"]), nulls_last(p["page"])))
    for p in pages:
        for k, t in enumerate(p["text"].split("\n")):
            out.append((p["page"], p["first_line"] + k, t))
    ctx.lines[doc] = out
    return out


def order_key(fmt: str, page, line):
    return (page or 0, line) if fmt == "pdf" else (0, line)


def standard_ranges(ctx: Ctx, doc: str, fmt: str) -> dict[str, tuple]:
    """Return {code: (start key, end key)}: a standard's body section, from its rating to the next standard's."""
    rows = [r for r in ctx.rows("standard_ratings", doc) if r["body_line"] is not None]
    rows.sort(key=lambda r: order_key(fmt, r["body_page"], r["body_line"]))
    out = {}
    for k, r in enumerate(rows):
        start = order_key(fmt, r["body_page"], r["body_line"])
        end = order_key(fmt, rows[k + 1]["body_page"], rows[k + 1]["body_line"]) if k + 1 < len(rows) else (10**9, 10**9)
        out[r["standard_code"]] = (start, end)
    return out


def standards_of(ctx: Ctx, kind: str) -> dict[str, dict]:
    """{code: ref_standards row} of one methodology (read once per run)."""
    key = ("standards", kind)
    if key not in ctx.cache:
        ctx.cache[key] = {r["code"]: r for r in ctx.ref("ref_standards") if r["methodology"] == kind}
    return ctx.cache[key]


def lowest_kq(kq_rows: list[dict], code: str, field: str) -> dict | None:
    """The standard's key question with the lowest value in field (current_pct or previous_pct)."""
    kqs = [k for k in kq_rows if k["standard_code"] == code and k[field] is not None]
    return min(kqs, key=lambda k: (k[field], nulls_last(k["line"])), default=None)


WORD_RE = re.compile(r"[a-z]+")


SUFFIX_RE = re.compile(r"(?:ning|ing|ed|es|(?<![sui])s)$")
#: a short word's plural 's' ('aims'), not the end of 'focus', 'class' or 'this'
SHORT_PLURAL_RE = re.compile(r"(?<![sui])s$")


@lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    out = set()
    for w in WORD_RE.findall(text.lower()):
        if len(w) < 3 or w in STOP_WORDS:
            continue
        w = SUFFIX_RE.sub("", w) if len(w) > 5 else (SHORT_PLURAL_RE.sub("", w) if len(w) > 3 else w)
        out.add(w)
    return frozenset(out)


SUBSET_RE = re.compile(r"\b(?:of|in) (?:such|these|those|them)\b|\bof them\b", re.I)


FIGURE_RE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:per cent|%)")


def sentence_window(sentence: str, figure: str, before: int = 30, after: int = 16) -> str:
    """The words around a figure, stopping at the neighbouring figures of the sentence."""
    around = figure_context(sentence, figure)
    if around is None:
        return sentence
    left, right = around
    return " ".join((left.split()[-before:] if before else []) + [figure] + right.split()[:after])


def figure_context(sentence: str, figure: str, reach: int | None = None) -> tuple[str, str] | None:
    """The text before and after a figure (within reach characters), each stopping at the
    neighbouring figure of the sentence; None when the figure is not in the sentence."""
    i = sentence.find(figure)
    if i < 0:
        return None
    j = i + len(figure)
    left = sentence[max(0, i - reach):i] if reach else sentence[:i]
    right = sentence[j:j + reach] if reach else sentence[j:]
    return cut_clause(left, right, FIGURE_RE, FIGURE_RE)


#: where the part of a sentence a figure belongs to ends: a semicolon or bracket, another clause
#: ("while", "whereas", "but", "although"), another group or a comparison ("with", "than",
#: "compared"), besides the neighbouring figures
CLAUSE_END_RE = re.compile(r"[;()]|\b(?:while|whilst|whereas|but|although|though|with|than|compared|against|"
                           r"respectively)\b", re.I)
#: the figure is of what did not happen: "in 39 per cent of cases, plans did not take sufficient account"
NEGATION_RE = re.compile(r"\b(?:not|no|never|none|neither|nor|(?:did|does|do|was|were|is|are|has|have|had|could|"
                         r"would)n[’']t|insufficient(?:ly)?|inadequate(?:ly)?|unsatisfactor(?:y|ily)|fail(?:ed|s|ing)?"
                         r"|lack(?:ed|s|ing)?|without|too (?:few|little))\b", re.I)
#: a group of people, cases or places named beside a figure, which a table row of all cases is not
GROUP_RE = re.compile(r"\b(?:wom[ae]n|females?|males?|men\b|girls?|boys?|young (?:adults?|people)|black|"
                      r"minority ethnic|BAME|disab(?:led|ility)|aged \d+|under \d+|over \d+|older|younger|"
                      r"(?:senior )?case managers?|(?:senior )?probation (?:services )?officers?|S?POs?|PSOs?|"
                      r"managers?|practitioners?|teams?|offices?|LDUs?|PDUs?|clusters?|hubs?|"
                      r"boroughs?|cohort|(?:sub-?)?sample|high[- ]risk|low[- ]risk|medium[- ]risk|"
                      r"of (?:those|these|them|such)|where (?:there|the|a|an)\b)", re.I)
#: another time than the current inspection named beside a figure
PERIOD_RE = re.compile(r"\b(?:last|previous|prior|earlier|first) (?:inspection|year|round|report)|\b(?:a year|"
                       r"\d+ months|twelve months) (?:ago|earlier|previously|before)|\bin 20\d\d\b|\blast year\b",
                       re.I)


def figure_clause(sentence: str, figure: str) -> str:
    """The words around a figure that belong to it: its part of the sentence, cut at the neighbouring
    figures and at CLAUSE_END_RE (the whole sentence when the figure is not found in it)."""
    around = figure_context(sentence, figure)
    if around is None:
        return sentence
    return " ".join(cut_clause(around[0], around[1], CLAUSE_END_RE, CLAUSE_END_RE))


def cut_clause(left: str, right: str, left_end: re.Pattern, right_end: re.Pattern) -> tuple[str, str]:
    """The text before a figure from the last match of left_end on, and after it up to the first
    match of right_end."""
    prev = list(left_end.finditer(left))
    if prev:
        left = left[prev[-1].end():]
    nxt = right_end.search(right)
    if nxt:
        right = right[:nxt.start()]
    return left, right


def joined_text(ctx: Ctx, did: str) -> tuple[str, list[int], list[tuple[int | None, int]]]:
    """A document's text as one string (its lines joined by a space; the patterns that read it allow
    any whitespace), with where each line starts and its (page, line): a way back to a line."""
    key = ("text", did)
    if key not in ctx.lines:
        lines = doc_lines(ctx, did)
        starts, pos = [], 0
        for _, _, text in lines:
            starts.append(pos)
            pos += len(text) + 1
        ctx.lines[key] = (" ".join(t for _, _, t in lines), starts, [(p, ln) for p, ln, _ in lines])
    return ctx.lines[key]


def place_of(starts: list[int], places: list[tuple], pos: int) -> tuple:
    """The (page, line) of the line a position of joined_text's string falls in."""
    return places[max(0, bisect_right(starts, pos) - 1)]


def by_sentence(figures) -> dict[str, list[dict]]:
    """Prose figures grouped by their sentence, each group in document order."""
    by_sent: dict[str, list[dict]] = {}
    for f in sorted(figures, key=place_key):
        by_sent.setdefault(f["sentence"], []).append(f)
    return by_sent


def percents_by_sentence(ctx: Ctx, did: str) -> dict[str, list[dict]]:
    """A document's percentages stated in prose, by sentence, in document order."""
    return by_sentence(f for f in ctx.rows("prose_figures", did) if f["kind"] == "percent" and f["number"] is not None)


def figure_spots(sentence: str, figures: list[dict]) -> list[tuple[int, int, dict]]:
    """The figures where they stand in the sentence, in order, each printed figure once: (start, end, row)."""
    spots, start = [], 0
    for f in figures:
        i = sentence.find(f["figure_text"], start)
        if i >= 0:
            spots.append((i, i + len(f["figure_text"]), f))
            start = i + len(f["figure_text"])
    return spots
