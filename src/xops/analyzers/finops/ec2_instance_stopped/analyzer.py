import re
from datetime import UTC, datetime

from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import Instance, Volume

STOPPED_AT = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


class Params(AnalyzerParams):
    min_stopped_days: int = Field(0, ge=0, le=3650, description=(
        "Flag only instances stopped for at least this many days (0: every stopped instance; instances whose "
        "stop date is unknown are flagged only at 0)"))


def stopped_since(reason: str) -> datetime | None:
    """When the instance stopped, from its StateTransitionReason (None when it does not say)."""
    m = STOPPED_AT.search(reason or "")
    return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) if m else None


@each(Instance, reads=(Volume,), evidence=("instance_type", "state_reason"))
def check(i: Instance, p: Params, ctx: Ctx) -> Verdict:
    if i.state != "stopped":
        return Pass(f"instance is {i.state}")
    since = stopped_since(i.state_reason)
    days = None if since is None else (ctx.now - since).days
    if (p.min_stopped_days > 0) if days is None else days < p.min_stopped_days:
        return Pass(f"instance stopped for {'an unknown number of' if days is None else days} days "
                    f"(< {p.min_stopped_days})")
    costs = [(v, ctx.prices.ebs_gb_month(v.region, v.volume_type)) for v in ctx.list(Volume) if i.id in v.attached_to]
    usd = sum(v.size_gib * price.usd for v, price in costs)
    parts = " + ".join(f"{v.size_gib} GiB × {price.describe()}" for v, price in costs) or "no EBS volumes"
    return Fail(f"{i.instance_type} instance {i.id} stopped {f'for {days} days' if days is not None else '(stop date unknown)'}"
                f"; its {len(costs)} EBS volume(s) cost ${usd:,.2f}/month", usd=usd,
                evidence={"stopped_since": since.isoformat() if since else None, "stopped_days": days,
                          "volumes": [{"volume_id": v.id, "size_gib": v.size_gib, "volume_type": v.volume_type}
                                      for v, _ in costs],
                          "arithmetic": f"{parts} = ${usd:,.2f}/month"})
