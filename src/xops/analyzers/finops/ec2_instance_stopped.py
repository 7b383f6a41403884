from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

# "User initiated (2024-05-01 10:20:30 GMT)"; moto writes UTC instead of GMT.
STOPPED_AT = re.compile(r"\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (?:GMT|UTC)\)")


def stopped_since(reason: str) -> datetime | None:
    """When the instance stopped, from its StateTransitionReason (None when it does not say)."""
    m = STOPPED_AT.search(reason or "")
    return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) if m else None


@register
class Ec2InstanceStopped(Analyzer):
    meta = AnalyzerMeta(
        id="finops.ec2_instance_stopped",
        title="Stopped EC2 instances still paying for their EBS volumes",
        pillar="finops",
        severity=Severity.low,
        resource_type="AWS::EC2::Instance",
        permissions=("ec2:DescribeInstances", "ec2:DescribeVolumes"),
        risk="A stopped instance costs no compute, but its EBS volumes (and any Elastic IPs) are billed in "
             "full; long-stopped instances are usually forgotten.",
        remediation=Remediation(
            summary="If the instance is no longer needed, create an AMI (or snapshots) as a backup and "
                    "terminate it; otherwise start it or document why it is kept.",
            cli="aws ec2 create-image --region {region} --instance-id {resource_id} --name xops-{resource_id}-backup\n"
                "aws ec2 terminate-instances --region {region} --instance-ids {resource_id}",
            terraform='# Remove the aws_instance resource, keeping an image of it if needed:\n'
                      'resource "aws_ami_from_instance" "backup" {\n  name               = "{resource_id}-backup"\n'
                      '  source_instance_id = "{resource_id}"\n}',
        ),
        cost_impact="sum over its attached EBS volumes of size (GiB) × EBS price per GB-month of the volume type",
    )

    class Params(AnalyzerParams):
        min_stopped_days: int = Field(
            0, ge=0, le=3650,
            description="Flag only instances stopped for at least this many days (0: every stopped instance; "
                        "instances whose stop date is unknown are flagged only at 0)",
        )

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        instances = [i for r in aws.inventory.list(at, "ec2", "describe_instances", "Reservations")
                     for i in r.get("Instances", [])]
        volumes: dict[str, list[dict]] = {}
        if any(i["State"]["Name"] == "stopped" for i in instances):
            for vol in aws.inventory.list(at, "ec2", "describe_volumes", "Volumes"):
                for att in vol.get("Attachments", []):
                    volumes.setdefault(att["InstanceId"], []).append(vol)
        for inst in instances:
            iid, state = inst["InstanceId"], inst["State"]["Name"]
            arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:instance/{iid}"
            if state in ("terminated", "shutting-down"):
                continue
            if state != "stopped":
                yield self.ok(at, iid, f"instance is {state}", arn=arn)
                continue
            since = stopped_since(inst.get("StateTransitionReason", ""))
            days = None if since is None else (aws.now - since).days
            too_recent = params.min_stopped_days > 0 if days is None else days < params.min_stopped_days
            if too_recent:
                yield self.ok(at, iid, f"instance stopped for {days if days is not None else 'an unknown number of'}"
                                       f" days (< {params.min_stopped_days})", arn=arn)
                continue
            usd, parts, vols = 0.0, [], []
            for vol in volumes.get(iid, []):
                size, vtype = int(vol["Size"]), vol.get("VolumeType", "gp2")
                price = aws.prices.ebs_gb_month(at.region, vtype)
                usd += size * price.usd
                parts.append(f"{size} GiB × {price.describe()}")
                vols.append({"volume_id": vol["VolumeId"], "size_gib": size, "volume_type": vtype})
            for_how_long = f"for {days} days" if days is not None else "(stop date unknown)"
            yield self.fail(
                at, iid, f"{inst.get('InstanceType', '')} instance {iid} stopped {for_how_long}; its "
                         f"{len(vols)} EBS volume(s) cost ${usd:,.2f}/month",
                arn=arn, usd=usd,
                evidence={"instance_type": inst.get("InstanceType"),
                          "state_transition_reason": inst.get("StateTransitionReason", ""),
                          "stopped_since": since.isoformat() if since else None, "stopped_days": days,
                          "volumes": vols,
                          "arithmetic": f"{' + '.join(parts) or 'no EBS volumes'} = ${usd:,.2f}/month"},
            )
