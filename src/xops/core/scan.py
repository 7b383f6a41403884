"""Plan and run a scan: steps of analyzer × account × region, run concurrently on a bounded pool.

A step is idempotent and independent: `run_step` returns its findings, or one ERROR finding that says
what failed and what to check (throttled, denied, unsupported API, crash), and the scan goes on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import zip_longest
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from xops import __version__
from xops.core import registry
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.awserrors import explain
from xops.core.errors import UsageError
from xops.core.models import AnalyzerParams, Finding, Pillar, Status


class ScanRequest(BaseModel):
    """What to scan: the analyzers matching every selector given (ids, pillar, service, framework), or all."""

    analyzer_ids: list[str] = Field(default_factory=list)
    pillar: Pillar | None = None
    service: str | None = None
    framework: str | None = None
    params: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Parameters per analyzer id")


@dataclass(frozen=True)
class Step:
    analyzer: Analyzer
    target: Target

    @property
    def label(self) -> str:
        return f"{self.analyzer.meta.id} {self.target.account_id}/{self.target.region}"


class ScanResult(BaseModel):
    run_id: str
    started_at: datetime
    finished_at: datetime
    xops_version: str = __version__
    caller: dict[str, str]
    accounts: list[str]
    regions: list[str]
    analyzer_ids: list[str]
    framework: str | None = None
    steps: int
    api_calls: int
    findings: list[Finding]

    def by_status(self, status: Status) -> list[Finding]:
        return [f for f in self.findings if f.status == status]


ProgressFn = Callable[[int, int, Step], None]


def new_run_id(now: datetime | None = None) -> str:
    return f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def resolve_analyzers(request: ScanRequest) -> list[Analyzer]:
    return registry.catalogue().select(ids=request.analyzer_ids, pillar=request.pillar, service=request.service,
                                       framework=request.framework)


def prepare(request: ScanRequest) -> tuple[list[Analyzer], dict[str, AnalyzerParams]]:
    """The one run setup of every surface: the analyzers of a request and their validated parameters, or a
    UsageError that says what is wrong (checked before any AWS call)."""
    analyzers = resolve_analyzers(request)
    if not analyzers:
        raise UsageError("no analyzers match this request", "check the pillar, service, analyzer ids and framework")
    return analyzers, validate_params(analyzers, request.params)


def validate_params(analyzers: list[Analyzer], params: dict[str, dict[str, Any]]) -> dict[str, AnalyzerParams]:
    """Each analyzer's params model, validated; errors name the analyzer, the field and what is allowed."""
    known = {a.meta.id for a in analyzers}
    stray = sorted(set(params) - known)
    if stray:
        raise UsageError(f"parameters given for analyzer(s) not in this scan: {', '.join(stray)}",
                         "check the ids with `xops analyzers list`")
    out: dict[str, AnalyzerParams] = {}
    for a in analyzers:
        try:
            out[a.meta.id] = a.Params.model_validate(params.get(a.meta.id, {}))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(params)'}: {e['msg']}" for e in exc.errors()
            )
            raise UsageError(f"invalid parameters for {a.meta.id}: {problems}",
                             f"see `xops analyzers describe {a.meta.id}` for the parameters") from exc
    return out


def plan(aws: AwsContext, analyzers: list[Analyzer], accounts: list[str], regions: list[str]) -> list[Step]:
    """Every step, interleaved across targets so concurrent steps hit different services and regions."""
    per_analyzer = [[Step(a, t) for t in aws.targets(a.meta.scope, regions, accounts)] for a in analyzers]
    by_target: dict[Target, list[Step]] = {}
    for steps in per_analyzer:
        for s in steps:
            by_target.setdefault(s.target, []).append(s)
    rounds = zip_longest(*by_target.values())
    return [s for row in rounds for s in row if s is not None]


def run_step(aws: AwsContext, step: Step, params: AnalyzerParams) -> list[Finding]:
    a, at = step.analyzer, step.target
    try:
        return list(a.run(aws, at, params))
    except Exception as exc:
        message, evidence = explain(exc, f"account {at.account_id} region {at.region}", a.meta.permissions)
        return [Finding(analyzer_id=a.meta.id, account_id=at.account_id, region=at.region, resource_id="",
                        status=Status.ERROR, severity=a.meta.severity, message=message, evidence=evidence)]


def sort_findings(findings: list[Finding]) -> list[Finding]:
    order = {Status.FAIL: 0, Status.ERROR: 1, Status.PASS: 2}
    return sorted(findings, key=lambda f: (order[f.status], -f.severity.rank, -(f.est_monthly_usd or 0.0),
                                           f.analyzer_id, f.account_id, f.region, f.resource_id))


def scan(aws: AwsContext, request: ScanRequest, on_progress: ProgressFn | None = None) -> ScanResult:
    started = datetime.now(UTC)
    analyzers, params = prepare(request)
    caller = aws.check()
    accounts = aws.accounts()
    regions = aws.regions()
    aws.scan_regions = regions
    steps = plan(aws, analyzers, accounts, regions)
    findings: list[Finding] = []
    with ThreadPoolExecutor(max_workers=aws.settings.max_workers, thread_name_prefix="xops-step") as pool:
        futures = {pool.submit(run_step, aws, s, params[s.analyzer.meta.id]): s for s in steps}
        for done, fut in enumerate(as_completed(futures), start=1):
            findings.extend(fut.result())
            if on_progress:
                on_progress(done, len(steps), futures[fut])
    return ScanResult(
        run_id=new_run_id(started), started_at=started, finished_at=datetime.now(UTC), caller=caller,
        accounts=accounts, regions=regions, analyzer_ids=[a.meta.id for a in analyzers],
        framework=request.framework, steps=len(steps), api_calls=len(aws.inventory.calls),
        findings=sort_findings(findings),
    )
