from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.rds import DBInstance


# Aurora/Neptune/DocumentDB members: availability comes from the cluster's replicas
@each(DBInstance, where=lambda db: not db.cluster_id)
def check(db: DBInstance, p: object, ctx: Ctx) -> Verdict:
    if db.multi_az:
        return Pass(f"DB instance {db.id} is Multi-AZ", evidence={"secondary_az": db.secondary_az})
    return Fail(f"DB instance {db.id} ({db.engine}) runs in a single AZ"
                + (f" ({db.availability_zone})" if db.availability_zone else "") + " with no standby",
                evidence={"multi_az": False, "availability_zone": db.availability_zone, "engine": db.engine,
                          "instance_class": db.instance_class})
