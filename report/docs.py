"""The generated parts of docs/: the schema, the audit's rule table and the list of queries.

Each is kept between ``<!-- NAME:start ... -->`` and ``<!-- NAME:end -->`` in its page;
``python -m hmip_inspections.report.docs DOCS_DIR`` rewrites them from the code, and the tests check
that the pages hold what the code generates.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable


def _schema() -> str:
    from ..store.schema import markdown
    return markdown().rstrip("\n")


def _rules() -> str:
    from ..audit import rules_markdown
    return rules_markdown()


def _queries() -> str:
    from ..store.queries import load
    lines = ["| query | answers |", "|---|---|"]
    lines += [f"| `{q.name}` | {q.summary} |" for q in load().values()]
    return "\n".join(lines)


#: page -> {block name: what generates it}
GENERATED: dict[str, dict[str, Callable[[], str]]] = {
    "schema.md": {"schema": _schema},
    "audit.md": {"rules": _rules},
    "researchers.md": {"queries": _queries},
}


def _block(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- {name}:start[^\n]*-->\n)(.*?)(<!-- {name}:end -->)", re.S)


def stale(docs: Path) -> list[str]:
    """Given the docs folder, return the generated blocks that differ from what the code generates."""
    out = []
    for page, blocks in GENERATED.items():
        text = (docs / page).read_text(encoding="utf-8")
        for name, make in blocks.items():
            m = _block(name).search(text)
            if m is None or m.group(2) != make() + "\n":
                out.append(f"{page}: {name}")
    return out


def update(docs: Path) -> list[str]:
    """Rewrite every generated block in the docs folder; return the blocks that changed."""
    changed = stale(docs)
    for page, blocks in GENERATED.items():
        path = docs / page
        text = path.read_text(encoding="utf-8")
        for name, make in blocks.items():
            text = _block(name).sub(lambda m: m.group(1) + make() + "\n" + m.group(3), text)
        path.write_text(text, encoding="utf-8")
    return changed


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    for item in update(folder):
        print(f"updated {item}")
