"""Reports of one kind differ in ways that must not change a single row. Each corpus report is
rewritten the ways real reports of its kind differ, and every row of every table must be the same:

* standard headings numbered "2.1", "2.1.", "Standard 2.1.", "2.1 Assessment" or printed as the name
  alone;
* domain headings that differ between the ratings table and the body ("3. CRC-specific work" against
  "4. Unpaid work and Through the Gate", with the body numbering its standards 4.1 and 4.2);
* numbered items (recommendations, the previous recommendations) that carry a note in brackets on a
  line of its own, start with a capital, or wrap across a page break;
* key-facts descriptions that wrap, a line of one starting with a number ("2019");
* tables split over two pages, with their header printed again;
* numbers written as words.

The rewrites are structural (they act on every heading, item or row of a kind), never on one
report's sentence.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS
from hmip_inspections.extract import analyse_document
from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.normalise import normalise
from hmip_inspections.normalise.reference import methodology
from test_rewrapped_reports import PROVENANCE

FOOTER = "Inspection of probation services: Somewhere"
CRC = "merseyside-crc-2020.txt"
PDU = "liverpool-north-pdu-2023.md"
QI = "west-mercia-quality-impact-2017.txt"


def _names(kind: str) -> str:
    stds = methodology(kind)["standards"]
    return "|".join(sorted((re.escape(s["name"]) for s in stds), key=len, reverse=True))


CRC_NAMES = _names("crc_inspection_2018_2020")
PDU_NAMES = _names("pdu_inspection_2021_on")


def _headings(text: str, names: str, fmt) -> str:
    """Every standard heading of the body and annexe ('2.1. Assessment', '#### 2.2. Assessment'; not
    a ratings-table row, which prints a rating after the name) rewritten by fmt(code, name)."""
    pat = re.compile(rf"^(?P<lead>[ #*]*)(?P<code>\d\.\d)\.?(?P<gap>\s+)(?P<name>{names})(?P<tail>[ *]*)$", re.M)
    return pat.sub(lambda m: m.group("lead") + fmt(m.group("code"), m.group("name")) + m.group("tail"), text)


def _page_break(lines: list[str], at: int) -> None:
    lines[at:at] = ["", f"{FOOTER}    {at // 40 + 1}", "", ""]


def _break_inside(text: str, start: str, after: int) -> str:
    """A page break `after` non-blank lines into the block that starts at the first line matching start."""
    lines = text.split("\n")
    k = next(i for i, ln in enumerate(lines) if re.match(start, ln))
    seen = 0
    for i in range(k + 1, len(lines)):
        if lines[i].strip():
            seen += 1
            if seen == after:
                _page_break(lines, i + 1)
                break
    return "\n".join(lines)


_ITEM_RE = re.compile(r"^(\s*)(\d{1,2})\.(\s+)([a-z])", re.M)


def _capitalised_items(text: str) -> str:
    """Numbered items that start with a capital ('1. Improve ...')."""
    return _ITEM_RE.sub(lambda m: m.group(1) + m.group(2) + "." + m.group(3) + m.group(4).upper(), text)


_CAPITAL_ITEM_RE = re.compile(r"^(\s*)(\d{1,2})\.(\s+)([A-Z])(?=[a-z]+ .{30,})", re.M)   # an item, not a heading


def _lower_case_items(text: str) -> str:
    """Numbered items that start in lower case ('1. improve ...'), the previous recommendations too."""
    return _CAPITAL_ITEM_RE.sub(lambda m: m.group(1) + m.group(2) + "." + m.group(3) + m.group(4).lower(), text)


def _bracket_notes(text: str) -> str:
    """A note in brackets on a line of its own at the end of every other numbered item that another
    item follows ('(this recommendation is carried forward ...)')."""
    lines = text.split("\n")
    items = [k for k, ln in enumerate(lines) if _ITEM_RE.match(ln)]
    for n, k in reversed(list(enumerate(items))):
        if n % 2 == 0 or n == 0:
            continue
        j = k - 1
        while j > 0 and not lines[j].strip():
            j -= 1
        if not lines[j].rstrip().endswith("should:"):      # the item above, not an addressee
            lines.insert(j + 1, NOTE)
    return "\n".join(lines)


NOTE = "(this recommendation is carried forward from the previous inspection)"


_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
         "seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _in_words(n: int) -> str:
    """21 -> 'twenty-one' (1 to 99)."""
    if n < 20:
        return _UNITS[n]
    return _TENS[n // 10 - 2] + ("" if n % 10 == 0 else "-" + _UNITS[n % 10])


def _numbers_as_words(text: str) -> str:
    """Counts of what was inspected, examined or conducted written as words ('We inspected 41 cases' ->
    'We inspected forty-one cases'), as many reports print them."""
    return re.sub(r"\b((?:inspected|examined|conducted|reviewed|made|management of)\s+)(\d{1,2})(?=\s+[a-z])",
                  lambda m: m.group(1) + _in_words(int(m.group(2))), text)


def _wrap_facts(text: str) -> str:
    """Key-facts descriptions that end in a year wrapped before it: 'year ending 31 March' / '2019'."""
    return re.sub(r"^(\S+ .*year ending \d{1,2} \w+) (20\d\d)", r"\1\n\2", text, flags=re.M)


def _split_tables(text: str) -> str:
    """Every key-question table split over two pages after its first row, with its header printed
    again at the top of the next page (as word processors repeat a table's header row)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    header: list[str] = []
    while i < len(lines):
        ln = lines[i]
        out.append(ln)
        if re.match(r"^\s*(?:#+\s*)?Our rating\d*\b.*\bbased on\b", ln):
            header = []
            j = i + 1
            while j < len(lines) and not re.match(r"^\s*(?:Does|Is|Are|Do)\b", lines[j]):
                header.append(lines[j])
                j += 1
            out.extend(header)
            # the first question and its cells, up to the next question
            k = j + 1
            while k < len(lines) and not re.match(r"^\s*(?:Does|Is|Are|Do)\b", lines[k]):
                k += 1
            out.extend(lines[j:k])
            out.extend(["", f"{FOOTER}    99", "", ""])
            out.extend(h for h in header if h.strip() and not re.match(r"^\s*(?:#+\s*)?Our rating", h))
            i = k
            continue
        i += 1
    return "\n".join(out)


def _domain_renumbered(text: str) -> str:
    """The CRC body numbers its CRC-specific domain 4 with standards 4.1 and 4.2 under a domain
    heading other than the ratings table's ('4. Unpaid work and Through the Gate'), and prints its
    standard headings 'Standard 4.1. Unpaid work'."""
    text = re.sub(r"^([ \t]*)3\. CRC-specific work[ \t]*$", r"\g<1>4. Unpaid work and Through the Gate", text,
                  count=0, flags=re.M)
    text = re.sub(r"^(\s*)3\.([12])\. (Unpaid work|Through the Gate)", r"\g<1>Standard 4.\2. \3", text, flags=re.M)
    return text


MUTATIONS = {
    (CRC, "headings 'Standard 2.1.'"): lambda t: _headings(t, CRC_NAMES, lambda c, n: f"Standard {c}. {n}"),
    (CRC, "headings '2.1 Assessment'"): lambda t: _headings(t, CRC_NAMES, lambda c, n: f"{c} {n}"),
    (CRC, "headings 'Standard 2.1: Assessment'"): lambda t: _headings(t, CRC_NAMES, lambda c, n: f"Standard {c}: {n}"),
    (PDU, "headings 'Standard 2.2.'"): lambda t: _headings(t, PDU_NAMES, lambda c, n: f"Standard {c}. {n}"),
    (PDU, "headings '2.2 Assessment'"): lambda t: _headings(t, PDU_NAMES, lambda c, n: f"{c} {n}"),
    (CRC, "domain 4 in the body"): _domain_renumbered,
    (CRC, "items capitalised"): _capitalised_items,
    (CRC, "items in lower case"): _lower_case_items,
    (CRC, "items with notes in brackets"): _bracket_notes,
    (QI, "items with notes in brackets"): _bracket_notes,
    (CRC, "recommendations across a page break"): lambda t: _break_inside(t, r"^Merseyside CRC should:", 5),
    (PDU, "recommendations across a page break"): lambda t: _break_inside(t, r".*Liverpool North PDU should:", 3),
    (CRC, "previous recommendations across a page break"):
        lambda t: _break_inside(t, r"^\s*We recommended that", 4),
    (CRC, "key facts wrapped before a year"): _wrap_facts,
    (CRC, "tables split over pages"): _split_tables,
    (PDU, "tables split over pages"): _split_tables,
    (CRC, "numbers as words"): _numbers_as_words,
    (PDU, "numbers as words"): _numbers_as_words,
    (QI, "numbers as words"): _numbers_as_words,
}
#: fields that legitimately change with a rewrite: the printed code (when the rewrite prints another)
#: and the text of an item that now carries a note
CHANGES = {"domain 4 in the body": {"printed_code", "section"}, "items with notes in brackets": {"text"},
           "items capitalised": {"text"}, "items in lower case": {"text"}}


def _rows(text: str, name: str, ignore: set[str]) -> dict[str, Counter]:
    doc = document_from_text(text, Path(name), "markdown" if name.endswith(".md") else "text")
    rows = normalise(analyse_document(doc), name, name)
    out = {}
    for table, rs in rows.items():
        if table in ("pages", "extraction_notes", "extraction_checks"):
            continue
        drop = PROVENANCE | ignore
        out[table] = Counter(tuple(sorted((k, v) for k, v in r.items() if k not in drop)) for r in rs)
    return out


@pytest.fixture(scope="module")
def originals():
    return {n: (CORPUS / "text" / n).read_text(encoding="utf-8") for n in (CRC, PDU, QI)}


@pytest.mark.parametrize("name,variation", sorted(MUTATIONS), ids=lambda v: v)
def test_no_row_changes_when_a_report_varies(originals, name, variation):
    text = originals[name]
    mutated = MUTATIONS[(name, variation)](text)
    assert mutated != text, "the rewrite found nothing to rewrite"
    ignore = CHANGES.get(variation, set())
    base, other = _rows(text, name, ignore), _rows(mutated, name, ignore)
    for table in base:
        missing, extra = base[table] - other[table], other[table] - base[table]
        assert not missing and not extra, (table, [dict(r) for r in missing][:3], [dict(r) for r in extra][:3])


@pytest.mark.parametrize("name", [CRC, QI])
def test_a_note_in_brackets_stays_with_its_item(originals, name):
    text = _bracket_notes(originals[name])
    doc = document_from_text(text, Path(name), "text")
    recs = normalise(analyse_document(doc), name, name)["recommendations"]
    noted = [r for r in recs if r["text"].endswith(NOTE)]
    assert noted and all(r["text"].count("carried forward") <= 1 for r in recs)
    # each noted item's text before the note is the original item's whole text
    original = {r["number"]: r["text"] for r in normalise(analyse_document(document_from_text(
        originals[name], Path(name), "text")), name, name)["recommendations"]}
    assert all(r["text"][:-len(NOTE)].strip() == original[r["number"]] for r in noted)
