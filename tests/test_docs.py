"""The docs cannot drift from the code: the generated pages hold what the code generates, the README
documents every command within 200 lines, and CI runs the README's test command."""
from __future__ import annotations

import re

from conftest import ROOT

from hmip_inspections.report.docs import GENERATED, stale


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_generated_docs_are_in_sync_with_the_code():
    # schema (store/schema.py), the audit's rule table (the registry) and the list of queries
    assert GENERATED and stale(ROOT / "docs") == [], "run: python -m hmip_inspections.report.docs docs"


def test_the_sync_check_sees_a_stale_block(tmp_path):
    import shutil
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    page = tmp_path / "docs" / "audit.md"
    page.write_text(page.read_text(encoding="utf-8").replace("| `score_sum` |", "| `score_total` |"), encoding="utf-8")
    assert stale(tmp_path / "docs") == ["audit.md: rules"]


def test_every_column_and_rule_is_documented():
    from hmip_inspections.audit import RULES
    from hmip_inspections.store.schema import TABLES
    schema = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    for t, spec in TABLES.items():
        for c, _, _ in spec["columns"]:
            assert f"`{c}`" in schema, (t, c)
    audit = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    for name in RULES:
        assert f"| `{name}` |" in audit, name


def test_every_subcommand_is_documented_in_the_readme():
    parser_src = (ROOT / "cli" / "main.py").read_text(encoding="utf-8")
    cmds = re.findall(r'sub\.add_parser\("(\w+)"', parser_src)
    assert len(cmds) >= 7
    for c in cmds:
        assert f"inspections {c}" in _readme(), c


def test_readme_is_short_and_links_into_docs():
    readme = _readme()
    assert len(readme.splitlines()) <= 200
    for page in ("refresh", "audit", "researchers", "schema", "accuracy", "performance", "architecture"):
        assert f"docs/{page}.md" in readme, page
        assert (ROOT / "docs" / f"{page}.md").exists(), page


def test_ci_runs_the_readme_test_command():
    # the README's two set-up commands are the first two lines of its first sh block
    setup = _readme().split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    main_cmd, test_cmd = setup[0], setup[1]
    assert "python3 -m venv .venv" in main_cmd and main_cmd.endswith(".venv/bin/inspections refresh")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd.replace("pip install -e", "pip install -q -e") in ci


def test_python_modules_are_at_most_600_lines():
    for f in sorted(ROOT.glob("*/*.py")):
        if f.parts[-2] in ("tests", ".venv", "build"):
            continue
        n = len(f.read_text(encoding="utf-8").splitlines())
        assert n <= 600, f"{f.relative_to(ROOT)}: {n} lines"
