from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.rds import DBInstance


@each(DBInstance)
def check(db: DBInstance, p: object, ctx: Ctx) -> Verdict:
    if not db.publicly_accessible:
        return Pass(f"DB instance {db.id} is not publicly accessible")
    return Fail(f"DB instance {db.id} ({db.engine}) is publicly accessible" + (f" at {db.endpoint}" if db.endpoint else ""),
                evidence={"publicly_accessible": True, "engine": db.engine, "endpoint": db.endpoint,
                          "security_groups": db.security_group_ids})
