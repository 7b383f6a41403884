from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.ec2 import Volume


@each(Volume)
def check(v: Volume, p: object, ctx: Ctx) -> Verdict:
    if v.encrypted:
        return Pass(f"volume {v.id} is encrypted", evidence={"kms_key_id": v.kms_key_id})
    where = f"attached to {', '.join(v.attached_to)}" if v.attached_to else v.state
    return Fail(f"{v.size_gib} GiB {v.volume_type} volume {v.id} ({where}) is not encrypted",
                evidence={"encrypted": False, "state": v.state, "size_gib": v.size_gib, "volume_type": v.volume_type,
                          "attached_to": v.attached_to, "snapshot_id": v.snapshot_id})
