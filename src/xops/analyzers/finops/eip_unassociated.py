from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class EipUnassociated(Analyzer):
    meta = AnalyzerMeta(
        id="finops.eip_unassociated",
        title="Elastic IP addresses not associated with anything",
        pillar="finops",
        severity=Severity.low,
        resource_type="AWS::EC2::EIP",
        permissions=("ec2:DescribeAddresses",),
        risk="Every public IPv4 address is billed by the hour; an Elastic IP that is not associated with an "
             "instance, network interface or NAT gateway serves no traffic and is pure waste.",
        remediation=Remediation(
            summary="Release the address if nothing needs it (check DNS records and allow-lists that pin it).",
            cli="aws ec2 release-address --region {region} --allocation-id {resource_id}",
            terraform='# Remove the unused aws_eip resource, or associate it:\n'
                      'resource "aws_eip_association" "this" {\n  allocation_id = "{resource_id}"\n'
                      '  instance_id   = aws_instance.this.id\n}',
        ),
        cost_impact="public IPv4 price per hour × 730 hours",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for addr in aws.inventory.list(at, "ec2", "describe_addresses", "Addresses"):
            rid = addr.get("AllocationId") or addr["PublicIp"]
            arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:elastic-ip/{rid}"
            attached = addr.get("AssociationId") or addr.get("InstanceId") or addr.get("NetworkInterfaceId")
            if attached:
                yield self.ok(at, rid, f"Elastic IP {addr['PublicIp']} is associated with {attached}", arn=arn)
                continue
            price = aws.prices.public_ipv4_hour(at.region)
            hours = aws.prices.hours_per_month
            usd = price.usd * hours
            yield self.fail(
                at, rid, f"Elastic IP {addr['PublicIp']} ({rid}) is not associated with anything "
                         f"(${usd:,.2f}/month)",
                arn=arn, usd=usd,
                evidence={"public_ip": addr["PublicIp"], "allocation_id": rid, "domain": addr.get("Domain", ""),
                          "arithmetic": f"{hours} h × {price.describe()} = ${usd:,.2f}/month"},
            )
