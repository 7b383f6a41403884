from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class EbsDefaultEncryptionDisabled(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.ebs_default_encryption_disabled",
        title="EBS encryption by default is off",
        pillar="devsecops",
        severity=Severity.medium,
        resource_type="AWS::::Account",
        permissions=("ec2:GetEbsEncryptionByDefault",),
        risk="Without encryption by default, any new volume or snapshot copy created without the encrypted flag "
             "(console, scripts, AMIs, autoscaling) stores data unencrypted in this region.",
        remediation=Remediation(
            summary="Turn on EBS encryption by default in every region you use (it is a per-region setting and "
                    "does not change existing volumes).",
            cli="aws ec2 enable-ebs-encryption-by-default --region {region}",
            terraform='resource "aws_ebs_encryption_by_default" "on" {\n  enabled = true\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        enabled = bool(aws.inventory.call(at, "ec2", "get_ebs_encryption_by_default").get("EbsEncryptionByDefault"))
        evidence = {"ebs_encryption_by_default": enabled}
        if enabled:
            yield self.ok(at, at.account_id, f"EBS encryption by default is on in {at.region}", evidence=evidence)
        else:
            yield self.fail(at, at.account_id, f"EBS encryption by default is off in account {at.account_id} "
                                               f"region {at.region}", evidence=evidence)
