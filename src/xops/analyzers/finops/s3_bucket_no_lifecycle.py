from __future__ import annotations

from collections.abc import Iterator

from xops.analyzers._s3 import PERMISSIONS, bucket_call, buckets
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class S3BucketNoLifecycle(Analyzer):
    meta = AnalyzerMeta(
        id="finops.s3_bucket_no_lifecycle",
        title="S3 buckets without an enabled lifecycle rule",
        pillar="finops",
        severity=Severity.low,
        resource_type="AWS::S3::Bucket",
        permissions=(*PERMISSIONS, "s3:GetLifecycleConfiguration"),
        risk="Without lifecycle rules, objects, noncurrent versions and incomplete multipart uploads stay in "
             "S3 Standard forever: storage cost only ever grows.",
        remediation=Remediation(
            summary="Add lifecycle rules: tier or expire old objects, expire noncurrent versions and abort "
                    "incomplete multipart uploads.",
            cli="aws s3api put-bucket-lifecycle-configuration --region {region} --bucket {resource_id} "
                "--lifecycle-configuration '{\"Rules\":[{\"ID\":\"xops-baseline\",\"Status\":\"Enabled\","
                "\"Filter\":{},\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7},"
                "\"NoncurrentVersionExpiration\":{\"NoncurrentDays\":90},"
                "\"Transitions\":[{\"Days\":30,\"StorageClass\":\"INTELLIGENT_TIERING\"}]}]}'",
            terraform='resource "aws_s3_bucket_lifecycle_configuration" "this" {\n  bucket = "{resource_id}"\n'
                      '  rule {\n    id     = "xops-baseline"\n    status = "Enabled"\n    filter {}\n'
                      '    abort_incomplete_multipart_upload {\n      days_after_initiation = 7\n    }\n'
                      '    noncurrent_version_expiration {\n      noncurrent_days = 90\n    }\n'
                      '    transition {\n      days          = 30\n      storage_class = "INTELLIGENT_TIERING"\n'
                      '    }\n  }\n}',
        ),
        cost_impact="",
        scope="global",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for b in buckets(aws, at):
            conf = bucket_call(aws, at, b, "get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration")
            rules = (conf or {}).get("Rules", [])
            enabled = [r.get("ID", "") for r in rules if r.get("Status") == "Enabled"]
            evidence = {"rules": len(rules), "enabled_rules": enabled}
            if not enabled:
                what = "no lifecycle configuration" if conf is None else f"{len(rules)} lifecycle rule(s), none enabled"
                yield self.fail(at, b.name, f"S3 bucket {b.name} ({b.region}) has {what}", arn=b.arn,
                                region=b.region, evidence=evidence)
            else:
                yield self.ok(at, b.name, f"S3 bucket {b.name} has {len(enabled)} enabled lifecycle rule(s)",
                              arn=b.arn, region=b.region, evidence=evidence)
