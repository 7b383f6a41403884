from __future__ import annotations

from collections.abc import Iterator

from xops.analyzers._s3 import PERMISSIONS, bucket_call, buckets
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@register
class S3BucketNoPublicAccessBlock(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.s3_bucket_no_public_access_block",
        title="S3 buckets without a complete bucket-level Block Public Access configuration",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::S3::Bucket",
        permissions=(*PERMISSIONS, "s3:GetBucketPublicAccessBlock"),
        risk="Without all four Block Public Access settings, one careless ACL or bucket policy can make the "
             "bucket or its objects public: the most common cause of S3 data leaks.",
        remediation=Remediation(
            summary="Enable all four Block Public Access settings on the bucket (serve public content through "
                    "CloudFront with origin access control instead).",
            cli="aws s3api put-public-access-block --region {region} --bucket {resource_id} "
                "--public-access-block-configuration "
                "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
            terraform='resource "aws_s3_bucket_public_access_block" "this" {\n  bucket                  = '
                      '"{resource_id}"\n  block_public_acls       = true\n  ignore_public_acls      = true\n'
                      '  block_public_policy     = true\n  restrict_public_buckets = true\n}',
        ),
        scope="global",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for b in buckets(aws, at):
            resp = bucket_call(aws, at, b, "get_public_access_block", "NoSuchPublicAccessBlockConfiguration")
            if resp is None:
                yield self.fail(at, b.name, f"S3 bucket {b.name} ({b.region}) has no Block Public Access "
                                "configuration", arn=b.arn, region=b.region,
                                evidence={"public_access_block": "none"})
                continue
            conf = resp.get("PublicAccessBlockConfiguration", {})
            flags = {f: bool(conf.get(f, False)) for f in FLAGS}
            off = [f for f, on in flags.items() if not on]
            if off:
                yield self.fail(at, b.name, f"S3 bucket {b.name} ({b.region}) Block Public Access is partial: "
                                f"{', '.join(off)} off", arn=b.arn, region=b.region, evidence=flags)
            else:
                yield self.ok(at, b.name, f"S3 bucket {b.name} blocks all public access", arn=b.arn,
                              region=b.region, evidence=flags)
