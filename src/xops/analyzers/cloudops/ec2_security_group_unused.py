from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class Ec2SecurityGroupUnused(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.ec2_security_group_unused",
        title="Security groups not attached to any network interface",
        pillar="cloudops",
        severity=Severity.low,
        resource_type="AWS::EC2::SecurityGroup",
        permissions=("ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"),
        risk="Unused security groups accumulate stale rules that nobody reviews; they are attached later by "
             "mistake and make the network policy harder to audit.",
        remediation=Remediation(
            summary="Confirm nothing (launch templates, IaC, other groups' rules) references the group, then "
                    "delete it.",
            cli="aws ec2 describe-security-groups --region {region} "
                "--filters Name=ip-permission.group-id,Values={resource_id} --query 'SecurityGroups[].GroupId'\n"
                "aws ec2 delete-security-group --region {region} --group-id {resource_id}",
            terraform='# Remove the aws_security_group resource for {resource_id} from your configuration '
                      '(terraform plan shows the destroy).',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        used: dict[str, list[str]] = {}
        for eni in aws.inventory.list(at, "ec2", "describe_network_interfaces", "NetworkInterfaces"):
            for g in eni.get("Groups", []):
                used.setdefault(g["GroupId"], []).append(eni["NetworkInterfaceId"])
        for sg in aws.inventory.list(at, "ec2", "describe_security_groups", "SecurityGroups"):
            gid, name = sg["GroupId"], sg.get("GroupName", "")
            if name == "default":  # every VPC has one and it cannot be deleted
                continue
            arn = sg.get("SecurityGroupArn") or f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:security-group/{gid}"
            enis = used.get(gid, [])
            evidence = {"group_name": name, "vpc_id": sg.get("VpcId", ""), "network_interfaces": enis[:20],
                        "attachments": len(enis)}
            if enis:
                yield self.ok(at, gid, f"security group {name} ({gid}) is attached to {len(enis)} interface(s)",
                              arn=arn, evidence=evidence)
            else:
                yield self.fail(at, gid, f"security group {name} ({gid}) is not attached to any network interface",
                                arn=arn, evidence=evidence)
