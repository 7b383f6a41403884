"""The analyzer contract: what an analyzer reads (declared), the verdicts it gives, and how a step turns
them into findings.

Most analyzers are one of the check kinds in `xops.core.checks` (a function over one typed resource). A
class is there for the rest: subclass `Analyzer`, declare `reads` (resource types with the details you
need, settings, metrics, ops) and implement `evaluate(ctx, params)` yielding `Pass`/`Fail` verdicts.
Analyzers never see boto3: `Ctx` gives them typed resources, settings, metrics and declared queries, and
refuses anything they did not declare.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Scope, Status
from xops.resources.base import Metric, Resource, Setting
from xops.resources.layer import Reads, reading
from xops.resources.ops import Op

if TYPE_CHECKING:
    from xops.core.aws import AwsContext, Target
    from xops.pricing.book import Cost, PriceBook

R = TypeVar("R", bound=Resource)


@dataclass
class Verdict:
    """The outcome for one resource (or for the step's account/region when no resource is named)."""

    status: Status
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    cost: Cost | None = None
    usd: float | None = None
    resource: Resource | None = None
    resource_id: str | None = None
    arn: str | None = None
    region: str | None = None


class Pass(Verdict):
    def __init__(self, message: str, *, evidence: dict[str, Any] | None = None, resource: Resource | None = None,
                 resource_id: str | None = None, arn: str | None = None, region: str | None = None) -> None:
        super().__init__(Status.PASS, message, evidence or {}, None, None, resource, resource_id, arn, region)


class Fail(Verdict):
    """`cost` (a priced monthly amount with its arithmetic) or `usd` sets the finding's est_monthly_usd."""

    def __init__(self, message: str, *, evidence: dict[str, Any] | None = None, cost: Cost | None = None,
                 usd: float | None = None, resource: Resource | None = None, resource_id: str | None = None,
                 arn: str | None = None, region: str | None = None) -> None:
        super().__init__(Status.FAIL, message, evidence or {}, cost, usd, resource, resource_id, arn, region)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class Ctx:
    """What an analyzer step sees: its account and region, the clock, prices, and declared reads."""

    def __init__(self, aws: AwsContext, at: Target, analyzer_id: str) -> None:
        self._aws, self.at, self.analyzer_id = aws, at, analyzer_id
        self.account_id, self.region = at.account_id, at.region

    @property
    def now(self) -> datetime:
        return self._aws.now

    @property
    def prices(self) -> PriceBook:
        return self._aws.prices

    @property
    def partition(self) -> str:
        return self._aws.partition

    def list(self, kind: type[R], *details: str) -> list[R]:
        """Every resource of `kind` in this step's account (and region, for regional types), with the named
        details fetched for all of them at once."""
        return self._aws.resources.list(kind, self.at, details)

    def setting(self, setting: Setting) -> Any:
        return self._aws.resources.setting(setting, self.at)

    def call(self, op: Op, at: Target | None = None, **params: Any) -> Any:
        """A declared query (e.g. Cost Explorer), cached for the scan; None for a `missing` error code."""
        return self._aws.resources.call(op, at or self.at, **params)

    def series(self, metric: Metric, resources: Sequence[Resource], days: int,
               value: Any = lambda r: r.id) -> dict[str, list[float]]:
        """`metric` over the last `days` days for each resource (by id), oldest datapoint first."""
        from datetime import timedelta

        start, end = self.now - timedelta(days=days), self.now
        return self._aws.resources.series(metric, resources, value, start, end)

    def age_days(self, when: datetime) -> float:
        return (self.now - when).total_seconds() / 86400


class Analyzer:
    """Base of every analyzer. The loader sets `meta` (from the folder's meta.yaml, fix.sh, fix.tf and the
    facts derived here) and `Params` (the module's `Params` model, if any)."""

    meta: AnalyzerMeta
    Params: type[AnalyzerParams] = AnalyzerParams
    kind: ClassVar[str] = "class"
    # What the analyzer reads: resource types, (type, "detail", ...), Settings, Metrics, Ops.
    reads: tuple[Any, ...] = ()
    # The primary resource (gives resource_type, scope and service) unless these are set explicitly.
    resource: type[Resource] | Setting | None = None
    resource_type: str = ""
    scope: Scope | None = None
    service: str = ""
    # Resource fields copied into every finding's evidence.
    evidence_fields: tuple[str, ...] = ()

    # -- declared facts ------------------------------------------------------------------------------
    def declarations(self) -> tuple[Any, ...]:
        return self.reads

    @functools.cached_property
    def declared(self) -> Reads:
        return Reads.of(self.declarations())

    def permissions(self) -> tuple[str, ...]:
        return tuple(self.declared.actions())

    def facts(self) -> tuple[str, Scope, str]:
        """(resource type, scope, service) from the primary resource, unless set on the class."""
        primary = self.resource
        if isinstance(primary, Setting):
            derived: tuple[str, Scope, str] = (primary.type, primary.scope, primary.op.service)
        elif primary is not None:
            derived = (primary.spec.type, primary.spec.scope, primary.spec.service)
        else:
            derived = ("", "regional", "")
        return (self.resource_type or derived[0], self.scope or derived[1], self.service or derived[2])

    # -- running ---------------------------------------------------------------------------------------
    def evaluate(self, ctx: Ctx, params: Any) -> Iterable[Verdict]:
        raise NotImplementedError(f"{type(self).__name__} implements evaluate(ctx, params)")

    def run(self, aws: AwsContext, at: Target, params: Any) -> list[Finding]:
        """One step: every verdict for this account and region as findings (only declared reads allowed)."""
        ctx = Ctx(aws, at, self.meta.id)
        with reading(self.meta.id, self.declared):
            return [self.finding(at, v) for v in self.evaluate(ctx, params)]

    def finding(self, at: Target, v: Verdict) -> Finding:
        r = v.resource
        evidence = {name: jsonable(getattr(r, name)) for name in self.evidence_fields} if r is not None else {}
        evidence.update(v.evidence)
        usd = v.usd
        if v.cost is not None:
            usd = v.cost.usd
            evidence.setdefault("arithmetic", v.cost.arithmetic)
        return Finding(
            analyzer_id=self.meta.id, account_id=at.account_id,
            region=v.region or (r.region if r is not None else at.region),
            resource_id=v.resource_id or (r.id if r is not None else at.account_id),
            resource_arn=v.arn if v.arn is not None else (r.arn if r is not None else ""),
            status=v.status, severity=self.meta.severity, message=v.message, evidence=evidence,
            est_monthly_usd=None if usd is None else round(usd, 2),
        )

    def error(self, exc: BaseException, at: Target, resource: Resource) -> Verdict:
        """An ERROR verdict for one resource whose reads failed (the rest of the step goes on)."""
        from xops.core.awserrors import explain

        message, evidence = explain(exc, f"account {at.account_id} region {resource.region} "
                                         f"({resource.spec.noun} {resource.id})", self.permissions())
        return Verdict(Status.ERROR, message, evidence, resource=resource)
