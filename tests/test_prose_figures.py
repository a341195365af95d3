"""Figures stated in prose keep their whole sentence, across line wraps and page breaks."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import query

from hmip_inspections.extract.readers import document_from_text
from hmip_inspections.extract.prose import prose_figures, to_number




@pytest.mark.parametrize("doc", ["text/merseyside-crc-2020.txt", "pdf/merseyside-crc-2020.pdf",
                                 "pdf/merseyside-crc-2020-alt-layout.pdf"])
def test_figure_across_a_page_break_keeps_its_sentence(corpus_db, doc):
    db, _ = corpus_db
    rows = query(db, "SELECT sentence, section FROM prose_figures WHERE document_id = ? AND number = 61 "
                  "AND sentence LIKE 'In only 61 per cent of cases%'", [doc])
    assert rows, doc
    sentence, section = rows[0]
    # "In only 61 per" ends a page; "cent of cases ..." starts the next one, after footnotes and a footer
    assert "did assessment analyse the service user’s motivation and in less than half the cases" in sentence
    assert section == "2.1 Assessment"


def test_text_and_pdf_renderings_give_the_same_figures(corpus_db):
    db, _ = corpus_db
    def figs(doc):
        # the standard a figure sits under is part of what must agree; other section labels depend on
        # how a rendering marks headings (font size, blank lines) and are not compared
        return sorted(query(db, "SELECT CASE WHEN regexp_matches(section, '^[0-9]\\.[0-9]') THEN section ELSE '' END, "
                             "figure_text, number FROM prose_figures WHERE document_id = ?", [doc]))
    assert figs("text/merseyside-crc-2020.txt") == figs("pdf/merseyside-crc-2020.pdf")
    assert figs("text/liverpool-north-pdu-2023.md") == figs("pdf/liverpool-north-pdu-2023.pdf")


def test_table_cells_are_not_prose(corpus_db):
    db, _ = corpus_db
    # the key-question cell "22%" must not be glued to the band sentence that follows the table
    rows = query(db, "SELECT sentence FROM prose_figures WHERE document_id = 'text/liverpool-north-pdu-2023.md' "
                  "AND sentence LIKE '22%'")
    assert rows == []


def test_kinds_of_figure():
    text = ("Assessment was sufficient in 22 per cent of cases. Forty per cent of staff agreed. "
            "In 14 out of 33 cases, reviews did not include input. Progress was made in 11 of the 15 cases. "
            "Sickness averaged 16.2 days per annum, and 47% of plans were adequate.")
    figs = prose_figures(document_from_text(text, Path("t.txt")))
    got = {(f["kind"], f["number"], f["denominator"]) for f in figs}
    assert got == {("percent", 22, None), ("percent", 40, None), ("out_of", 14, 33), ("of_the", 11, 15),
                   ("days", 16.2, None), ("percent", 47, None)}


def test_number_words():
    assert to_number("Forty") == 40 and to_number("twenty-one") == 21 and to_number("2,116") == 2116
    assert to_number("several") is None


def test_a_staffing_figure_in_prose_has_the_line_of_its_value_and_of_its_sentence():
    """A row is where its sentence starts (as the gold has it); its value may be printed lines later."""
    import re as _re
    from pathlib import Path as _Path

    from conftest import CORPUS
    from hmip_inspections.extract import analyse_document
    from hmip_inspections.extract.readers import document_from_text
    from hmip_inspections.normalise import normalise as _normalise
    path = CORPUS / "text" / "west-mercia-quality-impact-2017.txt"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    rows = [r for r in _normalise(analyse_document(document_from_text(text, _Path(path))), "q", "q")["workforce"]
            if r["source"] == "prose"]
    assert len(rows) == 6 and any(r["value_line"] > r["line"] for r in rows)
    for r in rows:
        value = r["value"] if r["value"] is not None else r["range_low"]
        assert _re.search(rf"\b{value:g}\b", lines[r["value_line"] - 1]), (r["value_text"], r["value_line"])
        assert r["line"] <= r["value_line"]


def _python(code: str, **env) -> str:
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={**os.environ, **env}, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_spacy_is_loaded_without_its_command_line_which_stays_importable():
    # in a fresh process: the pipeline's spaCy import leaves out spacy.cli and what it pulls in
    # (requests, typer), yet spacy.info and a later `import spacy.cli` reach the real command line
    out = _python(
        "import sys\n"
        "from hmip_inspections.extract.prose import nlp_pipeline\n"
        "nlp, m = nlp_pipeline()\n"
        "print(len(list(nlp('It was 22 per cent. It rose.').sents)))\n"
        "print(sorted(n for n in ('spacy.cli', 'requests', 'typer') if n in sys.modules))\n"
        "import spacy\n"
        "print(spacy.info()['spacy_version'] == spacy.__version__)\n"
        "import spacy.cli\n"
        "print(callable(spacy.cli.download))\n")
    assert out.split("\n")[:4] == ["2", "[]", "True", "True"]


def test_a_spacy_that_needs_its_command_line_to_import_is_imported_as_usual(tmp_path):
    # a package named spacy whose import reaches further into spacy.cli than the placeholder holds:
    # the placeholder is dropped and the package imported again, normally
    pkg = tmp_path / "spacy"
    (pkg / "cli").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .cli.info import info\nfrom .cli.download import download\n")
    (pkg / "cli" / "__init__.py").write_text("from .download import download\n")
    (pkg / "cli" / "info.py").write_text("def info():\n    return 'real info'\n")
    (pkg / "cli" / "download.py").write_text("def download():\n    return 'real download'\n")
    out = _python("from hmip_inspections.extract.prose import _import_spacy\n"
                  "spacy = _import_spacy()\n"
                  "print(spacy.__file__)\nprint(spacy.info())\nprint(spacy.cli.download())\n",
                  PYTHONPATH=str(tmp_path))
    assert out.split("\n")[:3] == [str(pkg / "__init__.py"), "real info", "real download"]
