"""The two PDF engines (PDFium for speed, pdfplumber as the reference) give the same document."""
from __future__ import annotations

from collections import Counter

import pytest

from conftest import CORPUS
from hmip_inspections.extract.pdf import read_pdf

PDFS = sorted((CORPUS / "pdf").glob("*.pdf"))


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_both_engines_give_the_same_lines_and_words(path):
    fast, reference = read_pdf(path, engine="pdfium"), read_pdf(path, engine="pdfplumber")
    assert fast.page_count == reference.page_count
    assert [(l.page, l.line, l.role, l.text) for l in fast.lines] == \
        [(l.page, l.line, l.role, l.text) for l in reference.lines]
    assert fast.footnotes == reference.footnotes
    for a, b in zip(fast.lines, reference.lines):
        assert [w.text for w in a.words] == [w.text for w in b.words]
        for wa, wb in zip(a.words, b.words):
            assert abs(wa.x0 - wb.x0) < 0.5 and abs(wa.top - wb.top) < 0.5 and abs(wa.size - wb.size) < 0.1


def test_pdfium_words_match_pdfplumber_words_on_every_page():
    import pdfplumber
    from hmip_inspections.extract.pdfium_words import read_pages
    path = CORPUS / "pdf" / "liverpool-north-pdu-2023.pdf"
    with pdfplumber.open(path) as pdf:
        ref = [p.extract_words(extra_attrs=["size"]) for p in pdf.pages]
    fast = read_pages(path)
    assert len(fast) == len(ref)
    for a, b in zip(fast, ref):
        assert Counter((w["text"], round(w["size"], 1)) for w in a) == Counter((w["text"], round(w["size"], 1)) for w in b)


def test_unknown_engine_is_a_clear_error(monkeypatch):
    from hmip_inspections.extract.document import DocumentError
    monkeypatch.setenv("INSPECTIONS_PDF_ENGINE", "ghostscript")
    with pytest.raises(DocumentError, match="unknown PDF engine"):
        read_pdf(PDFS[0])
