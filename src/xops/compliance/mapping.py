"""Compliance frameworks as data: requirement -> analyzer ids, with the requirement in our own words.

Files live in `frameworks/<id>.yaml`. A requirement's status in a scan: FAIL if any of its analyzers
failed, ERROR if none failed but one could not run, PASS if its analyzers ran clean, NOT_ASSESSED when
none of its analyzers was part of the scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from xops.core.errors import UsageError
from xops.core.models import Finding, Status


class Requirement(BaseModel):
    id: str
    title: str
    text: str = Field(description="What the requirement asks, in our own words")
    analyzers: list[str] = Field(min_length=1)


class Framework(BaseModel):
    id: str
    title: str
    version: str
    source: str
    note: str = ""
    requirements: list[Requirement]

    def analyzer_ids(self) -> list[str]:
        return list(dict.fromkeys(a for r in self.requirements for a in r.analyzers))


class RequirementResult(BaseModel):
    requirement_id: str
    title: str
    status: Literal["PASS", "FAIL", "ERROR", "NOT_ASSESSED"]
    fail: int
    passed: int
    error: int
    analyzers: list[str]


def _files() -> dict[str, str]:
    folder = resources.files("xops.compliance").joinpath("frameworks")
    return {p.name.removesuffix(".yaml"): p.read_text() for p in folder.iterdir() if p.name.endswith(".yaml")}


def list_frameworks() -> list[str]:
    return sorted(_files())


@cache
def load_framework(framework_id: str) -> Framework:
    files = _files()
    if framework_id not in files:
        raise UsageError(f"unknown framework {framework_id!r}", f"use one of: {', '.join(sorted(files))}")
    return Framework.model_validate(yaml.safe_load(files[framework_id]))


def framework_report(framework: Framework, findings: Iterable[Finding]) -> list[RequirementResult]:
    by_analyzer: dict[str, list[Finding]] = {}
    for f in findings:
        by_analyzer.setdefault(f.analyzer_id, []).append(f)
    out = []
    for req in framework.requirements:
        mine = [f for a in req.analyzers for f in by_analyzer.get(a, [])]
        fail = sum(f.status == Status.FAIL for f in mine)
        error = sum(f.status == Status.ERROR for f in mine)
        passed = sum(f.status == Status.PASS for f in mine)
        ran = any(a in by_analyzer for a in req.analyzers)
        status: Literal["PASS", "FAIL", "ERROR", "NOT_ASSESSED"] = (
            "FAIL" if fail else "ERROR" if error else "PASS" if ran else "NOT_ASSESSED"
        )
        out.append(RequirementResult(requirement_id=req.id, title=req.title, status=status, fail=fail,
                                     passed=passed, error=error, analyzers=req.analyzers))
    return out


def framework_json(framework_id: str | None, findings: Iterable[Finding]) -> dict[str, Any] | None:
    """The per-requirement report as JSON (None without a framework): for `xops scan --format json` and MCP."""
    if not framework_id:
        return None
    fw = load_framework(framework_id)
    return {"id": fw.id, "title": fw.title, "version": fw.version,
            "requirements": [r.model_dump() for r in framework_report(fw, findings)]}
