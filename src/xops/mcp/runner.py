"""What the MCP tools do: run analyzers in-process through the scan engine and shape the answers.

Warm inventory: analyzer tools reuse one AwsContext per scope (regions, accounts) for
XOPS_MCP_CACHE_SECONDS (default 60 s; 0 turns it off), from the shared `ContextPool`. Within that window a
repeated call reads the cached inventory (no AWS calls), so its answer can be that many seconds old; a
context that met a transient failure is not reused. run_scan always builds a fresh context: evidence must
reflect the account as it is now.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from xops.compliance.mapping import framework_json
from xops.core import registry
from xops.core.aws import AwsContext, AwsSettings
from xops.core.catalogue import Catalogue
from xops.core.contexts import ContextPool
from xops.core.errors import UsageError
from xops.core.models import Finding, Severity, Status
from xops.core.scope import Scope
from xops.evidence.store import EVIDENCE_FILES
from xops.mcp.tools import RUN_ID_PATTERN, ToolSpec, served, server_analyzers, server_pillars, tool_name

DEFAULT_CACHE_SECONDS = 60.0
MAX_FINDINGS = 100  # per answer; the evidence folder holds them all


def cache_seconds() -> float:
    raw = os.environ.get("XOPS_MCP_CACHE_SECONDS", "")
    if not raw:
        return DEFAULT_CACHE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise UsageError(f"XOPS_MCP_CACHE_SECONDS={raw!r} is not a number of seconds >= 0",
                         "unset it (default 60) or set e.g. XOPS_MCP_CACHE_SECONDS=30; 0 turns the cache off")
    return value


@dataclass
class ToolOutput:
    """A tool's answer: `structured` (JSON object), `text` (short summary); is_error for isError."""

    structured: dict[str, Any]
    text: str
    is_error: bool = False


def finding_json(f: Finding) -> dict[str, Any]:
    return f.model_dump(mode="json")


def _money(usd: float) -> str:
    return f"${usd:,.2f}/month"


def _finding_line(f: Finding) -> str:
    usd = f" ({_money(f.est_monthly_usd)})" if f.est_monthly_usd else ""
    where = f"{f.account_id}/{f.region}"
    return f"- {f.status.value} {f.resource_id or '(step)'} [{where}]{usd}: {f.message}"


