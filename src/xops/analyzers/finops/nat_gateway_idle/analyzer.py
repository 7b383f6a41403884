from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import metric
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import NAT_BYTES_OUT_DAILY, NatGateway


class Params(AnalyzerParams):
    lookback_days: int = Field(14, ge=1, le=455, description="Days of CloudWatch history to read")
    max_bytes: int = Field(1_000_000, ge=0, description="Idle when BytesOutToDestination over the lookback is below this")


@metric(NatGateway, NAT_BYTES_OUT_DAILY, days="lookback_days", where=lambda n: n.state == "available",
        evidence=("vpc_id", "subnet_id"))
def check(n: NatGateway, daily: list[float] | None, p: Params, ctx: Ctx) -> Verdict:
    if not daily:
        return Pass("no BytesOutToDestination datapoints: not judged")
    if (sent := sum(daily)) >= p.max_bytes:
        return Pass(f"sent {sent:,.0f} bytes in {p.lookback_days} days")
    cost = ctx.prices.nat_gateway_hour(n.region).times(ctx.prices.hours_per_month, "h")
    return Fail(f"NAT gateway {n.id} sent only {sent:,.0f} bytes in {p.lookback_days} days (< {p.max_bytes:,}); "
                f"it costs {cost}", cost=cost,
                evidence={"bytes_out_to_destination": sent, "days_with_data": len(daily),
                          "lookback_days": p.lookback_days, "max_bytes": p.max_bytes})
