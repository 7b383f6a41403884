from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import setting
from xops.resources.ec2 import EBS_ENCRYPTION_BY_DEFAULT


@setting(EBS_ENCRYPTION_BY_DEFAULT)
def check(enabled: bool, p: object, ctx: Ctx) -> Verdict:
    evidence = {"ebs_encryption_by_default": enabled}
    if enabled:
        return Pass(f"EBS encryption by default is on in {ctx.region}", evidence=evidence)
    return Fail(f"EBS encryption by default is off in account {ctx.account_id} region {ctx.region}", evidence=evidence)
