from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class EbsVolumeUnencrypted(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.ebs_volume_unencrypted",
        title="EBS volumes not encrypted at rest",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::EC2::Volume",
        permissions=("ec2:DescribeVolumes",),
        risk="An unencrypted volume, and every snapshot taken from it, holds data in clear text: a shared or "
             "leaked snapshot exposes it, and most compliance frameworks require encryption at rest.",
        remediation=Remediation(
            summary="Volumes cannot be encrypted in place: snapshot the volume, copy the snapshot with "
                    "encryption, create a new volume from it and swap it in; then enable EBS encryption by "
                    "default so new volumes are encrypted.",
            cli="SNAP=$(aws ec2 create-snapshot --region {region} --volume-id {resource_id} "
                "--query SnapshotId --output text)\naws ec2 wait snapshot-completed --region {region} "
                "--snapshot-ids $SNAP\naws ec2 copy-snapshot --region {region} --source-region {region} "
                "--source-snapshot-id $SNAP --encrypted\n"
                "# then create-volume --snapshot-id <encrypted copy>, stop the instance and swap the volumes",
            terraform='resource "aws_ebs_volume" "data" {\n  availability_zone = "{region}a"\n  size = 100\n'
                      '  encrypted = true\n}\n\nresource "aws_ebs_encryption_by_default" "on" {\n  enabled = true\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for vol in aws.inventory.list(at, "ec2", "describe_volumes", "Volumes"):
            vid = vol["VolumeId"]
            arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:volume/{vid}"
            if vol.get("Encrypted"):
                yield self.ok(at, vid, f"volume {vid} is encrypted", arn=arn,
                              evidence={"kms_key_id": vol.get("KmsKeyId", "")})
                continue
            attached = [a["InstanceId"] for a in vol.get("Attachments", []) if a.get("InstanceId")]
            where = f"attached to {', '.join(attached)}" if attached else vol["State"]
            yield self.fail(
                at, vid, f"{vol['Size']} GiB {vol.get('VolumeType', '')} volume {vid} ({where}) is not encrypted",
                arn=arn, evidence={"encrypted": False, "state": vol["State"], "size_gib": vol["Size"],
                                   "volume_type": vol.get("VolumeType", ""), "attached_to": attached,
                                   "snapshot_id": vol.get("SnapshotId", "")},
            )
