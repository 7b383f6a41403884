from __future__ import annotations

from collections.abc import Iterator

from xops.analyzers._ec2 import instances
from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register

# Previous-generation family -> the current family to move to (same size where it exists).
SUCCESSOR = {
    "t1": "t3", "t2": "t3",
    "m1": "m5", "m3": "m5", "m4": "m5",
    "c1": "c5", "c3": "c5", "c4": "c5", "cc2": "c5",
    "m2": "r5", "r3": "r5", "r4": "r5", "cr1": "r5",
    "i2": "i3", "d2": "d3", "hs1": "d3",
    "g2": "g4dn", "g3": "g4dn", "g3s": "g4dn", "p2": "p3", "a1": "m6g",
}
# Sizes the successor families do not offer (outside t*): move up to large.
SMALL_SIZES = {"nano", "micro", "small", "medium"}


def successor(instance_type: str) -> str | None:
    """The current-generation type to move to, or None when the type is not previous-generation."""
    family, _, size = instance_type.partition(".")
    new = SUCCESSOR.get(family)
    if new is None:
        return None
    if not new.startswith("t") and size in SMALL_SIZES:
        size = "large"
    return f"{new}.{size}"


@register
class Ec2PreviousGeneration(Analyzer):
    meta = AnalyzerMeta(
        id="finops.ec2_previous_generation",
        title="EC2 instances on previous-generation instance types",
        pillar="finops",
        severity=Severity.low,
        resource_type="AWS::EC2::Instance",
        permissions=("ec2:DescribeInstances",),
        risk="Previous-generation types (t2, m4, c4, r4, ...) cost more than their current-generation "
             "successors for less performance, and have less capacity and fewer features (Nitro, ENA, EBS "
             "optimisation by default).",
        remediation=Remediation(
            summary="Stop the instance, change its type to the suggested successor and start it again "
                    "(check the AMI has ENA/NVMe drivers for Nitro types).",
            cli="aws ec2 stop-instances --region {region} --instance-ids {resource_id}\n"
                "aws ec2 wait instance-stopped --region {region} --instance-ids {resource_id}\n"
                "aws ec2 modify-instance-attribute --region {region} --instance-id {resource_id} "
                "--instance-type '{\"Value\": \"m5.large\"}'  # the suggested successor\n"
                "aws ec2 start-instances --region {region} --instance-ids {resource_id}",
            terraform='resource "aws_instance" "this" {\n  # ...\n  instance_type = "m5.large"  # the suggested '
                      'successor\n}',
        ),
        cost_impact="(on-demand price per hour of the current type − price of the successor type) × 730 hours, "
                    "when both prices are known",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for inst, arn in instances(aws, at):
            iid, itype = inst["InstanceId"], inst.get("InstanceType", "")
            new = successor(itype)
            if new is None:
                yield self.ok(at, iid, f"{itype} is a current-generation type", arn=arn)
                continue
            old_price, new_price = aws.prices.ec2_hour(at.region, itype), aws.prices.ec2_hour(at.region, new)
            hours = aws.prices.hours_per_month
            usd = None
            arithmetic = f"no price known for {itype if old_price is None else new}"
            if old_price and new_price:
                usd = (old_price.usd - new_price.usd) * hours
                arithmetic = (f"{hours} h × ({old_price.describe()} − {new_price.describe()}) "
                              f"= ${usd:,.2f}/month")
            cost = "" if usd is None else f", saving ${usd:,.2f}/month"
            yield self.fail(
                at, iid, f"instance {iid} runs previous-generation {itype}: move it to {new}{cost}",
                arn=arn, usd=usd,
                evidence={"instance_type": itype, "successor": new, "state": inst["State"]["Name"],
                          "arithmetic": arithmetic},
            )
