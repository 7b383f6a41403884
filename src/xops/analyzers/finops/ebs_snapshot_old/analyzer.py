from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Verdict
from xops.core.checks import older_than
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import Snapshot


class Params(AnalyzerParams):
    max_age_days: int = Field(90, ge=1, le=3650, description="Flag snapshots older than this many days")


@older_than(Snapshot, "start_time", limit="max_age_days",
            evidence=("start_time", "volume_size_gib", "volume_id", "description"))
def check(s: Snapshot, age: float, p: Params, ctx: Ctx) -> Verdict:
    price = ctx.prices.ebs_snapshot_gb_month(s.region)
    usd = s.volume_size_gib * price.usd
    return Fail(f"{s.volume_size_gib} GiB snapshot {s.id} is {int(age)} days old (> {p.max_age_days}); "
                f"up to ${usd:,.2f}/month", usd=usd,
                evidence={"age_days": int(age), "max_age_days": p.max_age_days,
                          "arithmetic": f"{s.volume_size_gib} GiB × {price.describe()} = ${usd:,.2f}/month (upper "
                                        "bound: snapshots are incremental, the billed size may be smaller)"})
