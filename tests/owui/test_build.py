"""The committed single files equal a fresh build, stand alone, and carry Open WebUI's frontmatter."""

from __future__ import annotations

import ast
import subprocess

import pytest

from tests.harness.sandbox import XOPS
from xops.owui.build import REPO, TARGETS, build, build_one
from xops.owui.install import frontmatter

ALLOWED = {"httpx", "pydantic", "aiohttp", "requests", "open_webui"}


def test_committed_files_match_a_fresh_build() -> None:
    assert build(check=True) == [], "run `xops owui build` and commit functions/ and tools/"
    res = subprocess.run([XOPS, "owui", "build", "--check"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "up to date", res.stderr


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
def test_each_file_stands_alone_with_frontmatter(target) -> None:
    text = (REPO / target.path).read_text()
    assert text.startswith('"""\ntitle: ')
    fm = frontmatter(text)
    assert {"title", "author", "version", "required_open_webui_version", "description", "license"} <= set(fm)
    tree = ast.parse(text)
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    import sys

    assert roots - ALLOWED <= set(sys.stdlib_module_names), roots
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    expected = {"pipe": "Pipe", "filter": "Filter", "action": "Action", "tool": "Tools",
                "pipeline": "Pipeline"}[target.kind]
    assert expected in classes


def test_a_module_that_imports_xops_is_refused(tmp_path, monkeypatch) -> None:
    from xops.core.errors import UsageError
    from xops.owui import build as b

    (tmp_path / "bad.py").write_text('"""\ntitle: bad\n"""\n\nfrom xops.core import registry\n')
    monkeypatch.setattr(b, "SOURCE_DIR", tmp_path)
    with pytest.raises(UsageError, match="Open WebUI does not have"):
        build_one(b.Target("functions/bad.py", "bad", "filter"))
