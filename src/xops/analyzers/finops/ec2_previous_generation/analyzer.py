from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.ec2 import Instance

SUCCESSOR = {
    "t1": "t3", "t2": "t3",
    "m1": "m5", "m3": "m5", "m4": "m5",
    "c1": "c5", "c3": "c5", "c4": "c5", "cc2": "c5",
    "m2": "r5", "r3": "r5", "r4": "r5", "cr1": "r5",
    "i2": "i3", "d2": "d3", "hs1": "d3",
    "g2": "g4dn", "g3": "g4dn", "g3s": "g4dn", "p2": "p3", "a1": "m6g",
}
SMALL_SIZES = {"nano", "micro", "small", "medium"}  # the successor families outside t* start at large


def successor(instance_type: str) -> str | None:
    """The current-generation type to move to, or None when the type is not previous-generation."""
    family, _, size = instance_type.partition(".")
    new = SUCCESSOR.get(family)
    if new is None:
        return None
    return f"{new}.{'large' if not new.startswith('t') and size in SMALL_SIZES else size}"


@each(Instance, evidence=("instance_type", "state"))
def check(i: Instance, p: object, ctx: Ctx) -> Verdict:
    if (new := successor(i.instance_type)) is None:
        return Pass(f"{i.instance_type} is a current-generation type")
    old_price, new_price = ctx.prices.ec2_hour(i.region, i.instance_type), ctx.prices.ec2_hour(i.region, new)
    hours, usd = ctx.prices.hours_per_month, None
    arithmetic = f"no price known for {i.instance_type if old_price is None else new}"
    if old_price and new_price:
        usd = (old_price.usd - new_price.usd) * hours
        arithmetic = f"{hours} h × ({old_price.describe()} − {new_price.describe()}) = ${usd:,.2f}/month"
    return Fail(f"instance {i.id} runs previous-generation {i.instance_type}: move it to {new}"
                + ("" if usd is None else f", saving ${usd:,.2f}/month"), usd=usd,
                evidence={"successor": new, "arithmetic": arithmetic})
