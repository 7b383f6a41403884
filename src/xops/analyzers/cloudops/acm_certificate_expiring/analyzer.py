from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.acm import Certificate


class Params(AnalyzerParams):
    days: int = Field(30, ge=1, le=365, description="Flag certificates expiring within this many days")


@each(Certificate, details=("description",), evidence=("domain", "status", "kind", "in_use", "renewal_eligibility"))
def check(c: Certificate, p: Params, ctx: Ctx) -> Verdict | None:
    if (not_after := c.not_after) is None:
        return None  # not issued yet: nothing expires
    days_left = (not_after - ctx.now).total_seconds() / 86400
    evidence = {"not_after": not_after.isoformat(), "days_left": round(days_left, 1), "threshold_days": p.days}
    if days_left > p.days:
        return Pass(f"certificate for {c.domain} is valid until {not_after:%Y-%m-%d}", evidence=evidence)
    when = (f"expired on {not_after:%Y-%m-%d} ({int(-days_left)} days ago)" if days_left <= 0
            else f"expires on {not_after:%Y-%m-%d} (in {int(days_left)} days)")
    return Fail(f"{c.kind.lower() or 'ACM'} certificate for {c.domain} {when}" + (" and is in use" if c.in_use else ""),
                evidence=evidence)
