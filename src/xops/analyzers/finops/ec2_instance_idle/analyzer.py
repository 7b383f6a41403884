from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import metric
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import CPU_DAILY_AVERAGE, Instance


class Params(AnalyzerParams):
    cpu_threshold_pct: float = Field(5.0, ge=0, le=100, description="Idle when the highest daily average CPU is below this %")
    lookback_days: int = Field(14, ge=1, le=455, description="Days of CloudWatch history to read")
    min_days: int = Field(7, ge=1, le=455, description="Days with datapoints needed to judge (fewer: not flagged)")


@metric(Instance, CPU_DAILY_AVERAGE, days="lookback_days", measure=lambda i: i.state == "running")
def check(i: Instance, daily: list[float] | None, p: Params, ctx: Ctx) -> Verdict:
    if daily is None:
        return Pass(f"instance is {i.state}, not running")
    if len(daily) < p.min_days:
        return Pass(f"{len(daily)} day(s) of CPU data (< {p.min_days}): not judged")
    if (peak := max(daily)) >= p.cpu_threshold_pct:
        return Pass(f"busiest day averaged {peak:.1f}% CPU")
    price = ctx.prices.ec2_hour(i.region, i.instance_type)
    cost = price.times(ctx.prices.hours_per_month, "h") if price else None
    return Fail(f"{i.instance_type} instance {i.id} is idle: its busiest day in {p.lookback_days} days averaged "
                f"{peak:.2f}% CPU (< {p.cpu_threshold_pct:g}%)" + (f" ({cost})" if cost else ""), cost=cost,
                evidence={"instance_type": i.instance_type, "max_daily_avg_cpu_pct": round(peak, 3),
                          "days_with_data": len(daily), "lookback_days": p.lookback_days,
                          "cpu_threshold_pct": p.cpu_threshold_pct,
                          **({} if cost else {"arithmetic": f"no on-demand price known for {i.instance_type}"})})
