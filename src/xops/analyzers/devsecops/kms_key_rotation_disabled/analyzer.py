from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.kms import Alias, Key, rotation_applies

AWS_ALIAS_PREFIX = "alias/aws/"  # reserved for AWS managed keys: customers cannot create them


@each(Key, details=("metadata", "rotation"), reads=(Alias,))
def check(k: Key, p: object, ctx: Ctx) -> Verdict | None:
    names = [a.id for a in ctx.list(Alias) if a.target_key_id == k.id]
    meta = k.detail("metadata")
    if any(n.startswith(AWS_ALIAS_PREFIX) for n in names) or meta.get("KeyManager") != "CUSTOMER":
        return None  # AWS managed key: AWS rotates it
    if not rotation_applies(meta):
        # Examined, and automatic rotation does not apply to it: say so (auditors see every key).
        return Pass(f"KMS key {k.id}: automatic rotation does not apply ({meta.get('KeyState')}, "
                    f"{meta.get('KeySpec', 'SYMMETRIC_DEFAULT')})",
                    evidence={"key_state": meta.get("KeyState", ""), "key_spec": meta.get("KeySpec", ""),
                              "origin": meta.get("Origin", ""), "multi_region_type": meta.get("MultiRegionKeyType", "")})
    status = k.detail("rotation")
    label = f"{names[0]} ({k.id})" if names else k.id
    evidence = {"aliases": names, "key_spec": meta.get("KeySpec", ""), "created": str(meta.get("CreationDate", "")),
                "rotation_enabled": bool(status.get("KeyRotationEnabled"))}
    if status.get("KeyRotationEnabled"):
        return Pass(f"KMS key {label} rotates automatically",
                    evidence={**evidence, "rotation_period_days": status.get("RotationPeriodInDays", 365)})
    return Fail(f"Customer-managed KMS key {label} has automatic rotation disabled", evidence=evidence)
