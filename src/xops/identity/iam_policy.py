"""The read-only IAM policy that exactly covers the registered analyzers, plus what the scanner needs.

`build_policies()` returns one policy document, or several when the actions would not fit IAM's managed
policy size limit (6,144 characters, whitespace not counted). Output is deterministic: actions are sorted
and de-duplicated, so the committed JSON that Terraform reads can be compared with a fresh generation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from xops.core.errors import UsageError
from xops.resources.ops import is_read_only

POLICY_VERSION = "2012-10-17"
# IAM: a customer managed policy may hold at most 6,144 characters, whitespace excluded.
MANAGED_POLICY_MAX_CHARS = 6144
# The role the scanner assumes in member accounts. A dedicated read-only role, created in each member
# account with the same analyzer actions (see docs/deploy.md); the scanner is told with XOPS_ASSUME_ROLE.
DEFAULT_MEMBER_ROLE = "xops-readonly"

# What the scanner itself calls, whichever analyzers run (src/xops/core/aws.py, src/xops/pricing/book.py,
# src/xops/api/tags.py).
SCANNER_ACTIONS: tuple[str, ...] = (
    "ec2:DescribeRegions",            # regions: every enabled region when none are given
    "ec2:DescribeTags",               # cost-centre tags of EC2 findings (Runbooks API ABAC)
    "organizations:ListAccounts",     # --accounts all
    "pricing:GetProducts",            # live prices (offline table otherwise)
    "sts:GetCallerIdentity",          # who am I, before any scan
    "tag:GetResources",               # cost-centre tags of findings by ARN (Runbooks API ABAC)
)
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def analyzer_actions() -> list[str]:
    """Every IAM action the registered analyzers need (derived from what they read), sorted, unique."""
    from xops.core import registry

    return sorted({p for a in registry.all_analyzers() for p in a.meta.permissions})


def _statement(sid: str, actions: list[str], resource: str = "*") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def _size(document: dict[str, Any]) -> int:
    """Characters IAM counts: the JSON without whitespace."""
    return len(json.dumps(document, separators=(",", ":")))


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": statements}


def build_policies(member_role: str = DEFAULT_MEMBER_ROLE,
                   max_chars: int = MANAGED_POLICY_MAX_CHARS) -> list[dict[str, Any]]:
    """The policy documents, in order. The first holds the scanner's actions; analyzer actions fill the
    first document and spill into more only when one would exceed `max_chars`."""
    if not _ROLE_NAME.match(member_role):
        raise UsageError(f"invalid member role name {member_role!r}",
                         "an IAM role name has 1-64 letters, digits and +=,.@_- characters")
    actions = analyzer_actions()
    unsafe = [a for a in actions if not is_read_only(a)]
    if unsafe:
        raise UsageError(f"analyzers declare actions that are not read-only: {', '.join(unsafe)}",
                         "analyzer permissions must be Describe*, Get* or List* actions")
    head = [
        _statement("XopsScanner", sorted(SCANNER_ACTIONS)),
        _statement("XopsAssumeMemberRole", ["sts:AssumeRole"], f"arn:aws:iam::*:role/{member_role}"),
    ]
    documents: list[list[dict[str, Any]]] = [head]
    chunk: list[str] = []
    for action in actions:
        trial = documents[-1] + [_statement("XopsAnalyzers", [*chunk, action])]
        if chunk and _size(_document(trial)) > max_chars:
            documents[-1].append(_statement("XopsAnalyzers", chunk))
            documents.append([])
            chunk = []
        chunk.append(action)
    documents[-1].append(_statement("XopsAnalyzers", chunk))
    result = [_document(statements) for statements in documents]
    too_big = [i for i, d in enumerate(result, 1) if _size(d) > max_chars]
    if too_big:
        raise UsageError(f"policy document {too_big[0]} is over {max_chars} characters",
                         "raise --max-chars (IAM allows 6144 for a managed policy)")
    return result


def render(document: dict[str, Any]) -> str:
    """Stable text: two-space indent, keys in a fixed order, newline at the end."""
    return json.dumps(document, indent=2) + "\n"


def chunk_paths(out: Path, count: int) -> list[Path]:
    """`analyzer-readonly.json`, then `analyzer-readonly-2.json`, `-3`, ... when there is more than one."""
    return [out] + [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(2, count + 1)]


def write_policies(out: Path, documents: list[dict[str, Any]]) -> list[Path]:
    """Write the documents; remove chunk files left over from an earlier, longer generation."""
    if out.suffix != ".json":
        raise UsageError(f"--out {out} must end in .json", "example: --out infra/modules/ecs/policies/analyzer-readonly.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = chunk_paths(out, len(documents))
    for stale in out.parent.glob(f"{out.stem}-*{out.suffix}"):
        if re.fullmatch(rf"{re.escape(out.stem)}-\d+", stale.stem) and stale not in paths:
            stale.unlink()
    for path, document in zip(paths, documents, strict=True):
        path.write_text(render(document))
    return paths
