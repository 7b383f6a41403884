"""The error tree: one file, one exit code per family, and the README's exit-code table says the same."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from xops.core import errors

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| (\d+) \| ([^|]+) \| `(\w+)` \| *(\d*) *\|$")


def readme_table() -> dict[int, tuple[str, str, str]]:
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        m = ROW.match(line)
        if m:
            rows[int(m.group(1))] = (m.group(2).strip(), m.group(3), m.group(4))
    return rows


def test_no_two_families_share_an_exit_code() -> None:
    codes = [f.exit_code for f in errors.families()]
    assert len(codes) == len(set(codes)) and 0 not in codes
    assert {f.__name__ for f in errors.families()} >= {"UsageError", "CredentialsError", "IdentitySyncError",
                                                       "LlmUnavailable", "StackError", "SandboxError"}


def test_the_readme_table_matches_the_tree() -> None:
    table = readme_table()
    tree = {f.exit_code: f for f in errors.families()}
    assert set(table) == set(tree), "README exit codes differ from src/xops/core/errors.py"
    for code, (meaning, name, status) in table.items():
        family = tree[code]
        assert name == family.__name__, code
        assert meaning.replace("`", "").startswith(family.title), (code, meaning, family.title)
        assert status == ("" if code == errors.FailOnThreshold.exit_code else str(family.http_status)), code


def test_exit_codes_are_defined_only_in_the_error_file() -> None:
    """Elsewhere errors subclass a family and keep its code (one tree, in one file)."""
    offenders = []
    for path in (ROOT / "src" / "xops").rglob("*.py"):
        if path.name == "errors.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "exit_code" for t in stmt.targets):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert offenders == []
