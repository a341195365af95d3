"""Data flows one way: extract -> normalise -> store -> audit -> report; pipeline runs the stages and
cli only parses and prints. No stage imports a later one, and the audit works from stored rows only
(it imports neither extract nor normalise's code), including imports made inside functions. The
inspectorate's rules are data in one place, normalise.reference, which every stage may read."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["extract", "normalise", "store", "audit", "report", "pipeline", "cli"]
#: the one module every stage may read: the reference data (the inspectorate's rules)
REFERENCE = "normalise.reference"
#: what each package may import from the project besides the reference data
ALLOWED = {"extract": {"extract"}, "normalise": {"normalise", "extract"}, "store": {"store"},
           "audit": {"audit", "store"}, "report": {"report", "store", "audit"},
           "pipeline": {"pipeline", "extract", "normalise", "store", "audit"},
           "cli": {"cli", "pipeline", "store", "report", "audit"}}


def _project_imports(path: Path, package: str) -> set[str]:
    """The project modules a file imports, as dotted names under hmip_inspections ('store.schema')."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in PACKAGES:       # a bare top-level import: not allowed at all
                    out.add("<top-level>" + a.name)
                elif a.name.startswith("hmip_inspections."):
                    out.add(a.name.split(".", 1)[1])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                if node.module.split(".")[0] in PACKAGES:
                    out.add("<top-level>" + node.module)
                elif node.module.startswith("hmip_inspections."):
                    out.add(node.module.split(".", 1)[1])
            elif node.level == 1:
                out.add(package + ("." + node.module if node.module else ""))
            elif node.level == 2:
                if node.module:
                    out.add(node.module)
                else:   # from .. import audit (a stage) or PACKAGE_ROOT (the package root's own names)
                    out.update(a.name for a in node.names if a.name in PACKAGES)
    return out


def _violations(path: Path, package: str) -> set[str]:
    return {m for m in _project_imports(path, package)
            if m != REFERENCE and not m.startswith(REFERENCE + ".") and m.split(".")[0] not in ALLOWED[package]}


@pytest.mark.parametrize("package", PACKAGES)
def test_no_stage_reaches_back(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for f in files:
        bad = _violations(f, package)
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from ..extract.prose import to_number\n    return to_number\n")
    assert _violations(f, "audit") == {"extract.prose"}
    f.write_text("def f():\n    from ..normalise.reference import kq_band\n    from .. import audit\n")
    assert _violations(f, "extract") == {"audit"}


def test_a_bare_top_level_import_is_a_violation(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("from store.schema import TABLES\n")
    assert _violations(f, "audit") == {"<top-level>store.schema"}
