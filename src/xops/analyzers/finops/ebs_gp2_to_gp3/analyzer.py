from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.pricing.book import Cost
from xops.resources.ec2 import Volume


@each(Volume, evidence=("volume_type", "size_gib", "state", "iops", "attached_to"))
def check(v: Volume, p: object, ctx: Ctx) -> Verdict:
    if v.volume_type != "gp2":
        return Pass(f"{v.size_gib} GiB volume is {v.volume_type}")
    gp2, gp3 = ctx.prices.ebs_gb_month(v.region, "gp2"), ctx.prices.ebs_gb_month(v.region, "gp3")
    usd = v.size_gib * (gp2.usd - gp3.usd)
    cost = Cost(usd, f"{v.size_gib} GiB × ({gp2.describe()} − {gp3.describe()}) = ${usd:,.2f}/month")
    return Fail(f"{v.size_gib} GiB gp2 volume {v.id} would save {cost} as gp3", cost=cost)
