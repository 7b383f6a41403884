from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class EbsGp2ToGp3(Analyzer):
    meta = AnalyzerMeta(
        id="finops.ebs_gp2_to_gp3",
        title="gp2 EBS volumes that should be gp3",
        pillar="finops",
        severity=Severity.low,
        resource_type="AWS::EC2::Volume",
        permissions=("ec2:DescribeVolumes",),
        risk="gp3 costs about 20% less per GB than gp2 and gives a 3,000 IOPS / 125 MB/s baseline at any "
             "size; gp2 volumes pay more for the same (or less) performance.",
        remediation=Remediation(
            summary="Modify the volume to gp3 in place (no downtime; large gp2 volumes may need IOPS and "
                    "throughput set to match their gp2 burst performance).",
            cli="aws ec2 modify-volume --region {region} --volume-id {resource_id} --volume-type gp3",
            terraform='resource "aws_ebs_volume" "this" {\n  # ...\n  type = "gp3"\n}',
        ),
        cost_impact="size (GiB) × (gp2 − gp3 price per GB-month) in the volume's region",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for vol in aws.inventory.list(at, "ec2", "describe_volumes", "Volumes"):
            vid, size, vtype = vol["VolumeId"], int(vol["Size"]), vol.get("VolumeType", "gp2")
            arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:volume/{vid}"
            if vtype != "gp2":
                yield self.ok(at, vid, f"{size} GiB volume is {vtype}", arn=arn)
                continue
            gp2, gp3 = aws.prices.ebs_gb_month(at.region, "gp2"), aws.prices.ebs_gb_month(at.region, "gp3")
            usd = size * (gp2.usd - gp3.usd)
            yield self.fail(
                at, vid, f"{size} GiB gp2 volume {vid} would save ${usd:,.2f}/month as gp3",
                arn=arn, usd=usd,
                evidence={"volume_type": vtype, "size_gib": size, "state": vol["State"],
                          "iops": vol.get("Iops"),
                          "attached_to": [a["InstanceId"] for a in vol.get("Attachments", [])],
                          "arithmetic": f"{size} GiB × ({gp2.describe()} − {gp3.describe()}) = ${usd:,.2f}/month"},
            )
