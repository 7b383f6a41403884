"""The analyzers as CrewAI tools, in-process: one tool per analyzer, answering from a `FindingSource`.

Every tool is a read-only analyzer of the registry (`analyzer_tools`): it answers from findings already made and
has no parameter, so no LLM tool can write to AWS, start a scan elsewhere or change anything. Its result is the
findings inside a data block (`xops.security.untrusted.data_block`): resource names and messages come from the
AWS account and are data, never instructions.

In a Runbooks API run the source is the run's own findings (already scanned by its analyze steps, and
filtered to the caller's cost centres), so a tool call is instant and every number is this run's.
Outside a run, `LiveSource` runs the analyzer through the registry against AWS.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from xops.core import registry
from xops.core.models import Finding, Status
from xops.security.untrusted import data_block

MAX_ROWS = 60  # findings per tool result


class FindingSource(Protocol):
    def findings(self, analyzer_id: str) -> list[Finding]: ...


class RunSource:
    """The findings of one run (engine)."""

    def __init__(self, findings: list[Finding]) -> None:
        self._by: dict[str, list[Finding]] = {}
        for f in findings:
            self._by.setdefault(f.analyzer_id, []).append(f)

    def findings(self, analyzer_id: str) -> list[Finding]:
        return self._by.get(analyzer_id, [])


class LiveSource:
    """Runs the analyzer through the registry (standalone crews)."""

    def __init__(self, aws: Any) -> None:
        self.aws = aws

    def findings(self, analyzer_id: str) -> list[Finding]:
        from xops.core.scan import ScanRequest, scan

        return scan(self.aws, ScanRequest(analyzer_ids=[analyzer_id])).findings


def tool_name(analyzer_id: str) -> str:
    """Tool names allow [a-z0-9_] only (CrewAI lowercases and collapses repeated underscores)."""
    return analyzer_id.replace(".", "_")


def tool_result(analyzer_id: str, found: list[Finding]) -> dict[str, Any]:
    meta = registry.get(analyzer_id).meta
    fails = sorted((f for f in found if f.status == Status.FAIL),
                   key=lambda f: (-(f.est_monthly_usd or 0.0), -f.severity.rank, f.resource_id))
    errors = [f for f in found if f.status == Status.ERROR]
    return {
        "analyzer": analyzer_id, "title": meta.title, "fail": len(fails),
        "passed": sum(1 for f in found if f.status == Status.PASS),
        "est_monthly_usd_total": round(sum(f.est_monthly_usd or 0.0 for f in fails), 2),
        "findings": [{"resource_id": f.resource_id, "account_id": f.account_id, "region": f.region,
                      "severity": f.severity.value, "est_monthly_usd": f.est_monthly_usd, "message": f.message}
                     for f in fails[:MAX_ROWS]],
        "more": max(0, len(fails) - MAX_ROWS),
        "errors": [e.message for e in errors[:3]],
        "fix": meta.remediation.summary,
    }


class CallLog:
    """Which tools were called, in order (stored with the step's output)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        with self._lock:
            self.calls.append(name)


class _NoArgs(BaseModel):
    model_config = ConfigDict(extra="ignore")


def analyzer_tools(pillar: str, source: FindingSource, log: CallLog) -> list[Any]:
    from xops.llm import offline

    with offline.heavy_imports():
        from crewai.tools import BaseTool

    class AnalyzerTool(BaseTool):
        args_schema: type[BaseModel] = _NoArgs
        analyzer_id: str = ""

        def _run(self, **_: Any) -> str:
            log.add(self.analyzer_id)
            return data_block(json.dumps(tool_result(self.analyzer_id, source.findings(self.analyzer_id))),
                              f"analyzer {self.analyzer_id}")

    out = []
    for a in registry.all_analyzers():
        if a.meta.pillar != pillar:
            continue
        out.append(AnalyzerTool(name=tool_name(a.meta.id), analyzer_id=a.meta.id,
                                description=f"{a.meta.title}. Returns this run's findings of analyzer {a.meta.id} "
                                            f"(resource ids, $/month, severity) and the fix. {a.meta.risk}"))
    return out