class Runner:
    """Executes one server's tools. Thread-safe; call from a worker thread (boto3 is blocking)."""

    def __init__(self, server: str, pool: ContextPool | None = None, catalogue: Catalogue | None = None) -> None:
        self.server = server
        self.pillars = server_pillars(server)
        self.pool = pool or ContextPool(cache_seconds())
        self.catalogue = catalogue or registry.catalogue()

    def call(self, spec: ToolSpec, args: BaseModel) -> ToolOutput:
        if spec.analyzer_id is not None:
            return self.run_analyzer(spec.analyzer_id, args)
        handler = {"list_analyzers": self.list_analyzers, "describe_analyzer": self.describe_analyzer,
                   "run_scan": self.run_scan, "get_run": self.get_run, "get_findings": self.get_findings}[spec.name]
        return handler(args)

    # -- analyzers ----------------------------------------------------------------------------------
    def run_analyzer(self, analyzer_id: str, args: BaseModel) -> ToolOutput:
        from xops.core.scan import ScanRequest, scan

        assert isinstance(args, Scope)
        scope = Scope(regions=args.regions, accounts=args.accounts)
        params = args.model_dump(exclude=set(Scope.model_fields))
        aws = self.pool.get(scope)
        result = scan(aws, ScanRequest(analyzer_ids=[analyzer_id], params={analyzer_id: params}))
        counts = {s.value: len(result.by_status(s)) for s in Status}
        shown = [f for f in result.findings if f.status != Status.PASS]
        usd = round(sum(f.est_monthly_usd or 0.0 for f in result.by_status(Status.FAIL)), 2)
        where = f"accounts {', '.join(result.accounts)}; regions {', '.join(result.regions)}"
        text = "\n".join(
            [f"{analyzer_id} in {where}: {counts['FAIL']} FAIL" + (f" ({_money(usd)})" if usd else "")
             + f", {counts['ERROR']} ERROR, {counts['PASS']} PASS."]
            + [_finding_line(f) for f in shown[:10]]
            + ([f"… and {len(shown) - 10} more in `findings`."] if len(shown) > 10 else [])
        )
        structured = {"analyzer_id": analyzer_id, "accounts": result.accounts, "regions": result.regions,
                      "counts": counts, "est_monthly_usd": usd,
                      "findings": [finding_json(f) for f in shown[:MAX_FINDINGS]],
                      "findings_total": len(shown)}
        if counts["ERROR"] and not counts["FAIL"] and not counts["PASS"]:
            meta = self.catalogue.get(analyzer_id).meta
            services = ", ".join(sorted({p.split(":")[0] for p in meta.permissions}))
            errors = [f"- service {services}, account {f.account_id}, region {f.region}: {f.message}"
                      for f in result.by_status(Status.ERROR)]
            return ToolOutput(structured, f"{analyzer_id} could not read AWS:\n" + "\n".join(errors),
                              is_error=True)
        return ToolOutput(structured, text)

    # -- catalogue ----------------------------------------------------------------------------------
    def list_analyzers(self, args: BaseModel) -> ToolOutput:
        a: Any = args
        mine = {x.meta.id for x in server_analyzers(self.server, self.catalogue)}
        chosen = [x for x in self.catalogue.select(pillar=a.pillar, service=a.service, resource_type=a.resource_type,
                                                   framework=a.framework, severity=a.severity, query=a.query)
                  if x.meta.id in mine]
        rows = [{"id": x.meta.id, "tool": tool_name(x.meta.id), "title": x.meta.title, "pillar": x.meta.pillar,
                 "service": x.meta.service, "resource_type": x.meta.resource_type, "severity": x.meta.severity.value,
                 "scope": x.meta.scope} for x in chosen[:a.limit]]
        more = f" (first {len(rows)}; narrow with query, service or pillar)" if len(chosen) > len(rows) else ""
        text = (f"{len(chosen)} analyzers{more}:\n"
                + "\n".join(f"- {r['id']} ({r['service']}, {r['severity']}): {r['title']}" for r in rows)
                + "\nRun any of them with run_scan (analyzer_ids).")
        return ToolOutput({"analyzers": rows, "total": len(chosen)}, text)

    def describe_analyzer(self, args: BaseModel) -> ToolOutput:
        from xops.compliance.mapping import list_frameworks, load_framework
        from xops.mcp.tools import input_model, input_schema

        a: Any = args
        served(self.server, [a.analyzer_id], self.catalogue)
        analyzer = self.catalogue.get(a.analyzer_id)
        m = analyzer.meta
        mapped = [{"framework": fw, "requirement": r.id, "title": r.title}
                  for fw in list_frameworks() for r in load_framework(fw).requirements if m.id in r.analyzers]
        body = {**m.model_dump(mode="json"), "tool": tool_name(m.id),
                "input_schema": input_schema(input_model(analyzer)), "frameworks": mapped}
        text = (f"{m.id}: {m.title} ({m.pillar}, {m.severity.value}, {m.scope}). Risk: {m.risk} "
                f"Permissions: {', '.join(m.permissions)}. Fix: {m.remediation.summary}\nCLI:\n{m.remediation.cli}")
        return ToolOutput(body, text)

    # -- scans and runs -----------------------------------------------------------------------------
    def run_scan(self, args: BaseModel) -> ToolOutput:
        from xops.core.scan import ScanRequest, scan
        from xops.evidence.store import EvidenceStore
        from xops.evidence.summary import summarize
        from xops.settings import data_dir

        a: Any = args
        served(self.server, list(a.analyzer_ids), self.catalogue)
        pillar = a.pillar or (self.pillars[0] if len(self.pillars) == 1 else None)
        request = ScanRequest(analyzer_ids=list(a.analyzer_ids), pillar=pillar, service=a.service,
                              framework=a.framework, params=dict(a.params))
        aws = AwsContext(AwsSettings(regions=a.regions, accounts=a.accounts))
        result = scan(aws, request)
        run_dir = EvidenceStore(data_dir()).write(result)
        summary = summarize(result)
        shown = [f for f in result.findings if f.status != Status.PASS]
        text = (f"run {result.run_id}: {len(result.analyzer_ids)} analyzers, accounts {', '.join(result.accounts)}, "
                f"regions {', '.join(result.regions)}: {summary.fail} FAIL ({_money(summary.est_monthly_usd)}), "
                f"{summary.error} ERROR, {summary.passed} PASS. Evidence: {run_dir}\n"
                + "\n".join(_finding_line(f) for f in shown[:10]))
        structured = {"run_id": result.run_id, "evidence_dir": str(run_dir),
                      "resources": [resource_uri(result.run_id, n) for n in EVIDENCE_FILES],
                      "summary": summary.model_dump(mode="json"),
                      "framework": framework_json(result.framework, result.findings),
                      "findings": [finding_json(f) for f in shown[:MAX_FINDINGS]], "findings_total": len(shown)}
        return ToolOutput(structured, text)

    def get_run(self, args: BaseModel) -> ToolOutput:
        a: Any = args
        folder = run_folder(a.run_id)
        manifest = json.loads((folder / "manifest.json").read_text())
        findings = json.loads((folder / "findings.json").read_text())["findings"]
        shown = [f for f in findings if f["status"] != "PASS"]
        text = (folder / "summary.md").read_text()
        structured = {"run_id": a.run_id, "manifest": manifest,
                      "resources": [resource_uri(a.run_id, n) for n in EVIDENCE_FILES],
                      "findings": shown[:MAX_FINDINGS], "findings_total": len(shown)}
        return ToolOutput(structured, text)

    def get_findings(self, args: BaseModel) -> ToolOutput:
        a: Any = args
        findings = json.loads((run_folder(a.run_id) / "findings.json").read_text())["findings"]
        floor = Severity(a.severity).rank if a.severity else None
        chosen = [f for f in findings
                  if (f["status"] == a.status if a.status else f["status"] != "PASS")
                  and (floor is None or Severity(f["severity"]).rank >= floor)
                  and (a.analyzer_id is None or f["analyzer_id"] == a.analyzer_id)
                  and (a.account_id is None or f["account_id"] == a.account_id)
                  and (a.region is None or f["region"] == a.region)]
        page = chosen[a.offset:a.offset + a.limit]
        text = (f"run {a.run_id}: {len(chosen)} matching finding(s), showing {len(page)} from {a.offset}:\n"
                + "\n".join(_finding_line(Finding.model_validate(f)) for f in page[:20]))
        return ToolOutput({"run_id": a.run_id, "total": len(chosen), "offset": a.offset, "findings": page}, text)


