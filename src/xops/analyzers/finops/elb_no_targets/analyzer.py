from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.elbv2 import LoadBalancer, TargetGroup


@each(LoadBalancer, reads=((TargetGroup, "targets"),), evidence=("scheme", "dns_name", "created"))
def check(lb: LoadBalancer, p: object, ctx: Ctx) -> Verdict:
    groups = [tg for tg in ctx.list(TargetGroup, "targets") if lb.arn in tg.load_balancer_arns]
    if any(tg.detail("targets") for tg in groups):
        return Pass(f"{lb.kind} load balancer {lb.id} has registered targets")
    cost = ctx.prices.elb_hour(lb.region, lb.kind).times(ctx.prices.hours_per_month, "h")
    where = f"its {len(groups)} target group(s)" if groups else "any target group (no listener forwards)"
    return Fail(f"{lb.kind} load balancer {lb.id} has no registered targets in {where} ({cost})", cost=cost,
                evidence={"type": lb.kind, "target_groups": [tg.arn for tg in groups], "registered_targets": 0})
