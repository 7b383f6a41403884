from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.rds import DBInstance


@each(DBInstance)
def check(db: DBInstance, p: object, ctx: Ctx) -> Verdict:
    if db.storage_encrypted:
        return Pass(f"DB instance {db.id} storage is encrypted", evidence={"kms_key_id": db.kms_key_id})
    return Fail(f"DB instance {db.id} ({db.engine}, {db.allocated_storage_gib or '?'} GiB) stores its data unencrypted",
                evidence={"storage_encrypted": False, "engine": db.engine,
                          "allocated_storage_gib": db.allocated_storage_gib, "storage_type": db.storage_type})
