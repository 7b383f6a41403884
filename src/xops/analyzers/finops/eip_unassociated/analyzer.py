from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.ec2 import Address


@each(Address, evidence=("public_ip", "domain"))
def check(a: Address, p: object, ctx: Ctx) -> Verdict:
    if a.associated_with:
        return Pass(f"Elastic IP {a.public_ip} is associated with {a.associated_with}")
    cost = ctx.prices.public_ipv4_hour(a.region).times(ctx.prices.hours_per_month, "h")
    return Fail(f"Elastic IP {a.public_ip} ({a.id}) is not associated with anything ({cost})", cost=cost,
                evidence={"allocation_id": a.id})
