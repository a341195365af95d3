"""The audit finds what the gold files list, nothing else, and catches altered reports."""
from __future__ import annotations

import duckdb
import pytest

from auditkit import findings_for, pdf_doc, text_doc
from conftest import CORPUS, gold_files, renderings


def _findings(db, doc):
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM audit_findings WHERE document_id = ?", [doc])
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


#: gold entries (contradiction or minor) that the audit does not find yet, with why: none at present
#: (the last two, prose against prose and 'very similar', are found since stop 12)
KNOWN_GAPS: dict[str, str] = {}


def _gold_lines(gold):
    lines = set()
    for o in gold["audit"].get("other", []):
        lines.update(range(min(o["lines"]), max(o["lines"]) + 1))
    for s in gold["audit"].get("standards", []):
        if not s["matches"]:
            lines.update(range(min(s["explanation_lines"] or [0]) - 10, max(s["explanation_lines"] or [0]) + 1))
            lines.add(s.get("lowest_line"))
    return lines


@pytest.mark.parametrize("name", sorted(gold_files()))
def test_every_finding_on_a_text_rendering_is_listed_in_gold(corpus_db, name):
    db, _ = corpus_db
    gold = gold_files()[name]
    found = _findings(db, "text/" + gold["source_file"])
    lines = _gold_lines(gold)
    for f in found:
        assert f["line"] in lines, f


@pytest.mark.parametrize("name", sorted(gold_files()))
def test_gold_discrepancies_are_found_and_explained(corpus_db, name):
    db, _ = corpus_db
    gold = gold_files()[name]
    found = _findings(db, "text/" + gold["source_file"])
    for s in gold["audit"].get("standards", []):
        if s["matches"]:
            continue
        hits = [f for f in found if f["rule"] == "standard_band" and f["subject"] in (s["standard_code"],)]
        assert hits and hits[0]["severity"] == "explained" and hits[0]["explained_by"], s["standard_code"]
        ev_lines = [int(x) for x in __import__("re").findall(r"line (\d+)", hits[0]["evidence"])]
        assert ev_lines and min(s["explanation_lines"]) <= ev_lines[0] <= max(s["explanation_lines"])
    for o in gold["audit"].get("other", []):
        if o["severity"] not in ("contradiction", "minor") or o["id"] in KNOWN_GAPS:
            continue
        span = set(range(min(o["lines"]), max(o["lines"]) + 1))
        assert any(f["line"] in span for f in found), o["id"]


def test_text_and_pdf_renderings_give_the_same_findings(corpus_db):
    db, _ = corpus_db
    def key(doc):
        return sorted((f["rule"], f["subject"], f["severity"], f["expected"], f["stated"]) for f in _findings(db, doc))
    base = key("text/merseyside-crc-2020.txt")
    assert base
    assert key("pdf/merseyside-crc-2020.pdf") == base
    assert key("pdf/merseyside-crc-2020-alt-layout.pdf") == base
    assert key("pdf/liverpool-north-pdu-2023.pdf") == key("text/liverpool-north-pdu-2023.md")


def test_findings_do_not_depend_on_how_documents_are_batched(corpus_db, monkeypatch):
    """The rules read each table once per batch of documents: one document per batch, every document
    in one batch, and a subset asked for by id give the same findings."""
    import duckdb
    from hmip_inspections import audit
    db, _ = corpus_db
    con = duckdb.connect(str(db), read_only=True)
    try:
        together = audit.run(con)
        monkeypatch.setattr(audit, "BATCH", 1)
        one_by_one = audit.run(con)
        ids = sorted({f["document_id"] for f in together})
        subset = audit.run(con, documents=ids[1:3])
    finally:
        con.close()
    assert together and together == one_by_one
    assert subset == [f for f in together if f["document_id"] in ids[1:3]]


def test_the_audit_forgets_each_document_once_its_rules_have_run(corpus_db, monkeypatch):
    """A refresh audits in its main process: once a document's rules have run, its rows, the lines
    rebuilt from its pages and the word sets of its sentences are dropped; the batch's other
    documents keep theirs (what the audit holds is a batch's rows and one document's lines)."""
    import duckdb

    from hmip_inspections import audit
    from hmip_inspections.audit import common as rules
    db, _ = corpus_db
    con = duckdb.connect(str(db), read_only=True)
    forgotten: list[tuple[str, bool, bool, int]] = []
    real = rules.Ctx.done

    def spy(self, did):
        real(self, did)
        forgotten.append((did, any(did in by for by in self.batch.values()),
                          any(k == did or (isinstance(k, tuple) and did in k) for k in self.lines),
                          rules.content_words.cache_info().currsize))
    monkeypatch.setattr(rules.Ctx, "done", spy)
    try:
        ids = [r[0] for r in con.execute("SELECT document_id FROM documents WHERE status = 'ok' "
                                         "ORDER BY document_id").fetchall()]
        ctx = rules.Ctx(con)
        ctx.start_batch(ids)
        for d in ids[:2]:
            rules.joined_text(ctx, d)
            assert ctx.rows("pages", d)
        ctx.done(ids[0])
        assert ctx.rows("pages", ids[1]) and ids[1] in ctx.lines and ids[0] not in ctx.lines
        forgotten.clear()
        findings = audit.run(con)
    finally:
        con.close()
    assert findings and [f[0] for f in forgotten] == ids
    assert all(not rows and not lines and words == 0 for _, rows, lines, words in forgotten)


