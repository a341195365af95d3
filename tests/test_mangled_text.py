"""Mangled text thrown at every text extractor. It may find nothing; it must not crash or invent."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from hmip_inspections.extract import Extraction, table_lines
from hmip_inspections.extract.classify import classify
from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.facts import key_facts, recommendations
from hmip_inspections.extract.key_questions import key_question_tables
from hmip_inspections.extract.prompts import prompt_tables
from hmip_inspections.extract.prose import prose_figures
from hmip_inspections.extract.ratings import body_ratings, ratings_table
from hmip_inspections.extract.workforce import workforce_tables

LINES = []
for p in sorted((CORPUS / "text").iterdir()):
    LINES.extend(p.read_text(encoding="utf-8").split("\n"))

chunk = st.integers(0, len(LINES) - 60).map(lambda i: LINES[i:i + 60])
noise = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def mangled(draw):
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        lines.extend(draw(chunk))
    ops = draw(st.lists(st.tuples(st.sampled_from(["drop", "dup", "noise", "swap", "cut", "ff"]),
                                  st.integers(0, 10_000), noise), max_size=25))
    for op, k, junk in ops:
        if not lines:
            break
        i = k % len(lines)
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "noise":
            lines[i] = lines[i][: k % (len(lines[i]) + 1)] + junk + lines[i][k % (len(lines[i]) + 1):]
        elif op == "swap":
            j = (k * 7) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "cut":
            lines[i] = lines[i][: len(lines[i]) // 2]
        else:
            lines[i] = "\f" + lines[i]
    return "\n".join(lines)


def _digits(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_text_extractors_never_crash_or_invent(text):
    doc = document_from_text(text, Path("mangled.txt"))
    flat = _digits(doc.full_text() + "\n" + "\n".join(ln.text for ln in doc.lines))
    classify(doc)
    rt = ratings_table(doc)
    if rt.score is not None:
        assert re.search(rf"\b{rt.score}\s*/\s*{rt.score_max}\b", flat)
    body_ratings(doc)
    kqs, _ = key_question_tables(doc)
    for k in kqs:
        for c in ("current_pct", "previous_pct", "comparator_pct"):
            if k[c] is not None:
                assert re.search(rf"(?<![\d.]){k[c]:g}\s?%", flat), (c, k)
    prompts, _ = prompt_tables(doc)
    for p in prompts:
        for c in ("current_pct", "previous_pct"):
            if p.get(c) is not None:
                assert re.search(rf"(?<![\d.]){p[c]:g}\s?%", flat), (c, p)
    wf, _ = workforce_tables(doc)
    for r in wf:
        for cell in r["cells"].values():
            assert cell["text"].split()[0].rstrip("%") in flat
    for f in key_facts(doc):
        assert f["value_text"].split()[0] in flat
    recommendations(doc)
    ex = Extraction(document=doc, classification=classify(doc), ratings=rt, key_questions=kqs, prompts=prompts,
                    workforce=wf)
    for f in prose_figures(doc, table_lines(ex)):
        assert f["text"].split()[0] in flat or f["text"].split("-")[0] in flat


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_text_file_fail_cleanly_or_parse(tmp_path_factory, data):
    from hmip_inspections.extract import DocumentError
    from hmip_inspections.extract.readers import read_text
    p = tmp_path_factory.mktemp("b") / "x.txt"
    p.write_bytes(data)
    try:
        doc = read_text(p)
    except DocumentError as e:
        assert str(e)
        return
    classify(doc)
    ratings_table(doc)
    key_question_tables(doc)
