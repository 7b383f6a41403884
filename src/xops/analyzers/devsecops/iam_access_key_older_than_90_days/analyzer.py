from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.iam import AccessKey


class Params(AnalyzerParams):
    max_age_days: int = Field(90, ge=1, le=3650, description="Maximum age in days of an active access key")


@each(AccessKey)
def check(k: AccessKey, p: Params, ctx: Ctx) -> Verdict:
    age = int(ctx.age_days(k.created))
    evidence = {"user": k.user_name, "status": k.status, "created": k.created.isoformat(), "age_days": age,
                "max_age_days": p.max_age_days}
    if k.status == "Active" and ctx.age_days(k.created) > p.max_age_days:
        return Fail(f"active access key {k.id} of IAM user {k.user_name} is {age} days old (limit {p.max_age_days})",
                    evidence=evidence)
    what = "inactive" if k.status != "Active" else f"{age} days old"
    return Pass(f"access key {k.id} of IAM user {k.user_name} is {what}", evidence=evidence)
