from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class EbsSnapshotOld(Analyzer):
    meta = AnalyzerMeta(
        id="finops.ebs_snapshot_old",
        title="EBS snapshots older than the retention period",
        pillar="finops",
        severity=Severity.low,
        resource_type="AWS::EC2::Snapshot",
        permissions=("ec2:DescribeSnapshots",),
        risk="Old snapshots outlive the volumes and releases they protected and are billed every month; "
             "without a lifecycle policy they accumulate indefinitely.",
        remediation=Remediation(
            summary="Delete snapshots nobody needs (check they back no registered AMI), or archive them; "
                    "manage future ones with a Data Lifecycle Manager policy.",
            cli="aws ec2 delete-snapshot --region {region} --snapshot-id {resource_id}",
            terraform='resource "aws_dlm_lifecycle_policy" "ebs" {\n  description        = "EBS snapshot retention"\n'
                      '  execution_role_arn = aws_iam_role.dlm.arn\n  state              = "ENABLED"\n'
                      '  policy_details {\n    resource_types = ["VOLUME"]\n    target_tags    = { Backup = "true" }\n'
                      '    schedule {\n      name = "daily"\n      create_rule { interval = 24 }\n'
                      '      retain_rule { count = 14 }\n    }\n  }\n}',
        ),
        cost_impact="snapshot VolumeSize (GiB) × snapshot price per GB-month: an upper bound, snapshots are "
                    "incremental and usually store less",
    )

    class Params(AnalyzerParams):
        max_age_days: int = Field(90, ge=1, le=3650, description="Flag snapshots older than this many days")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        for snap in aws.inventory.list(at, "ec2", "describe_snapshots", "Snapshots", OwnerIds=["self"]):
            sid, size = snap["SnapshotId"], int(snap.get("VolumeSize", 0))
            arn = f"arn:{aws.partition}:ec2:{at.region}::snapshot/{sid}"
            age = (aws.now - snap["StartTime"]).days
            if age <= params.max_age_days:
                yield self.ok(at, sid, f"{size} GiB snapshot is {age} days old", arn=arn)
                continue
            price = aws.prices.ebs_snapshot_gb_month(at.region)
            usd = size * price.usd
            yield self.fail(
                at, sid, f"{size} GiB snapshot {sid} is {age} days old (> {params.max_age_days}); "
                         f"up to ${usd:,.2f}/month",
                arn=arn, usd=usd,
                evidence={"started": snap["StartTime"].isoformat(), "age_days": age, "volume_size_gib": size,
                          "volume_id": snap.get("VolumeId", ""), "description": snap.get("Description", ""),
                          "max_age_days": params.max_age_days,
                          "arithmetic": f"{size} GiB × {price.describe()} = ${usd:,.2f}/month (upper bound: "
                                        "snapshots are incremental, the billed size may be smaller)"},
            )
