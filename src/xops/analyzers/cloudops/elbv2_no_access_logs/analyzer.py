from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.elbv2 import LoadBalancer


# Gateway Load Balancers have no access logs
@each(LoadBalancer, details=("attributes",), where=lambda lb: lb.kind in ("application", "network"))
def check(lb: LoadBalancer, p: object, ctx: Ctx) -> Verdict:
    attrs = lb.detail("attributes")
    if attrs.get("access_logs.s3.enabled", "false").lower() == "true":
        bucket = attrs.get("access_logs.s3.bucket", "")
        return Pass(f"{lb.kind} load balancer {lb.id} logs to s3://{bucket}",
                    evidence={"bucket": bucket, "prefix": attrs.get("access_logs.s3.prefix", "")})
    return Fail(f"{lb.kind} load balancer {lb.id} does not write access logs",
                evidence={"type": lb.kind, "access_logs.s3.enabled": attrs.get("access_logs.s3.enabled", "false"),
                          "dns_name": lb.dns_name})
