from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.s3 import Bucket


@each(Bucket, details=("versioning",))
def check(b: Bucket, p: object, ctx: Ctx) -> Verdict:
    versioning = b.detail("versioning")
    status = versioning.get("Status") or "never enabled"
    evidence = {"versioning": status, "mfa_delete": versioning.get("MFADelete", "Disabled")}
    if status != "Enabled":
        return Fail(f"S3 bucket {b.id} ({b.region}) versioning is {status}", evidence=evidence)
    return Pass(f"S3 bucket {b.id} has versioning enabled", evidence=evidence)