class _Rows:
    """The rules' view of one document's stored rows, for rules tested on hand-made rows."""

    def __init__(self, **tables):
        self.tables = tables
        self.lines = {}
        self.cache = {}

    def rows(self, table, did):
        return self.tables.get(table, [])

    def ref(self, table):
        if table not in self.tables:
            from hmip_inspections.normalise.reference import reference_rows
            return reference_rows()[table]
        return self.tables[table]


def _fig(sentence, figure, number, line, page=None, kind="percent", unit="percent", denominator=None):
    """A prose_figures row of document 'd' (a percentage unless kind and unit say otherwise)."""
    return {"document_id": "d", "kind": kind, "unit": unit, "figure_text": figure, "number": number,
            "denominator": denominator, "sentence": sentence, "section": None, "page": page, "line": line}


@pytest.mark.parametrize("first,second,found", [
    # the same thing, worded a little differently: found
    (("Eighty-one per cent of staff requiring it have undertaken risk of harm training; and 61 per cent have "
      "completed domestic abuse training.", "61 per cent", 61),
     ("At the time, 81 per cent had received risk of harm training and 62 per cent domestic abuse training.",
      "62 per cent", 62), True),
    # the same figure: nothing to say
    (("In 61 per cent of cases the plan addressed domestic abuse risks.", "61 per cent", 61),
     ("Plans addressed domestic abuse risks in 61 per cent of cases.", "61 per cent", 61), False),
    # different groups named before the figure
    (("In Prescot, 60 per cent of cases had a plan that addressed domestic abuse risks.", "60 per cent", 60),
     ("In Wirral, 40 per cent of cases had a plan that addressed domestic abuse risks.", "40 per cent", 40), False),
    # another time: the previous inspection
    (("At the previous inspection, 55 per cent of cases had effective resettlement coordination.", "55 per cent", 55),
     ("We found 84 per cent of cases had effective resettlement coordination.", "84 per cent", 84), False),
    # too few words to know it is the same thing
    (("In 40 per cent of cases, work was good.", "40 per cent", 40),
     ("In 70 per cent of cases, work was good.", "70 per cent", 70), False),
    # different things
    (("In 61 per cent of cases the plan addressed domestic abuse risks.", "61 per cent", 61),
     ("In 45 per cent of cases the plan addressed child safeguarding risks.", "45 per cent", 45), False),
])
def test_prose_vs_prose(first, second, found):
    from hmip_inspections.audit.prose_prose import prose_vs_prose
    ctx = _Rows(prose_figures=[_fig(*first, line=10), _fig(*second, line=90)])
    out = prose_vs_prose(ctx, {"document_id": "d"})
    assert bool(out) == found, out
    if found:
        f = out[0]
        assert (f["rule"], f["severity"], f["expected"], f["stated"], f["line"]) == \
            ("prose_vs_prose", "contradiction", "61", "62", 90)
        assert "line 10" in f["message"] and "domestic abuse training" in f["message"]


