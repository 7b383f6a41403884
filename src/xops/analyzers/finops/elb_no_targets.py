from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class ElbNoTargets(Analyzer):
    meta = AnalyzerMeta(
        id="finops.elb_no_targets",
        title="Load balancers with no registered targets",
        pillar="finops",
        severity=Severity.medium,
        resource_type="AWS::ElasticLoadBalancingV2::LoadBalancer",
        permissions=("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTargetGroups",
                     "elasticloadbalancing:DescribeTargetHealth"),
        risk="A load balancer with no targets behind any of its target groups serves nothing, yet its hourly "
             "charge runs all month; it is usually left over from a decommissioned service.",
        remediation=Remediation(
            summary="Confirm nothing points at the load balancer (DNS, CloudFront), then delete it and its "
                    "empty target groups.",
            cli="aws elbv2 delete-load-balancer --region {region} --load-balancer-arn \"$(aws elbv2 "
                "describe-load-balancers --region {region} --names {resource_id} "
                "--query 'LoadBalancers[0].LoadBalancerArn' --output text)\"",
            terraform='# Remove the aws_lb "{resource_id}" resource with its listeners and aws_lb_target_group '
                      'resources, or register targets:\nresource "aws_lb_target_group_attachment" "app" {\n'
                      '  target_group_arn = aws_lb_target_group.app.arn\n  target_id        = aws_instance.app.id\n}',
        ),
        cost_impact="load balancer hourly price for its type and region × 730 hours (LCU charges not included)",
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        lbs = aws.inventory.list(at, "elbv2", "describe_load_balancers", "LoadBalancers")
        if not lbs:
            return
        groups = aws.inventory.list(at, "elbv2", "describe_target_groups", "TargetGroups")
        for lb in lbs:
            name, arn, kind = lb["LoadBalancerName"], lb["LoadBalancerArn"], lb.get("Type", "application")
            attached = [g["TargetGroupArn"] for g in groups if arn in g.get("LoadBalancerArns", [])]
            targets = 0
            for tg in attached:
                health = aws.inventory.call(at, "elbv2", "describe_target_health", TargetGroupArn=tg)
                targets += len(health.get("TargetHealthDescriptions", []))
                if targets:
                    break
            if targets:
                yield self.ok(at, name, f"{kind} load balancer {name} has registered targets", arn=arn)
                continue
            price = aws.prices.elb_hour(at.region, kind)
            hours = aws.prices.hours_per_month
            usd = price.usd * hours
            where = f"its {len(attached)} target group(s)" if attached else "any target group (no listener forwards)"
            yield self.fail(
                at, name, f"{kind} load balancer {name} has no registered targets in {where} (${usd:,.2f}/month)",
                arn=arn, usd=usd,
                evidence={"type": kind, "scheme": lb.get("Scheme"), "dns_name": lb.get("DNSName"),
                          "target_groups": attached, "registered_targets": 0,
                          "created": str(lb.get("CreatedTime", "")),
                          "arithmetic": f"{hours} h × {price.describe()} = ${usd:,.2f}/month"},
            )
