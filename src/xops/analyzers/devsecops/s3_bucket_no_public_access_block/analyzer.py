from xops.core.analyzer import Ctx, Fail, Pass, Verdict
from xops.core.checks import each
from xops.resources.s3 import Bucket

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@each(Bucket, details=("public_access_block",))
def check(b: Bucket, p: object, ctx: Ctx) -> Verdict:
    if (conf := b.detail("public_access_block")) is None:
        return Fail(f"S3 bucket {b.id} ({b.region}) has no Block Public Access configuration",
                    evidence={"public_access_block": "none"})
    flags = {f: bool(conf.get(f, False)) for f in FLAGS}
    if off := [f for f, on in flags.items() if not on]:
        return Fail(f"S3 bucket {b.id} ({b.region}) Block Public Access is partial: {', '.join(off)} off", evidence=flags)
    return Pass(f"S3 bucket {b.id} blocks all public access", evidence=flags)
