"""One rating vocabulary: Outstanding, Good, Requires improvement, Inadequate, Not rated."""
from __future__ import annotations

import re

from .reference import reference


def normalise_rating(text: str | None) -> str | None:
    """Given a printed rating ("Requires\\nimprovement", "'Not rated'"), return the vocabulary term or None.

    Non-official words (a blog's "poor") are not mapped: they return None.
    """
    if not text:
        return None
    t = re.sub(r"[‘’'\"“”.]", "", re.sub(r"\s+", " ", text)).strip().lower()
    if t == "not inspected":
        return "Not rated"
    return reference()["ratings"]["synonyms"].get(t)
