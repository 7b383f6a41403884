from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.s3 import Bucket


@each(Bucket, details=("encryption",))
def check(b: Bucket, p: object, ctx: Ctx) -> Verdict:
    defaults = [r["ApplyServerSideEncryptionByDefault"] for r in b.detail("encryption") or []
                if r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm")]
    if not defaults:
        return Fail(f"S3 bucket {b.id} ({b.region}) has no default encryption",
                    evidence={"encryption_configuration": "none"})
    algo = defaults[0]["SSEAlgorithm"]
    return Pass(f"S3 bucket {b.id} encrypts new objects by default ({algo})",
                evidence={"sse_algorithm": algo, "kms_key": defaults[0].get("KMSMasterKeyID", "")})
