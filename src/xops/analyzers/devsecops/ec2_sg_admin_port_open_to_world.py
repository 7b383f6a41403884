from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

ALL_PROTOCOLS = {"-1", "all"}
TCP = {"tcp", "6"}


def is_world(cidr: str) -> bool:
    """True for a CIDR that matches every address (0.0.0.0/0, ::/0 and their spellings)."""
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def exposed(perm: dict[str, Any], ports: list[int]) -> list[dict[str, Any]]:
    """The (port, cidr) exposures of one ingress permission: admin ports reachable from the whole internet."""
    proto = str(perm.get("IpProtocol", "")).lower()
    if proto in ALL_PROTOCOLS:
        hit = list(ports)
    elif proto in TCP:
        lo, hi = perm.get("FromPort", 0), perm.get("ToPort", 65535)
        lo, hi = (0, 65535) if lo in (None, -1) else (lo, hi)
        hit = [p for p in ports if lo <= p <= hi]
    else:
        hit = []
    if not hit:
        return []
    cidrs = [r["CidrIp"] for r in perm.get("IpRanges", []) if is_world(r.get("CidrIp", ""))]
    cidrs += [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", []) if is_world(r.get("CidrIpv6", ""))]
    rng = "all" if proto in ALL_PROTOCOLS else f"{perm.get('FromPort')}-{perm.get('ToPort')}"
    return [{"protocol": proto, "port_range": rng, "ports": hit, "source": c} for c in cidrs]


@register
class Ec2SgAdminPortOpenToWorld(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.ec2_sg_admin_port_open_to_world",
        title="Security groups allowing SSH/RDP from the internet",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::EC2::SecurityGroup",
        permissions=("ec2:DescribeSecurityGroups",),
        risk="SSH (22) and RDP (3389) open to 0.0.0.0/0 or ::/0 expose every attached host to internet-wide "
             "brute-force and exploit scanning; admin access should come only from known ranges or SSM.",
        remediation=Remediation(
            summary="Remove the world-open ingress rule and allow admin ports only from trusted CIDRs, or use "
                    "SSM Session Manager instead of inbound SSH/RDP.",
            cli="aws ec2 revoke-security-group-ingress --region {region} --group-id {resource_id} "
                "--ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'\n"
                "aws ec2 authorize-security-group-ingress --region {region} --group-id {resource_id} "
                "--protocol tcp --port 22 --cidr 10.0.0.0/8",
            terraform='resource "aws_vpc_security_group_ingress_rule" "ssh_admin" {\n'
                      '  security_group_id = "{resource_id}"\n  ip_protocol       = "tcp"\n'
                      '  from_port         = 22\n  to_port           = 22\n'
                      '  cidr_ipv4         = "10.0.0.0/8" # a trusted range, never 0.0.0.0/0\n}',
        ),
    )

    class Params(AnalyzerParams):
        ports: list[Annotated[int, Field(ge=0, le=65535)]] = Field(
            default_factory=lambda: [22, 3389], min_length=1,
            description="Administrative TCP ports that must not be reachable from 0.0.0.0/0 or ::/0",
        )

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        for sg in aws.inventory.list(at, "ec2", "describe_security_groups", "SecurityGroups"):
            gid, name = sg["GroupId"], sg.get("GroupName", "")
            arn = sg.get("SecurityGroupArn") or f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:security-group/{gid}"
            hits = [h for perm in sg.get("IpPermissions", []) for h in exposed(perm, params.ports)]
            if not hits:
                yield self.ok(at, gid, f"security group {name} ({gid}) exposes no admin port to the internet", arn=arn)
                continue
            ports = sorted({p for h in hits for p in h["ports"]})
            sources = sorted({h["source"] for h in hits})
            yield self.fail(
                at, gid, f"security group {name} ({gid}) allows port(s) {', '.join(map(str, ports))} "
                         f"from {', '.join(sources)}",
                arn=arn, evidence={"group_name": name, "vpc_id": sg.get("VpcId", ""), "open_rules": hits},
            )
