from pydantic import Field

from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.core.models import AnalyzerParams
from xops.resources.rds import DBInstance


class Params(AnalyzerParams):
    min_days: int = Field(7, ge=1, le=35, description="Minimum automated backup retention, in days")


# Aurora/Neptune/DocumentDB members: retention is a cluster setting
@each(DBInstance, where=lambda db: not db.cluster_id, evidence=("engine", "latest_restorable_time"))
def check(db: DBInstance, p: Params, ctx: Ctx) -> Verdict:
    days = db.backup_retention_days
    if days >= p.min_days:
        return Pass(f"DB instance {db.id} keeps backups for {days} days")
    what = "has automated backups turned off" if days == 0 else f"keeps automated backups for {days} day(s)"
    return Fail(f"DB instance {db.id} {what} (minimum {p.min_days})",
                evidence={"backup_retention_days": days, "min_days": p.min_days})
