"""One registry of the audit's rules: each rule is registered with its name, what it checks and the
source of the rule, by the ``@rule`` decorator in the module of its family. The docs' rule table is
generated from here (``rules_markdown``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Rule:
    """A named check: ``check(ctx, document)`` returns the findings for one document."""
    name: str
    description: str
    source: str
    family: str
    check: Callable | None = None
    part_of: str | None = None      # a finding raised inside another rule's check


#: every rule, in the order they run
RULES: dict[str, Rule] = {}


def _family(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def rule(name: str, description: str, source: str) -> Callable:
    """Register the decorated function as the check of rule `name`."""
    def register(fn: Callable) -> Callable:
        if name in RULES:
            raise ValueError(f"audit rule {name!r} registered twice")
        RULES[name] = Rule(name, description, source, _family(fn.__module__), fn)
        return fn
    return register


def part(name: str, of: str, description: str, source: str) -> None:
    """Register a finding that rule `of`'s check raises under a name of its own."""
    RULES[name] = Rule(name, description, source, RULES[of].family, None, of)


def checks() -> list[Rule]:
    """The rules that run, in order (parts run inside their rule)."""
    return [r for r in RULES.values() if r.check is not None]


def rules_markdown() -> str:
    """The rule table of docs/audit.md: name, family, what it checks, the source of the rule."""
    lines = ["| rule | family | what it checks | source |", "|---|---|---|---|"]
    for r in RULES.values():
        what = f"(part of `{r.part_of}`) {r.description}" if r.part_of else r.description
        lines.append(f"| `{r.name}` | {r.family.replace('_', ' ')} | {what} | {r.source} |")
    return "\n".join(lines)
