"""Data flows one way: extract -> normalise -> store -> audit. No stage imports a later one, and the
audit works from stored rows only (it imports neither extract nor normalise), including imports made
inside functions."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["extract", "normalise", "store", "audit"]
#: what each stage may import from the project
ALLOWED = {"extract": {"extract"}, "normalise": {"normalise", "extract"}, "store": {"store"},
           "audit": {"audit", "store"}}


def _project_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        out.update(n.split(".")[0] for n in names if n.split(".")[0] in STAGES + ["cli", "report"])
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_no_stage_reaches_back(stage):
    files = sorted((ROOT / stage).rglob("*.py"))
    assert files
    for f in files:
        bad = _project_imports(f) - ALLOWED[stage]
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from extract.prose import to_number\n    return to_number\n")
    assert _project_imports(f) == {"extract"}
