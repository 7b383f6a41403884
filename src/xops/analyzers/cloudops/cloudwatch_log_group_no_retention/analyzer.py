from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.cloudwatch import LogGroup


@each(LogGroup, evidence=("stored_bytes", "created_epoch_ms"))
def check(g: LogGroup, p: object, ctx: Ctx) -> Verdict:
    if g.retention_days:
        return Pass(f"log group {g.id} keeps events for {g.retention_days} days")
    return Fail(f"log group {g.id} has no retention policy: its events never expire "
                f"({g.stored_bytes / 1024**3:,.2f} GiB stored)", evidence={"retention_in_days": None})
