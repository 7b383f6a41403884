from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.ec2 import Instance


@each(Instance, evidence=("http_tokens", "http_endpoint", "state"))
def check(i: Instance, p: object, ctx: Ctx) -> Verdict:
    if i.http_tokens == "required":
        return Pass(f"instance {i.id}: IMDSv2 is required")
    if i.http_endpoint == "disabled":
        return Pass(f"instance {i.id}: the metadata endpoint is disabled")
    return Fail(f"instance {i.id} ({i.state}) accepts IMDSv1 requests (HttpTokens={i.http_tokens})")
