"""Our own code carries no secret: the xOps detector over every shipped file (it replaces bandit's name-based
B105/B106, which flag strings like Status.PASS), and pseudo-random numbers only where they seed the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

from xops.security.secrets import find

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("src", "mcp_servers", "functions", "tools", "pipelines", "infra", "scripts")


def sandbox_code(rel: str) -> bool:
    """The sandbox, and the planters and tests of the analyzer folders: moto only, never real AWS."""
    return rel.startswith("src/xops/sandbox/") or rel.endswith(("/planter.py", "/test_analyzer.py"))


def shipped_files() -> list[Path]:
    out = []
    for top in SHIPPED:
        out += [p for p in (REPO / top).rglob("*") if p.is_file() and p.suffix in
                {".py", ".tf", ".yaml", ".yml", ".json", ".conf", ".template", ".sh", ".md", ".toml"}]
    return out + [REPO / "docker-compose.yml", REPO / "Dockerfile", REPO / "pyproject.toml"]


def test_no_secret_in_the_code_we_ship() -> None:
    files = shipped_files()
    assert len(files) > 100
    found = set()
    for path in files:
        text = path.read_text(errors="replace")
        for m in find(text):
            found.add((str(path.relative_to(REPO)), m.kind, text[m.start:m.end][:4]))
    # deliberate: the demo estate's (and the analyzer tests') users and databases get fake passwords in moto
    assert [x for x in sorted(found) if not (sandbox_code(x[0]) and x[1] == "password")] == []


def test_pseudo_random_numbers_only_seed_the_sandbox() -> None:
    for path in (REPO / "src").rglob("*.py"):
        rel = str(path.relative_to(REPO))
        if re.search(r"^\s*(import random|from random import)", path.read_text(), re.M):
            assert sandbox_code(rel), f"{rel}: use `secrets` for anything unguessable"
