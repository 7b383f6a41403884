from collections.abc import Iterator
from datetime import date
from typing import Any

from pydantic import Field

from xops.core.analyzer import Analyzer, Ctx, Fail, Pass, Verdict
from xops.core.models import AnalyzerParams
from xops.resources.ce import GET_COST_AND_USAGE

MONTHS = 6  # history requested (and kept in the evidence for charts)


class Params(AnalyzerParams):
    growth_pct: float = Field(30.0, ge=0, le=10000, description="Flag a service whose last full month grew more than this %")
    min_usd: float = Field(50.0, ge=0, description="Flag only when the monthly increase is at least this many USD")
    exclude_services: list[str] = Field(["Tax"], description="SERVICE names never flagged (e.g. Tax)")


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def cost_request(today: date) -> dict[str, Any]:
    """The one GetCostAndUsage request: the last MONTHS full months, UnblendedCost by SERVICE. It depends on
    the date only, so every scan of a day sends the same request."""
    return {"TimePeriod": {"Start": month_start(today, MONTHS).isoformat(), "End": month_start(today).isoformat()},
            "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"], "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}]}


def monthly_cost_by_service(ctx: Ctx) -> dict[str, dict[str, float]]:
    """month (YYYY-MM) -> service -> UnblendedCost USD, every page of the answer."""
    request, results = cost_request(ctx.now.date()), []
    page = ctx.call(GET_COST_AND_USAGE, **request)
    results.extend(page.get("ResultsByTime", []))
    while page.get("NextPageToken"):
        page = ctx.call(GET_COST_AND_USAGE, **request, NextPageToken=page["NextPageToken"])
        results.extend(page.get("ResultsByTime", []))
    months: dict[str, dict[str, float]] = {}
    for period in sorted(results, key=lambda r: r["TimePeriod"]["Start"]):
        by_service = months.setdefault(period["TimePeriod"]["Start"][:7], {})
        for group in period.get("Groups", []):
            service = group["Keys"][0]
            by_service[service] = by_service.get(service, 0.0) + float(group["Metrics"]["UnblendedCost"]["Amount"])
    return months


class CostSpikeByService(Analyzer):
    reads = (GET_COST_AND_USAGE,)
    resource_type, scope, service = "AWS::CE::Service", "global", "ce"

    def evaluate(self, ctx: Ctx, p: Params) -> Iterator[Verdict]:
        months = monthly_cost_by_service(ctx)
        if len(months) < 2:
            return  # no cost data (e.g. a member account without Cost Explorer access to its own data)
        labels = list(months)
        prev_m, last_m = labels[-2], labels[-1]
        for service in sorted({s for m in months.values() for s in m} - set(p.exclude_services)):
            series = {m: round(months[m].get(service, 0.0), 2) for m in labels}
            prev, last = months[prev_m].get(service, 0.0), months[last_m].get(service, 0.0)
            increase = last - prev
            growth = increase / prev * 100 if prev > 0 else None
            pct = "new spend" if growth is None else f"{growth:+.0f}%"
            if not (increase >= p.min_usd and (growth is None or growth > p.growth_pct)):
                yield Pass(f"{service}: ${prev:,.2f} in {prev_m} -> ${last:,.2f} in {last_m} ({pct})",
                           resource_id=service, evidence={"monthly_usd": series})
                continue
            yield Fail(
                f"{service} cost rose from ${prev:,.2f} in {prev_m} to ${last:,.2f} in {last_m} "
                f"({pct}, +${increase:,.2f}/month)", resource_id=service, usd=increase,
                evidence={"service": service, "metric": "UnblendedCost", "monthly_usd": series,
                          "previous_month": prev_m, "last_month": last_m, "previous_usd": round(prev, 2),
                          "last_usd": round(last, 2), "growth_pct": None if growth is None else round(growth, 1),
                          "thresholds": {"growth_pct": p.growth_pct, "min_usd": p.min_usd},
                          "arithmetic": f"${last:,.2f} ({last_m}) − ${prev:,.2f} ({prev_m}) = "
                                        f"${increase:,.2f}/month ({pct})"})
