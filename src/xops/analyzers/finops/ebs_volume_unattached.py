from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class EbsVolumeUnattached(Analyzer):
    meta = AnalyzerMeta(
        id="finops.ebs_volume_unattached",
        title="EBS volumes not attached to any instance",
        pillar="finops",
        severity=Severity.medium,
        resource_type="AWS::EC2::Volume",
        permissions=("ec2:DescribeVolumes",),
        risk="An unattached (available) volume is billed for its full provisioned size every month while "
             "nothing uses it; it is also data that nobody is looking after.",
        remediation=Remediation(
            summary="Snapshot the volume if its data may be needed, then delete it.",
            cli="aws ec2 create-snapshot --region {region} --volume-id {resource_id} --description 'xops: before delete'\n"
                "aws ec2 delete-volume --region {region} --volume-id {resource_id}",
            terraform='# Remove the aws_ebs_volume resource (keep an aws_ebs_snapshot of it if needed):\n'
                      'resource "aws_ebs_snapshot" "keep" {\n  volume_id = "{resource_id}"\n}',
        ),
        cost_impact="size (GiB) × EBS price per GB-month of its type and region",
    )

    class Params(AnalyzerParams):
        min_size_gb: int = Field(0, ge=0, description="Ignore volumes smaller than this many GiB")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        for vol in aws.inventory.list(at, "ec2", "describe_volumes", "Volumes"):
            vid, size, vtype = vol["VolumeId"], int(vol["Size"]), vol.get("VolumeType", "gp2")
            arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:volume/{vid}"
            if vol["State"] != "available" or size < params.min_size_gb:
                yield self.ok(at, vid, f"{size} GiB {vtype} volume is {vol['State']}", arn=arn)
                continue
            price = aws.prices.ebs_gb_month(at.region, vtype)
            usd = size * price.usd
            yield self.fail(
                at, vid, f"{size} GiB {vtype} volume is not attached to any instance (${usd:,.2f}/month)",
                arn=arn, usd=usd,
                evidence={"state": vol["State"], "size_gib": size, "volume_type": vtype,
                          "created": str(vol.get("CreateTime", "")),
                          "arithmetic": f"{size} GiB × {price.describe()} = ${usd:,.2f}/month"},
            )