def test_audit_command_exits_non_zero_on_contradictions(corpus_db, capsys):
    from hmip_inspections.cli.main import main
    db, _ = corpus_db
    assert main(["audit", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "[contradiction] recommendation_progress" in out and "explained by professional_discretion" in out


def test_audit_command_only_reads_the_database(corpus_db, tmp_path, capsys):
    """Printing the stored findings writes nothing: the file stays byte-identical and no file is
    created beside it, even in a folder that cannot be written."""
    import hashlib
    import os
    import shutil
    import stat

    from hmip_inspections.cli.main import main
    db, _ = corpus_db
    folder = tmp_path / "ro"
    folder.mkdir()
    copy = folder / "copy.duckdb"
    shutil.copyfile(db, copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    os.chmod(copy, stat.S_IRUSR)
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert main(["audit", "--db", str(copy)]) == 1
    finally:
        os.chmod(folder, stat.S_IRWXU)
        os.chmod(copy, stat.S_IRUSR | stat.S_IWUSR)
    assert "[contradiction]" in capsys.readouterr().out
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir()) == ["copy.duckdb"]


def test_audit_rerun_uses_this_versions_reference_tables(corpus_db, tmp_path, capsys):
    """A database written by an older version may lack a reference table the rules now read (here
    ref_grades, emptied): `audit --rerun` writes the current reference data before it runs the rules."""
    import shutil

    from hmip_inspections.cli.main import main
    db, _ = corpus_db
    old = tmp_path / "old.duckdb"
    shutil.copyfile(db, old)
    con = duckdb.connect(str(old))
    con.execute("DELETE FROM ref_grades")
    con.execute("DELETE FROM audit_findings")
    con.close()
    main(["audit", "--rerun", "--db", str(old)])
    capsys.readouterr()
    con = duckdb.connect(str(old), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM ref_grades").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM audit_findings WHERE rule = 'part_exceeds_whole'").fetchone()[0] == \
            len(renderings("merseyside-crc-2020.json"))
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# mutation tests: alter one published fact, expect exactly the rule and subject that should fire
# ---------------------------------------------------------------------------------------------

CRC_TXT = CORPUS / "text" / "merseyside-crc-2020.txt"
CRC_PDF = CORPUS / "pdf" / "merseyside-crc-2020.pdf"
CRC_ALT = CORPUS / "pdf" / "merseyside-crc-2020-alt-layout.pdf"
PDU_TXT = CORPUS / "text" / "liverpool-north-pdu-2023.md"
PDU_PDF = CORPUS / "pdf" / "liverpool-north-pdu-2023.pdf"

# (id, text rendering, (old, new) in the text, pdf rendering(s), (old, new, occurrence) in the pdf, expected (rule, subject))
MUTATIONS = [
    ("crc-score", CRC_TXT, ("13/30", "14/30"), [CRC_PDF, CRC_ALT], ("13/30", "14/30", 0), {("score_sum", "overall")}),
    ("crc-overall", CRC_TXT, ("Overall rating Requires improvement", "Overall rating Good"), [CRC_PDF, CRC_ALT],
     ("rating Requires improvement", "rating Good", 0), {("overall_band", "overall")}),
    ("crc-standard", CRC_TXT, ("2.1 Assessment Requires improvement", "2.1 Assessment Good"), [CRC_PDF, CRC_ALT],
     ("2.1 Assessment Requires improvement", "2.1 Assessment Good", 0),
     {("standard_band", "2.1"), ("table_vs_body", "2.1"), ("score_sum", "overall")}),
    ("crc-key-question", CRC_TXT, ("63% 52% 55%", "63% 45% 55%"), [CRC_PDF, CRC_ALT], ("63% 52% 55%", "63% 45% 55%", 0),
     {("standard_band", "2.1")}),
    ("crc-prose", CRC_TXT, ("desistance in only 53 per cent of the cases", "desistance in only 58 per cent of the cases"),
     [CRC_PDF, CRC_ALT], ("only 53 per cent", "only 58 per cent", 0), {("prose_vs_table", "2.3")}),
    ("pdu-score", PDU_TXT, ("4/24", "3/24"), [PDU_PDF], ("4/24", "3/24", 0), {("score_sum", "overall")}),
    ("pdu-overall", PDU_TXT, ("erall rating\tInadequate", "erall rating\tRequires improvement"), [PDU_PDF],
     ("rating Inadequate", "rating Requires improvement", 0), {("overall_band", "overall")}),
    ("pdu-standard", PDU_TXT, ("2.3\tPlanning\tInadequate", "2.3\tPlanning\tRequires improvement"), [PDU_PDF],
     ("2.3 Planning Inadequate", "2.3 Planning Requires improvement", 0),
     # the prose's 'three out of four domain two standards were rated Inadequate' no longer holds either
     {("standard_band", "2.3"), ("table_vs_body", "2.3"), ("score_sum", "overall"), ("rated_count", "ratings")}),
    ("pdu-key-question", PDU_TXT, ("Does planning focus sufficiently on keeping other people safe?\t22%",
                                   "Does planning focus sufficiently on keeping other people safe?\t70%"),
     [PDU_PDF], ("22%", "70%", 1), {("standard_band", "2.3"), ("prose_vs_table", "2.3")}),
    ("pdu-prose", PDU_TXT, ("key questions was 22 per cent", "key questions was 28 per cent"), [PDU_PDF],
     ("questions was 22 per cent.", "questions was 28 per cent.", 0), {("prose_vs_table", "2.2")}),
]


def _new_findings(base, mutated):
    return {(r, s) for r, s, sev in mutated - base}


@pytest.fixture(scope="module")
def baselines(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("base")
    out = {}
    for p in [CRC_TXT, PDU_TXT]:
        out[p] = findings_for(text_doc(p), tmp, p.name)
    for p in [CRC_PDF, CRC_ALT, PDU_PDF]:
        out[p] = findings_for(pdf_doc(p), tmp, p.name)
    return out


@pytest.mark.parametrize("mid,txt,edit,pdfs,pdf_edit,expected", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_in_text_rendering(baselines, tmp_path, mid, txt, edit, pdfs, pdf_edit, expected):
    mutated = findings_for(text_doc(txt, *edit), tmp_path, mid + txt.suffix)
    new = _new_findings(baselines[txt], mutated)
    assert new == expected, (mid, new)


@pytest.mark.parametrize("mid,txt,edit,pdfs,pdf_edit,expected", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_in_pdf_rendering(baselines, tmp_path, mid, txt, edit, pdfs, pdf_edit, expected):
    for pdf in pdfs:
        old, new, occ = pdf_edit
        mutated = findings_for(pdf_doc(pdf, old, new, occ), tmp_path, mid + pdf.name)
        got = _new_findings(baselines[pdf], mutated)
        assert got == expected, (mid, pdf.name, got)


def test_prose_vs_prose_goes_when_the_report_agrees_with_itself(baselines, tmp_path):
    """On the real report: the 61% / 62% domestic abuse training pair is found; with the second
    figure corrected to 61 it is not, and nothing else changes."""
    base = baselines[CRC_TXT]
    assert ("prose_vs_prose", "prose", "contradiction") in base
    fixed = findings_for(text_doc(CRC_TXT, "training and 62 \nper cent domestic abuse", "training and 61 \nper cent domestic abuse"),
                         tmp_path, "pvp.txt")
    assert base - fixed == {("prose_vs_prose", "prose", "contradiction")} and not fixed - base


def test_very_similar_to_the_last_inspection_is_checked_against_the_previous_figure(baselines, tmp_path):
    """'In 61 per cent ... Although very similar to the score achieved at the last inspection' with the
    table at 80 -> 61 is found (the claim is in the next sentence); with a previous figure of 64 it is
    similar, and the finding goes."""
    base = baselines[CRC_TXT]
    assert ("prose_vs_table", "2.1", "contradiction") in base
    close = findings_for(text_doc(CRC_TXT, "80% 61% 63%", "64% 61% 63%"), tmp_path, "similar.txt")
    assert base - close == {("prose_vs_table", "2.1", "contradiction")} and not close - base


@pytest.mark.parametrize("name", sorted(gold_files()))
def test_previous_ratings_are_checked_against_the_previous_figures_as_the_gold_does(corpus_db, name):
    """The gold's previous_check per standard: the standards whose previous rating is not the band of
    the lowest previous figure are exactly the previous_band findings (information, not contradiction)."""
    db, _ = corpus_db
    gold = gold_files()[name]
    expected = {s["standard_code"] for s in gold["audit"].get("standards", [])
                if s.get("previous_check") and not s["previous_check"]["matches"]}
    found = [f for f in _findings(db, "text/" + gold["source_file"]) if f["rule"] == "previous_band"]
    assert {f["subject"] for f in found} == expected
    assert all(f["severity"] == "info" for f in found)


def _text_page(text: str) -> dict:
    return {"document_id": "d", "page": None, "first_line": 1, "last_line": text.count("\n") + 1, "text": text}


@pytest.mark.parametrize("text,line", [
    # an edit left both versions (the gold's Liverpool North case), wrapped over lines
    ("Action was being taken. A full complement of staff was anticipated by the end of 2023, with PSOs\n"
     "increasing their workloads. A full complement of staff was anticipated by the end of\nthe year.\n", 2),
    # parallel sentences that differ early, questions and table rows read as text: nothing
    ("In most cases the plan addressed the risks that the person posed to others.\n"
     "In most cases the review addressed the risks that the person posed to others.\n", None),
    ("Does the implementation and delivery of services effectively support desistance?\n"
     "Does the implementation and delivery of services effectively support the safety of others?\n", None),
    ("The performance figure for all England and Wales was 77%, against a target of 75%.\n"
     "The performance figure for all England and Wales was 65%, against a target of 65%.\n", None),
])
def test_a_repeated_sentence_is_reported_as_information(text, line):
    from hmip_inspections.audit.text_quality import repeated_sentence
    out = repeated_sentence(_Rows(pages=[_text_page(text)]), {"document_id": "d"})
    assert [f["line"] for f in out] == ([line] if line else [])
    if line:
        assert out[0]["severity"] == "info" and out[0]["stated"].endswith("by the end of the year.")


def test_an_unresolved_cross_reference_is_reported_even_with_cells_between_its_halves():
    from hmip_inspections.audit.text_quality import broken_reference
    text = ("Does reviewing focus on keeping other people safe?Error!\t40%\t48%\t44%\nBookmark not defined.\n"
            "See Error! Reference source not found. for details.\nNo error here!\n")
    out = broken_reference(_Rows(pages=[_text_page(text)]), {"document_id": "d"})
    assert [(f["line"], f["stated"], f["severity"]) for f in out] == [
        (1, "Error! Bookmark not defined.", "info"), (3, "Error! Reference source not found.", "info")]


@pytest.mark.parametrize("gold_id,rule,docs", [
    ("broken-bookmark", "broken_reference", renderings("merseyside-crc-2020.json")),
    ("duplicated-sentence", "repeated_sentence", renderings("liverpool-north-pdu-2023.json")),
    ("bame-8pct-representative-of-4.6pct", "alike_figures", renderings("liverpool-north-pdu-2023.json")),
    ("staff-survey-denominator-18-vs-14", "survey_totals", renderings("liverpool-north-pdu-2023.json")),
    ("spo-3.4-fte-vs-three-in-post", "fte_vs_headcount", renderings("liverpool-north-pdu-2023.json")),
    ("staff-disability-arithmetic", "part_exceeds_whole", renderings("merseyside-crc-2020.json")),
    ("supervised-counts-prose-vs-facts", "caseload_vs_facts", renderings("merseyside-crc-2020.json")),
])
def test_the_gold_text_errors_are_found_in_every_rendering_and_nowhere_else(corpus_db, gold_id, rule, docs):
    db, _ = corpus_db
    gold = next(g for g in gold_files().values() if any(o["id"] == gold_id for o in g["audit"]["other"]))
    item = next(o for o in gold["audit"]["other"] if o["id"] == gold_id)
    con = duckdb.connect(str(db), read_only=True)
    try:
        hits = con.execute("SELECT document_id, line FROM audit_findings WHERE rule = ?", [rule]).fetchall()
    finally:
        con.close()
    assert sorted(d for d, _ in hits) == sorted(docs)
    text_line = next(line for d, line in hits if d.startswith("text/"))
    assert min(item["lines"]) <= text_line <= max(item["lines"])


def _kq(current, previous, comparator):
    return {"document_id": "d", "standard_code": "2.1", "question": "Does assessment focus sufficiently on the factors "
            "linked to offending and desistance?", "current_pct": current, "previous_pct": previous,
            "comparator_pct": comparator, "comparator_label": "All CRCs"}


@pytest.mark.parametrize("sentence,row,expected", [
    # 2 points below all CRCs called 'significantly worse': worded too strongly
    ("In 61 per cent of cases assessment focused sufficiently on factors linked to offending and desistance, "
     "significantly worse than the average across all CRCs.", (61, 62, 63), ("minor", "63")),
    # better called worse: the words contradict the table
    ("In 61 per cent of cases assessment focused sufficiently on factors linked to offending and desistance, "
     "significantly worse than at the last inspection.", (61, 52, 63), ("contradiction", "52")),
    # borne out by the table: nothing
    ("In 61 per cent of cases assessment focused sufficiently on factors linked to offending and desistance, "
     "significantly worse than at the last inspection.", (61, 80, 63), None),
    # the other figure is printed too: not this rule's to judge
    ("In 61 per cent of cases assessment focused sufficiently on factors linked to offending and desistance, "
     "significantly lower than the 62 per cent at the last inspection.", (61, 62, 63), None),
])
def test_significantly_worse_or_better_is_checked_against_the_table(sentence, row, expected):
    from hmip_inspections.audit.prose_tables import prose_vs_table
    ctx = _Rows(key_questions=[_kq(*row)], prose_figures=[_fig(sentence, "61 per cent", 61, line=5)])
    ctx.tables["prose_figures"][0]["section"] = "2.1 Assessment"
    out = [f for f in prose_vs_table(ctx, {"document_id": "d"}) if "significantly" in f["message"]]
    assert [(f["severity"], f["expected"]) for f in out] == ([expected] if expected else [])


def test_significantly_worse_in_the_report_goes_when_the_report_says_slightly(baselines, tmp_path):
    path = CORPUS / "text" / "merseyside-crc-2020.txt"
    base = findings_for(text_doc(path), tmp_path, "base")
    assert ("prose_vs_table", "2.1", "minor") in base
    fixed = findings_for(text_doc(path, "nevertheless significantly worse than the average",
                                  "nevertheless slightly worse than the average"), tmp_path, "fixed")
    assert ("prose_vs_table", "2.1", "minor") not in fixed


@pytest.mark.parametrize("sentence,figures,expected", [
    # the gold's sentence: 8 is not 'representative of' 4.6
    ("While the PDU staffing profile was incomplete, eight per cent of staff identified as being from a black, "
     "Asian or minority ethnic background, which was representative of the PDUs caseload, reported to be 4.6 per "
     "cent.", [("eight per cent", 8), ("4.6 per cent", 4.6)], [("4.6", "8")]),
    # close enough to be called alike: nothing
    ("Some 12 per cent of staff were from a minority ethnic background, in line with the caseload's 11 per cent.",
     [("12 per cent", 12), ("11 per cent", 11)], []),
    # the sentence says they differ: nothing
    ("Some 20 per cent of staff were women, not in line with the caseload's 45 per cent.",
     [("20 per cent", 20), ("45 per cent", 45)], []),
    # a comparison, not a likeness: nothing
    ("Some 20 per cent of staff were women, in line with the region but lower than the caseload's 45 per cent.",
     [("20 per cent", 20), ("45 per cent", 45)], []),
    # a change between the two figures, not a likeness: nothing
    ("Only 30 per cent of cases had a plan, which reflects a fall from 60 per cent at the last inspection.",
     [("30 per cent", 30), ("60 per cent", 60)], []),
    # the likeness links other words, not the two figures: nothing
    ("In line with the plan, 30 per cent of cases had a review and 60 per cent a home visit.",
     [("30 per cent", 30), ("60 per cent", 60)], []),
])
def test_figures_called_alike_must_be_close(sentence, figures, expected):
    from hmip_inspections.audit.prose_prose import alike_figures
    rows = [_fig(sentence, t, n, line=7) for t, n in figures]
    out = alike_figures(_Rows(prose_figures=rows), {"document_id": "d"})
    assert [(f["expected"], f["stated"]) for f in out] == expected
    assert all(f["severity"] == "info" and f["line"] == 7 for f in out)


def _count(sentence, figure, number, total, line):
    return _fig(sentence, figure, number, line, kind="out_of", unit="count", denominator=total)


def test_survey_counts_out_of_more_respondents_than_the_others_are_reported():
    from hmip_inspections.audit.staffing import survey_totals
    rows = [
        _count("Leaders were approachable, with 14 out of 18 respondents to our staff survey saying so.",
               "14 out of 18", 14, 18, 10),
        _count("Of the staff surveyed, 11 out of 14 received good supervision.", "11 out of 14", 11, 14, 20),
        _count("Of the staff responding to our survey, eight out of 14 found their workload unmanageable.",
               "eight out of 14", 8, 14, 30),
        # fewer than the others: may be a subset of them (those asked a follow-up question), not reported
        _count("Of the staff surveyed, 3 out of 5 managers wanted more training.", "3 out of 5", 3, 5, 40),
        # not a survey figure
        _count("We inspected 35 out of 41 cases where safeguarding enquiries were needed.", "35 out of 41", 35, 41, 50),
    ]
    out = survey_totals(_Rows(prose_figures=rows), {"document_id": "d"})
    assert [(f["line"], f["expected"], f["stated"], f["severity"]) for f in out] == [(10, "14", "18", "info")]
    # with only one other figure out of 14, no total is agreed: nothing is reported
    assert survey_totals(_Rows(prose_figures=rows[:2] + rows[3:]), {"document_id": "d"}) == []


def _fte(sentence, figure, number, line):
    return _fig(sentence, figure, number, line, kind="fte", unit="fte")


@pytest.mark.parametrize("fte,head,found", [
    # the gold's pair: 3.4 full-time posts cannot be filled by three people
    (("At the time of inspection there were 3.4 FTE (full-time equivalent) SPO's in post.", "3.4 FTE", 3.4),
     ("Three out of five SPOs were in post at the point of inspection.", "Three out of five", 3), True),
    # fewer full-time equivalents than people (part-time staff): nothing
    (("There were 2.6 FTE SPOs in post.", "2.6 FTE", 2.6),
     ("Three out of five SPOs were in post.", "Three out of five", 3), False),
    # another grade: nothing
    (("There were 3.4 FTE POs in post.", "3.4 FTE", 3.4),
     ("Three out of five SPOs were in post.", "Three out of five", 3), False),
    # vacancies, not staff in post: nothing
    (("There were 3.4 FTE SPO vacancies.", "3.4 FTE", 3.4),
     ("Three out of five SPOs were in post.", "Three out of five", 3), False),
])
def test_full_time_equivalents_in_post_are_no_more_than_the_people_in_post(fte, head, found):
    from hmip_inspections.audit.staffing import fte_vs_headcount
    rows = [_fte(*fte, line=3), _count(*head, total=5, line=9)]
    out = fte_vs_headcount(_Rows(prose_figures=rows), {"document_id": "d"})
    assert [(f["line"], f["stated"], f["severity"]) for f in out] == ([(3, "3.4", "info")] if found else [])


def _fte_row(code, metric, value, line):
    return {"document_id": "d", "metric_code": code, "metric": metric, "source": "table", "period": "current_year",
            "value": value, "page": None, "line": line}


@pytest.mark.parametrize("kind,sentence,figures,found", [
    # the gold's sentence: 29% of 78.82 case managers (about 22.5) is more than 9% of 201.24 staff (about 19.1)
    ("crc_inspection_2018_2020", "Across the CRC, nine per cent of staff have a declared disability, including 29 "
     "per cent of case managers and 25 per cent of managers.", [("nine per cent", 9), ("29 per cent", 29),
                                                               ("25 per cent", 25)], True),
    # a part that fits inside the whole: nothing
    ("crc_inspection_2018_2020", "Across the CRC, 20 per cent of staff have a declared disability, including 29 "
     "per cent of case managers.", [("20 per cent", 20), ("29 per cent", 29)], False),
    # no 'including': two groups side by side, not a part of a whole
    ("crc_inspection_2018_2020", "Nine per cent of staff have a declared disability, and 29 per cent of case "
     "managers are part-time.", [("Nine per cent", 9), ("29 per cent", 29)], False),
    # outside CRC reports 'case managers' names no grade: nothing is sized, nothing is said
    ("pdu_inspection_2021_on", "Across the PDU, nine per cent of staff have a declared disability, including 29 "
     "per cent of case managers.", [("nine per cent", 9), ("29 per cent", 29)], False),
])
def test_a_part_is_no_more_people_than_the_whole_it_is_part_of(kind, sentence, figures, found):
    from hmip_inspections.audit.staffing import part_exceeds_whole
    workforce = [_fte_row("staff_fte_total", "Total staff headcount (FTE)", 201.24, 882),
                 _fte_row("pso_fte", "Total number of probation services officers or equivalent (FTE)", 78.82, 889)]
    ctx = _Rows(prose_figures=[_fig(sentence, t, n, line=1000) for t, n in figures], workforce=workforce)
    out = part_exceeds_whole(ctx, {"document_id": "d", "kind": kind})
    assert [(f["line"], f["expected"], f["stated"]) for f in out] == ([(1000, "at most 19.1", "22.5")] if found else [])


def _fact(value, description, line):
    return {"document_id": "d", "value_text": f"{value:,}", "number": value, "unit": "count",
            "description": description, "source": "panel", "page": None, "line": line}


_PANEL = [_fact(2116, "The number of individuals supervised on community sentences by Testshire CRC", 100),
          _fact(1692, "The number of individuals supervised post-release by Testshire CRC", 101),
          _fact(40, "Number of staff in post", 102)]


@pytest.mark.parametrize("text,found", [
    # the gold's case: the kinds named, summed, differ from the count stated
    ("Currently, 5,094 individuals are being supervised in the community by the CRC on community\n"
     "sentences or licences, with a further 1,141 on pre-release supervision.\n", (3808, 5094)),
    ("The CRC supervises 2,116 people on community sentences.\n", None),            # the panel's count
    ("Currently 3,808 individuals are supervised by the CRC on community orders and licences.\n", None),
    ("The CRC supervises 2,500 people on community sentences.\n", (2116, 2500)),
    ("The CRC supervised 3,808 individuals in all.\n", None),                      # no kind named: the sum
    ("The CRC supervised 3,900 individuals in all.\n", (3808, 3900)),
    # not the body inspected, or a kind of supervision the panel does not count: nothing to compare
    ("Around 255,000 adults are supervised by probation services annually.\n", None),
    ("There were 1,141 individuals supervised by the CRC on pre-release supervision.\n", None),
])
def test_a_count_of_people_supervised_is_checked_against_the_key_facts(text, found):
    from hmip_inspections.audit.staffing import caseload_vs_facts
    out = caseload_vs_facts(_Rows(key_facts=_PANEL, pages=[_text_page(text)]), {"document_id": "d"})
    assert [(float(f["expected"]), float(f["stated"])) for f in out] == ([found] if found else [])
    if found:
        assert out[0]["severity"] == "info" and out[0]["line"] == 1
    # without a panel that counts people supervised there is nothing to check
    assert caseload_vs_facts(_Rows(key_facts=_PANEL[2:], pages=[_text_page(text)]), {"document_id": "d"}) == []


def _plan_row(current, previous=None):
    return {"document_id": "d", "standard_code": "2.2", "question": "Does planning focus sufficiently on keeping "
            "other people safe?", "current_pct": current, "previous_pct": previous, "comparator_pct": None,
            "comparator_label": None}


@pytest.mark.parametrize("sentence,figure,number,expected", [
    # the complement stated with a negation: consistent with 61% (39 did not), no finding
    ("In 39 per cent of cases, planning did not focus sufficiently on keeping other people safe.",
     "39 per cent", 39, []),
    # a negation whose figure is not the complement: only possible (another reading exists)
    ("In 30 per cent of cases, planning did not focus sufficiently on keeping other people safe.",
     "30 per cent", 30, [("possible", "39", "30")]),
    # a grade or subgroup named beside the figure: another quantity, not compared
    ("For women, planning focused sufficiently on keeping other people safe in 44 per cent of cases.",
     "44 per cent", 44, []),
    ("Planning by senior case managers focused sufficiently on keeping other people safe in 70 per cent of cases.",
     "70 per cent", 70, []),
    # the complement without a negation: possible, not a contradiction
    ("Planning focused sufficiently on keeping other people safe in 39 per cent of cases.", "39 per cent", 39,
     [("possible", "61", "39")]),
    # the row's own figure in a sentence with a negative word elsewhere ('Inadequate'): the row's
    ("The case data initially rated the CRC as 'Inadequate' for planning, based on the score of 61 per cent "
     "for planning that focused on keeping other people safe.", "61 per cent", 61, []),
    # the same quantity, another value: a contradiction
    ("Planning focused sufficiently on keeping other people safe in 51 per cent of cases.", "51 per cent", 51,
     [("contradiction", "61", "51")]),
])
def test_prose_is_compared_with_a_row_only_when_it_speaks_of_the_same_quantity(sentence, figure, number, expected):
    from hmip_inspections.audit.prose_tables import prose_vs_table
    ctx = _Rows(key_questions=[_plan_row(61)], prose_figures=[_fig(sentence, figure, number, line=5)])
    ctx.tables["prose_figures"][0]["section"] = "2.2 Planning"
    out = prose_vs_table(ctx, {"document_id": "d"})
    assert [(f["severity"], f["expected"], f["stated"]) for f in out] == expected


@pytest.mark.parametrize("sentence,figure,number,found", [
    ("Across the organisation, the annual level of sickness is 12 days per year.", "12 days", 12, True),
    # one grade's figure beside the all-staff one
    ("Across the organisation, sickness is high, with senior case managers averaging 12 days a year.",
     "12 days", 12, False),
    ("Across the organisation, the annual level of sickness for probation officers is 12 days.", "12 days", 12,
     False),
    # another period
    ("Overall, sickness in the last six months was 12 days a year.", "12 days", 12, False),
])
def test_a_sickness_figure_is_compared_only_when_it_is_the_all_staff_figure(sentence, figure, number, found):
    from hmip_inspections.audit.prose_tables import workforce_prose
    fig = dict(_fig(sentence, figure, number, line=5), kind="days", unit="days")
    table = {"document_id": "d", "metric_code": "sickness_days_per_year", "source": "table",
             "period": "current_year", "value": 17.52, "value_text": "17.52 days per year", "line": 911}
    out = workforce_prose(_Rows(workforce=[table], prose_figures=[fig]), {"document_id": "d"})
    assert bool(out) is found


def _rated_rows(path):
    """The rated standards of a report as read: (code, rating, line of its ratings-table row)."""
    from hmip_inspections.extract import analyse_document
    from hmip_inspections.normalise import normalise
    rows = normalise(analyse_document(text_doc(path)), path.name, path.name)["standard_ratings"]
    return [(r["standard_code"], r["rating"], r["line"]) for r in rows
            if r["rating"] in ("Outstanding", "Good", "Requires improvement", "Inadequate") and r["line"]]


@pytest.mark.parametrize("path", [CORPUS / "text" / "merseyside-crc-2020.txt",
                                  CORPUS / "text" / "liverpool-north-pdu-2023.md"], ids=lambda p: p.name)
def test_an_altered_rating_of_any_rated_standard_is_caught(path, tmp_path):
    """Every rated standard (domain 3 and 4 included), its rating changed in the ratings table to the
    next one: the audit names that standard (or the overall score it feeds) in a finding that is not
    information."""
    from hmip_inspections.extract.readers import document_from_text
    order = ["Inadequate", "Requires improvement", "Good", "Outstanding"]
    lines = path.read_text(encoding="utf-8").split("\n")
    rated = _rated_rows(path)
    assert len(rated) >= 8
    missed = []
    for code, rating, line in rated:
        new = order[order.index(rating) - 1] if rating != "Inadequate" else "Good"
        text = list(lines)
        assert rating in text[line - 1], (code, text[line - 1])
        text[line - 1] = text[line - 1].replace(rating, new, 1)
        doc = document_from_text("\n".join(text), path, "markdown" if path.suffix == ".md" else "text")
        found = findings_for(doc, tmp_path, f"{code}-{path.name}")
        if not any(sev not in ("info",) and subj in (code, "overall", "ratings") for _, subj, sev in found):
            missed.append((code, rating, new, sorted(found)))
    assert missed == []