# -- evidence as resources ----------------------------------------------------------------------------
RESOURCE_PREFIX = "xops://runs/"


def resource_uri(run_id: str, name: str) -> str:
    return f"{RESOURCE_PREFIX}{run_id}/{name}"


def runs_root() -> Path:
    from xops.settings import data_dir

    return data_dir() / "runs"


def run_folder(run_id: str) -> Path:
    import re

    if not re.match(RUN_ID_PATTERN, run_id):
        raise UsageError(f"{run_id!r} is not a run id", "run ids look like 20261201T101500Z-a1b2c3 (from run_scan)")
    folder = runs_root() / run_id
    if not (folder / "manifest.json").is_file():
        recent = ", ".join(recent_runs(5)) or "none yet"
        raise UsageError(f"no run {run_id} in {runs_root()}", f"recent runs: {recent}; run_scan makes new ones")
    return folder


def recent_runs(limit: int = 20) -> list[str]:
    import re

    root = runs_root()
    if not root.is_dir():
        return []
    ids = [p.name for p in root.iterdir() if re.match(RUN_ID_PATTERN, p.name) and (p / "manifest.json").is_file()]
    return sorted(ids, reverse=True)[:limit]


def read_evidence(uri: str) -> tuple[str, str]:
    """(text, mime type) of one evidence file named by `xops://runs/{run_id}/{name}`; names are checked."""
    if not uri.startswith(RESOURCE_PREFIX):
        raise UsageError(f"unknown resource {uri!r}", "evidence resources look like xops://runs/{run_id}/{name}")
    run_id, _, name = uri.removeprefix(RESOURCE_PREFIX).partition("/")
    if name not in EVIDENCE_FILES:
        raise UsageError(f"unknown evidence file {name!r} in {uri!r}", f"use one of: {', '.join(EVIDENCE_FILES)}")
    folder = run_folder(run_id)
    mime = {"json": "application/json", "csv": "text/csv", "md": "text/markdown"}[name.rsplit(".", 1)[1]]
    return (folder / name).read_text(), mime
