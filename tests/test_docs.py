"""The README documents every command and every column (it cannot drift from the code)."""
from __future__ import annotations

from conftest import ROOT
from hmip_inspections.store.schema import TABLES, markdown


def test_readme_schema_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown().strip() in readme
    for t, spec in TABLES.items():
        for c, _, _ in spec["columns"]:
            assert f"`{c}`" in readme, (t, c)


def test_every_subcommand_is_documented():
    import argparse
    from hmip_inspections.cli.main import parse_args  # noqa: F401
    import hmip_inspections.cli.main as m
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser_src = (ROOT / "cli" / "main.py").read_text(encoding="utf-8")
    import re
    cmds = re.findall(r'sub\.add_parser\("(\w+)"', parser_src)
    assert cmds
    for c in cmds:
        assert f"inspections {c}" in readme, c


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    cmd = readme.split("```sh\n", 1)[1].split("\n")[1]
    assert cmd.replace("python3 -m pip install -e", "python3 -m pip install -q -e") in ci


def test_readme_lists_every_audit_rule():
    from hmip_inspections.audit import rules_markdown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules_markdown() in readme


def test_readme_lists_every_query():
    from hmip_inspections.store.queries import load
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in load():
        assert f"| `{name}` |" in readme, name
