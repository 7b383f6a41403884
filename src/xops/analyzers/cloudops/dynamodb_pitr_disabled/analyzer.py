from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.dynamodb import Table


@each(Table, details=("continuous_backups",))
def check(t: Table, p: object, ctx: Ctx) -> Verdict | None:
    if (backups := t.detail("continuous_backups")) is None:
        return None  # deleted since it was listed
    pitr = backups.get("PointInTimeRecoveryDescription", {})
    status = pitr.get("PointInTimeRecoveryStatus", "DISABLED")
    if status == "ENABLED":
        return Pass(f"table {t.id} has point-in-time recovery",
                    evidence={"recovery_period_days": pitr.get("RecoveryPeriodInDays")})
    return Fail(f"table {t.id} has point-in-time recovery {status.lower()}",
                evidence={"point_in_time_recovery_status": status})
