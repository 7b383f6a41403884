from __future__ import annotations

from collections.abc import Iterator

from xops.analyzers._s3 import PERMISSIONS, buckets
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class S3BucketVersioningDisabled(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.s3_bucket_versioning_disabled",
        title="S3 buckets without versioning enabled",
        pillar="cloudops",
        severity=Severity.medium,
        resource_type="AWS::S3::Bucket",
        permissions=(*PERMISSIONS, "s3:GetBucketVersioning"),
        risk="Without versioning an overwrite or delete (a bug, a bad deploy, ransomware) destroys the object "
             "for good; there is nothing to roll back to.",
        remediation=Remediation(
            summary="Enable versioning, and add a lifecycle rule that expires noncurrent versions to bound cost.",
            cli="aws s3api put-bucket-versioning --region {region} --bucket {resource_id} "
                "--versioning-configuration Status=Enabled",
            terraform='resource "aws_s3_bucket_versioning" "this" {\n  bucket = "{resource_id}"\n'
                      '  versioning_configuration {\n    status = "Enabled"\n  }\n}',
        ),
        scope="global",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for b in buckets(aws, at):
            resp = aws.inventory.call(b.target(at), "s3", "get_bucket_versioning", Bucket=b.name)
            status = resp.get("Status") or "never enabled"
            evidence = {"versioning": status, "mfa_delete": resp.get("MFADelete", "Disabled")}
            if status != "Enabled":
                yield self.fail(at, b.name, f"S3 bucket {b.name} ({b.region}) versioning is {status}",
                                arn=b.arn, region=b.region, evidence=evidence)
            else:
                yield self.ok(at, b.name, f"S3 bucket {b.name} has versioning enabled", arn=b.arn,
                              region=b.region, evidence=evidence)
