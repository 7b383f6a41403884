from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class NatGatewayIdle(Analyzer):
    meta = AnalyzerMeta(
        id="finops.nat_gateway_idle",
        title="NAT gateways that carry (almost) no traffic",
        pillar="finops",
        severity=Severity.medium,
        resource_type="AWS::EC2::NatGateway",
        permissions=("ec2:DescribeNatGateways", "cloudwatch:GetMetricStatistics"),
        risk="A NAT gateway is billed every hour it exists, whether or not anything uses it; one that "
             "sends next to no bytes is usually left over from a removed workload.",
        remediation=Remediation(
            summary="Check the route tables that point at it; if nothing needs outbound internet access through "
                    "it, delete it and release its Elastic IP.",
            cli="aws ec2 delete-nat-gateway --region {region} --nat-gateway-id {resource_id}",
            terraform='# Remove the aws_nat_gateway (and its aws_eip and routes), or share one per VPC:\n'
                      'resource "aws_nat_gateway" "shared" {\n  allocation_id = aws_eip.nat.id\n'
                      '  subnet_id     = aws_subnet.public.id\n}',
        ),
        cost_impact="NAT gateway price per hour × 730 hours (data processing charges excluded)",
    )

    class Params(AnalyzerParams):
        lookback_days: int = Field(14, ge=1, le=455, description="Days of CloudWatch history to read")
        max_bytes: int = Field(1_000_000, ge=0,
                               description="Idle when BytesOutToDestination over the lookback is below this")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        start, end = aws.now - timedelta(days=params.lookback_days), aws.now
        for nat in aws.inventory.list(at, "ec2", "describe_nat_gateways", "NatGateways"):
            if nat.get("State") != "available":
                continue
            nid = nat["NatGatewayId"]
            arn = f"arn:{aws.partition}:ec2:{at.region}:{at.account_id}:natgateway/{nid}"
            stats = aws.inventory.call(
                at, "cloudwatch", "get_metric_statistics", Namespace="AWS/NATGateway",
                MetricName="BytesOutToDestination", Dimensions=[{"Name": "NatGatewayId", "Value": nid}],
                StartTime=start, EndTime=end, Period=86400, Statistics=["Sum"],
            )
            points = stats.get("Datapoints", [])
            if not points:
                yield self.ok(at, nid, "no BytesOutToDestination datapoints: not judged", arn=arn)
                continue
            sent = sum(float(p["Sum"]) for p in points)
            if sent >= params.max_bytes:
                yield self.ok(at, nid, f"sent {sent:,.0f} bytes in {params.lookback_days} days", arn=arn)
                continue
            price = aws.prices.nat_gateway_hour(at.region)
            hours = aws.prices.hours_per_month
            usd = price.usd * hours
            yield self.fail(
                at, nid, f"NAT gateway {nid} sent only {sent:,.0f} bytes in {params.lookback_days} days "
                         f"(< {params.max_bytes:,}); it costs ${usd:,.2f}/month",
                arn=arn, usd=usd,
                evidence={"vpc_id": nat.get("VpcId"), "subnet_id": nat.get("SubnetId"),
                          "bytes_out_to_destination": sent, "days_with_data": len(points),
                          "lookback_days": params.lookback_days, "max_bytes": params.max_bytes,
                          "arithmetic": f"{hours} h × {price.describe()} = ${usd:,.2f}/month"},
            )
