from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.s3 import Bucket


@each(Bucket, details=("lifecycle",))
def check(b: Bucket, p: object, ctx: Ctx) -> Verdict:
    rules = b.detail("lifecycle")
    enabled = [r.get("ID", "") for r in rules or [] if r.get("Status") == "Enabled"]
    evidence = {"rules": len(rules or []), "enabled_rules": enabled}
    if enabled:
        return Pass(f"S3 bucket {b.id} has {len(enabled)} enabled lifecycle rule(s)", evidence=evidence)
    what = "no lifecycle configuration" if rules is None else f"{len(rules)} lifecycle rule(s), none enabled"
    return Fail(f"S3 bucket {b.id} ({b.region}) has {what}", evidence=evidence)
