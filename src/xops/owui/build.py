"""`xops owui build`: the single files an admin pastes into Open WebUI, generated from src/xops/owui/.

Each source module starts with its Open WebUI frontmatter docstring; every `from xops.owui.<module> import …`
(and `from xops.security.secrets|untrusted import …`: the secret detector, the untrusted-text helpers) in it is replaced by that module's code
(its docstring dropped), recursively and once per module, so the output stands alone on what Open WebUI ships. The committed files must equal a fresh build (`--check`).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

from xops.core.errors import UsageError

SOURCE_DIR = Path(__file__).resolve().parent
REPO = SOURCE_DIR.parents[2]
PACKAGE = "xops.owui."
# Modules outside src/xops/owui/ that are inlined too (standard library and pydantic only).
INLINED = {"xops.security.secrets": SOURCE_DIR.parent / "security" / "secrets.py",
           "xops.security.untrusted": SOURCE_DIR.parent / "security" / "untrusted.py"}
# Open WebUI rewrites these prefixes anywhere in a plugin's text (utils/plugin.py replace_imports).
REWRITTEN = ("from utils", "from apps", "from main", "from config")


@dataclass(frozen=True)
class Target:
    path: str  # relative to the repository
    source: str  # module under src/xops/owui/
    kind: str  # pipe | filter | action | tool | pipeline (for the Pipelines server, not installed in Open WebUI)

    @property
    def id(self) -> str:
        return Path(self.path).stem

    @property
    def folder(self) -> str:
        return Path(self.path).parent.name


TARGETS = (
    Target("functions/xops.py", "pipe", "pipe"),
    Target("functions/xops_redaction.py", "filter_redaction", "filter"),
    Target("functions/xops_scope.py", "filter_scope", "filter"),
    Target("functions/xops_audit.py", "filter_audit", "filter"),
    Target("functions/xops_budget.py", "filter_budget", "filter"),
    Target("functions/xops_export_evidence.py", "action_export", "action"),
    Target("functions/xops_approve_remediation.py", "action_approve", "action"),
    Target("tools/xops_analyzers.py", "tool_analyzers", "tool"),
    Target("pipelines/xops_pipelines.py", "pipeline", "pipeline"),
)


def _docstring_span(tree: ast.Module) -> tuple[int, int] | None:
    if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant) \
            and isinstance(tree.body[0].value.value, str):
        node = tree.body[0]
        return node.lineno, node.end_lineno or node.lineno
    return None


def _source(module: str) -> Path:
    """The file of an inlined module."""
    return INLINED.get(module) or SOURCE_DIR / f"{module}.py"


def _inline(module: str, seen: set[str], keep_docstring: bool) -> str:
    path = _source(module)
    text = path.read_text()
    tree = ast.parse(text, filename=str(path))
    lines = text.splitlines()
    replace: dict[int, tuple[int, str]] = {}  # first line -> (last line, replacement)
    doc = _docstring_span(tree)
    if doc and not keep_docstring:
        replace[doc[0]] = (doc[1], "")
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and ((node.module or "").startswith(PACKAGE) or node.module in INLINED):
            name = node.module if node.module in INLINED else node.module[len(PACKAGE):]
            body = ""
            if name not in seen:
                seen.add(name)
                src = _source(name).relative_to(REPO)
                body = (f"# ---- inlined from {src} ----\n"
                        f"{_inline(name, seen, keep_docstring=False).strip()}\n"
                        f"# ---- end of {src.name} ----\n")
            replace[node.lineno] = (node.end_lineno or node.lineno, body)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(n == "xops" or n.startswith("xops.") for n in names):
                raise UsageError(f"{path.name}:{node.lineno} imports {names[0]}, which Open WebUI does not have",
                                 f"import only from {PACKAGE}<module> or {', '.join(INLINED)} (inlined) "
                                 "or what Open WebUI ships")
    out: list[str] = []
    i = 1
    while i <= len(lines):
        if i in replace:
            last, body = replace[i]
            if body:
                out.append(body.rstrip("\n"))
            i = last + 1
            continue
        out.append(lines[i - 1])
        i += 1
    return "\n".join(out) + "\n"


def build_one(target: Target) -> str:
    """The generated file's text."""
    text = _inline(target.source, {target.source}, keep_docstring=True)
    if not text.startswith('"""\n'):
        raise UsageError(f"src/xops/owui/{target.source}.py must start with its frontmatter docstring on line 1",
                         'begin the file with """ then title:, author:, version: … lines')
    end = text.index('"""', 4) + 3
    notice = (f"\n\n# Generated by `xops owui build` from src/xops/owui/{target.source}.py: edit that file and "
              "rebuild, not this one.\n")
    text = text[:end] + notice + text[end:].lstrip("\n")
    for bad in REWRITTEN:
        if bad in text:
            raise UsageError(f"{target.path}: the text {bad!r} would be rewritten by Open WebUI's import fixer",
                             "reword it in the source module")
    compile(text, target.path, "exec")
    return text


def build(repo: Path = REPO, check: bool = False) -> list[str]:
    """Write (or with check=True, compare) every target; returns the paths that changed / differ."""
    changed = []
    for target in TARGETS:
        text = build_one(target)
        path = repo / target.path
        current = path.read_text() if path.exists() else None
        if current != text:
            changed.append(target.path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    return changed
