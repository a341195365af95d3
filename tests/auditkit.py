"""Run the whole pipeline (extract, normalise, store, audit) on a document model, for audit tests."""
from __future__ import annotations

import re
from pathlib import Path

from hmip_inspections import audit
from hmip_inspections.extract import analyse_document
from hmip_inspections.extract.document import Document, Word
from hmip_inspections.extract.readers import document_from_text, load
from hmip_inspections.normalise import normalise
from hmip_inspections.pipeline.orchestrate import write_reference
from hmip_inspections.store import Store


def findings_for(doc: Document, tmp: Path, name: str) -> set[tuple[str, str, str]]:
    rows = normalise(analyse_document(doc), name, name)
    db = tmp / (re.sub(r"\W", "_", name) + ".duckdb")
    db.unlink(missing_ok=True)
    with Store(db).writer() as w:
        w.replace_document(rows, "test")
        write_reference(w)
        found = audit.run(w.con)
    return {(f["rule"], f["subject"], f["severity"]) for f in found}


def text_doc(path: Path, old: str | None = None, new: str | None = None, count: int = 1) -> Document:
    text = path.read_text(encoding="utf-8")
    if old is not None:
        assert old in text, old
        text = text.replace(old, new, count)
    return document_from_text(text, path, "markdown" if path.suffix == ".md" else "text")


_PDF_CACHE: dict[Path, Document] = {}


def pdf_doc(path: Path, old: str | None = None, new: str | None = None, occurrence: int = 0) -> Document:
    """Load a PDF and alter one printed phrase in its model: the line's text and its words (positions kept)."""
    import copy
    if path not in _PDF_CACHE:
        _PDF_CACHE[path] = load(path)
    doc = copy.deepcopy(_PDF_CACHE[path])
    if old is None:
        return doc
    seen = 0
    olds, news = old.split(), new.split()
    for ln in doc.lines:
        words = ln.words or []
        for k in range(len(words) - len(olds) + 1):
            if [w.text for w in words[k:k + len(olds)]] == olds:
                if seen == occurrence:
                    first, last = words[k], words[k + len(olds) - 1]
                    width = (last.x1 - first.x0) / max(1, len(news))
                    repl = [Word(t, first.x0 + i * width, first.x0 + (i + 1) * width - 2, first.top, first.size)
                            for i, t in enumerate(news)]
                    ln.words = words[:k] + repl + words[k + len(olds):]
                    assert old in ln.text.replace("\t", " "), (old, ln.text)
                    ln.text = re.sub(r"\s+".join(map(re.escape, olds)), new, ln.text, count=1)
                    return doc
                seen += 1
    raise AssertionError(f"{old!r} not found in {path}")
