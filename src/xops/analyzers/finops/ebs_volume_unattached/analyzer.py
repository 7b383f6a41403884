from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.ec2 import Volume


class Params(AnalyzerParams):
    min_size_gb: int = Field(0, ge=0, description="Ignore volumes smaller than this many GiB")


@each(Volume, evidence=("state", "size_gib", "volume_type", "create_time"))
def check(v: Volume, p: Params, ctx: Ctx) -> Verdict:
    if v.state != "available" or v.size_gib < p.min_size_gb:
        return Pass(f"{v.size_gib} GiB {v.volume_type} volume is {v.state}")
    cost = ctx.prices.ebs_gb_month(v.region, v.volume_type).times(v.size_gib, "GiB")
    return Fail(f"{v.size_gib} GiB {v.volume_type} volume is not attached to any instance ({cost})", cost=cost)
