"""Stage 1: read a report and find its structures, keeping provenance (document, page, line).

``analyse(path)`` is the stage's public entry point: it returns an ``Extraction``
with the document model, its classification and the raw records of every
extractor. Nothing here maps values to the project's vocabulary: that is
``normalise``'s job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .classify import Classification, classify
from .document import Document, DocumentError
from .readers import load, sha256_file
from .key_questions import key_question_tables
from .prompts import prompt_tables
from .workforce import workforce_tables
from .facts import key_facts, recommendations, stated_recommendations
from .previous import previous_recommendations
from .prose import context_facts, prose_figures, workforce_prose
from .ratings import RatingsTable, body_ratings, ratings_table
from .fieldwork import inspection_facts
from .samples import case_samples, sample_statements
from .tables import numbered_tables

__all__ = ["analyse", "Extraction", "DocumentError", "load", "sha256_file", "warm_up"]


def warm_up() -> None:
    """Load what every document needs (spaCy's pipeline, the PDF engine) once, so forked workers inherit it."""
    from .pdf import pdf_engine
    if pdf_engine() == "pdfplumber":
        import pdfplumber  # noqa: F401
    else:
        from .pdfium_words import load_pdfium
        load_pdfium()
    from .prose import context_patterns, nlp_pipeline, workforce_patterns
    nlp_pipeline()
    workforce_patterns()
    context_patterns()


@dataclass
class Extraction:
    document: Document
    classification: Classification
    ratings: RatingsTable | None = None
    body_ratings: list[dict] = field(default_factory=list)
    key_questions: list[dict] = field(default_factory=list)
    prompts: list[dict] = field(default_factory=list)
    workforce: list[dict] = field(default_factory=list)
    key_facts: list[dict] = field(default_factory=list)
    context_facts: list[dict] = field(default_factory=list)
    recommendations: list[dict] = field(default_factory=list)
    stated_recommendations: dict | None = None       # "we have made eight recommendations"
    previous_recommendations: list[dict] = field(default_factory=list)
    progress_summary: list[dict] = field(default_factory=list)
    numbered_tables: list[dict] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    sample_statements: list[dict] = field(default_factory=list)
    inspection: dict = field(default_factory=dict)
    prose_figures: list[dict] = field(default_factory=list)
    workforce_prose: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def analyse(path: str | Path) -> Extraction:
    """Given a file, return everything the extractors find in it (raises DocumentError)."""
    return analyse_document(load(path))


def analyse_document(doc: Document) -> Extraction:
    """Given a document model, return everything the extractors find in it."""
    c = classify(doc)
    ex = Extraction(document=doc, classification=c, warnings=list(doc.warnings))
    if not c.is_report:
        return ex
    ex.ratings = ratings_table(doc)
    ex.body_ratings = body_ratings(doc)
    ex.key_questions, w = key_question_tables(doc)
    ex.warnings.extend(w)
    ex.prompts, w = prompt_tables(doc)
    ex.warnings.extend(w)
    ex.workforce, w = workforce_tables(doc, table_lines(ex))
    ex.warnings.extend(w)
    ex.key_facts = key_facts(doc)
    ex.recommendations = recommendations(doc)
    ex.stated_recommendations = stated_recommendations(doc)
    ex.previous_recommendations, ex.progress_summary = previous_recommendations(doc)
    ex.numbered_tables, w = numbered_tables(doc)
    ex.warnings.extend(w)
    sentences: list = []
    ex.prose_figures = prose_figures(doc, table_lines(ex), sentences)
    ex.sample_statements = sample_statements(sentences)
    ex.samples = case_samples(sentences, ex.sample_statements)
    ex.inspection = inspection_facts(sentences)
    if not ex.key_facts:
        # no Key facts panel: the facts the report states in its description of the area take its place
        ex.context_facts = context_facts(sentences)
    if not ex.workforce:
        # no key staffing or caseload table: staffing figures stated in prose take their place
        ex.workforce_prose = workforce_prose(sentences)
    return ex


def table_lines(ex: Extraction) -> set[tuple[int | None, int]]:
    """Given an extraction, return the (page, line) of every line inside an extracted table."""
    content = ex.document.content()
    index = {(ln.page, ln.line): k for k, ln in enumerate(content)}
    spans: list[tuple[tuple, tuple]] = []
    for r in ex.key_questions + ex.prompts:
        spans.append(((r["page"], r["line"]), (r["values_page"], r["values_line"])))
    for r in ex.workforce:
        for c in r["cells"].values():
            spans.append(((r["page"], r["line"]), (c["page"], c["line"])))
    for r in ex.numbered_tables:
        for c in r["cells"]:
            spans.append(((r["table_page"], r["table_line"]), (c["page"], c["line"])))
    if ex.ratings is not None:
        for r in ex.ratings.rows:
            spans.append(((r["page"], r["line"]), (r["page"], r["line"])))
    facts = ex.key_facts
    for k, f in enumerate(facts):
        end = (facts[k + 1]["page"], facts[k + 1]["line"]) if k + 1 < len(facts) else (f["page"], f["line"])
        spans.append(((f["page"], f["line"]), end))
    out: set[tuple[int | None, int]] = set()
    for a, b in spans:
        i, j = index.get(a), index.get(b)
        if i is None or j is None:
            continue
        for ln in content[min(i, j):max(i, j) + 1]:
            out.add((ln.page, ln.line))
    return out
