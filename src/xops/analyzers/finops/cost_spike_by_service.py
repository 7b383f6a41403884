from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

MONTHS = 6  # history requested (and kept in the evidence for charts)


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def cost_request(today: date) -> dict[str, Any]:
    """The one GetCostAndUsage request: the last MONTHS full months, UnblendedCost by SERVICE. It depends on
    the date only, so every scan of a day sends the same request."""
    return {
        "TimePeriod": {"Start": month_start(today, MONTHS).isoformat(), "End": month_start(today).isoformat()},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }


@register
class CostSpikeByService(Analyzer):
    meta = AnalyzerMeta(
        id="finops.cost_spike_by_service",
        title="Month-over-month cost spikes by service",
        pillar="finops",
        severity=Severity.medium,
        resource_type="AWS::CE::Service",
        permissions=("ce:GetCostAndUsage",),
        risk="A service whose monthly cost jumps is often a runaway resource, a forgotten test, a misconfigured "
             "autoscaling or data-transfer pattern, or a leaked credential mining crypto: it keeps costing "
             "every month until someone looks.",
        remediation=Remediation(
            summary="Break the service's cost down by usage type, region and resource (Cost Explorer) to find "
                    "what grew; fix or remove it, and set an AWS Budget or Cost Anomaly Detection monitor.",
            cli="aws ce get-cost-and-usage --time-period Start=$(date -d \"$(date +%Y-%m-01) -2 month\" +%F),"
                "End=$(date +%Y-%m-01) --granularity MONTHLY --metrics UnblendedCost "
                "--filter '{\"Dimensions\":{\"Key\":\"SERVICE\",\"Values\":[\"{resource_id}\"]}}' "
                "--group-by Type=DIMENSION,Key=USAGE_TYPE",
            terraform='resource "aws_ce_anomaly_monitor" "services" {\n  name              = "per-service"\n'
                      '  monitor_type      = "DIMENSIONAL"\n  monitor_dimension = "SERVICE"\n}',
            writes=False,
        ),
        cost_impact="last full month's UnblendedCost of the service − the month before (the monthly increase)",
        scope="global",
    )

    class Params(AnalyzerParams):
        growth_pct: float = Field(30.0, ge=0, le=10000,
                                  description="Flag a service whose last full month grew more than this %")
        min_usd: float = Field(50.0, ge=0, description="Flag only when the monthly increase is at least this many USD")
        exclude_services: list[str] = Field(["Tax"], description="SERVICE names never flagged (e.g. Tax)")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        request = cost_request(aws.now.date())
        results: list[dict[str, Any]] = []
        page = aws.inventory.call(at, "ce", "get_cost_and_usage", **request)
        results.extend(page.get("ResultsByTime", []))
        while page.get("NextPageToken"):
            page = aws.inventory.call(at, "ce", "get_cost_and_usage", **request, NextPageToken=page["NextPageToken"])
            results.extend(page.get("ResultsByTime", []))
        months: dict[str, dict[str, float]] = {}  # month -> service -> USD
        for period in sorted(results, key=lambda r: r["TimePeriod"]["Start"]):
            by_service = months.setdefault(period["TimePeriod"]["Start"][:7], {})
            for group in period.get("Groups", []):
                amount = float(group["Metrics"]["UnblendedCost"]["Amount"])
                by_service[group["Keys"][0]] = by_service.get(group["Keys"][0], 0.0) + amount
        if len(months) < 2:
            return  # no cost data (e.g. a member account without Cost Explorer access to its own data)
        labels = list(months)
        prev_m, last_m = labels[-2], labels[-1]
        services = sorted({s for m in months.values() for s in m} - set(params.exclude_services))
        for service in services:
            series = {m: round(months[m].get(service, 0.0), 2) for m in labels}
            prev, last = months[prev_m].get(service, 0.0), months[last_m].get(service, 0.0)
            increase = last - prev
            growth = increase / prev * 100 if prev > 0 else None
            spiked = increase >= params.min_usd and (growth is None or growth > params.growth_pct)
            pct = "new spend" if growth is None else f"{growth:+.0f}%"
            if not spiked:
                yield self.ok(at, service, f"{service}: ${prev:,.2f} in {prev_m} -> ${last:,.2f} in {last_m} "
                                           f"({pct})", evidence={"monthly_usd": series})
                continue
            yield self.fail(
                at, service, f"{service} cost rose from ${prev:,.2f} in {prev_m} to ${last:,.2f} in {last_m} "
                             f"({pct}, +${increase:,.2f}/month)",
                usd=increase,
                evidence={"service": service, "metric": "UnblendedCost", "monthly_usd": series,
                          "previous_month": prev_m, "last_month": last_m, "previous_usd": round(prev, 2),
                          "last_usd": round(last, 2), "growth_pct": None if growth is None else round(growth, 1),
                          "thresholds": {"growth_pct": params.growth_pct, "min_usd": params.min_usd},
                          "arithmetic": f"${last:,.2f} ({last_m}) − ${prev:,.2f} ({prev_m}) = "
                                        f"${increase:,.2f}/month ({pct})"},
            )
