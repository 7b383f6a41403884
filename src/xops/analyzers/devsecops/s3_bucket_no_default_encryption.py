from __future__ import annotations

from collections.abc import Iterator

from xops.analyzers._s3 import PERMISSIONS, bucket_call, buckets
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class S3BucketNoDefaultEncryption(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.s3_bucket_no_default_encryption",
        title="S3 buckets without default server-side encryption",
        pillar="devsecops",
        severity=Severity.medium,
        resource_type="AWS::S3::Bucket",
        permissions=(*PERMISSIONS, "s3:GetEncryptionConfiguration"),
        risk="Objects written without an encryption header are stored unencrypted at rest, which breaks most "
             "compliance baselines (CIS, PCI, ISO 27001) and leaves data readable from any leaked copy.",
        remediation=Remediation(
            summary="Turn on default encryption (SSE-S3, or SSE-KMS with a customer-managed key and bucket keys).",
            cli="aws s3api put-bucket-encryption --region {region} --bucket {resource_id} "
                "--server-side-encryption-configuration "
                "'{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"},"
                "\"BucketKeyEnabled\":true}]}'",
            terraform='resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n'
                      '  bucket = "{resource_id}"\n  rule {\n    apply_server_side_encryption_by_default {\n'
                      '      sse_algorithm = "AES256"\n    }\n    bucket_key_enabled = true\n  }\n}',
        ),
        scope="global",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for b in buckets(aws, at):
            conf = bucket_call(aws, at, b, "get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError")
            rules = (conf or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
            defaults = [r["ApplyServerSideEncryptionByDefault"] for r in rules
                        if r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm")]
            if not defaults:
                yield self.fail(at, b.name, f"S3 bucket {b.name} ({b.region}) has no default encryption",
                                arn=b.arn, region=b.region, evidence={"encryption_configuration": "none"})
                continue
            algo = defaults[0]["SSEAlgorithm"]
            yield self.ok(at, b.name, f"S3 bucket {b.name} encrypts new objects by default ({algo})", arn=b.arn,
                          region=b.region,
                          evidence={"sse_algorithm": algo, "kms_key": defaults[0].get("KMSMasterKeyID", "")})
