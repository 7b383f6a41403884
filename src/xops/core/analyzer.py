"""The analyzer contract: typed metadata, a params model, and `run` that yields findings for one target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Status

if TYPE_CHECKING:
    from xops.core.aws import AwsContext, Target


class Analyzer:
    """Subclass, set `meta` (and `Params` when it has parameters), implement `run`, decorate with @register.

    `run` gets the shared `AwsContext` (clients, inventory, prices, clock) and one `Target` (account and
    region; region is "global" for global analyzers). It never builds AWS clients itself and reads through
    `aws.inventory` so that analyzers share one describe call per service, account and region.
    """

    meta: ClassVar[AnalyzerMeta]
    Params: ClassVar[type[AnalyzerParams]] = AnalyzerParams

    def run(self, aws: AwsContext, at: Target, params: Any) -> Iterator[Finding]:
        raise NotImplementedError

    # -- helpers that fill in the analyzer's own fields ------------------------------------------------
    def fail(
        self,
        at: Target,
        resource_id: str,
        message: str,
        *,
        arn: str = "",
        evidence: dict[str, Any] | None = None,
        usd: float | None = None,
        region: str | None = None,
    ) -> Finding:
        return self._finding(Status.FAIL, at, resource_id, message, arn, evidence, usd, region)

    def ok(
        self,
        at: Target,
        resource_id: str,
        message: str,
        *,
        arn: str = "",
        evidence: dict[str, Any] | None = None,
        region: str | None = None,
    ) -> Finding:
        return self._finding(Status.PASS, at, resource_id, message, arn, evidence, None, region)

    def _finding(
        self,
        status: Status,
        at: Target,
        resource_id: str,
        message: str,
        arn: str,
        evidence: dict[str, Any] | None,
        usd: float | None,
        region: str | None,
    ) -> Finding:
        return Finding(
            analyzer_id=self.meta.id,
            account_id=at.account_id,
            region=region or at.region,
            resource_id=resource_id,
            resource_arn=arn,
            status=status,
            severity=self.meta.severity,
            message=message,
            evidence=evidence or {},
            est_monthly_usd=None if usd is None else round(usd, 2),
        )
