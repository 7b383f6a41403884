from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import setting
from xops.resources.cloudtrail import Trail


@setting(Trail, details=("status",))
def check(trails: list[Trail], p: object, ctx: Ctx) -> Verdict:
    problems: dict[str, str] = {}
    for t in trails:
        if not t.multi_region:
            problems[t.id] = "single-Region"
        elif t.detail("status").get("IsLogging"):
            return Pass(f"multi-Region trail {t.name} is logging",
                        evidence={"trail": t.id, "home_region": t.home_region,
                                  "organization_trail": t.organization_trail})
        else:
            problems[t.id] = "multi-Region, not logging"
    detail = "; ".join(f"{arn.rsplit('/', 1)[-1]}: {what}" for arn, what in problems.items()) or "no trails"
    return Fail(f"account {ctx.account_id} has no multi-Region CloudTrail trail that is logging ({detail})",
                evidence={"trails": problems})
