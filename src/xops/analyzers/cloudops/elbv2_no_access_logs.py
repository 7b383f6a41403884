from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class Elbv2NoAccessLogs(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.elbv2_no_access_logs",
        title="Application/Network Load Balancers without access logs",
        pillar="cloudops",
        severity=Severity.low,
        resource_type="AWS::ElasticLoadBalancingV2::LoadBalancer",
        permissions=("elasticloadbalancing:DescribeLoadBalancers",
                     "elasticloadbalancing:DescribeLoadBalancerAttributes"),
        risk="Without access logs there is no record of who called what through the load balancer: latency "
             "and 5xx investigations, abuse analysis and incident forensics have nothing to work from.",
        remediation=Remediation(
            summary="Enable access logs to an S3 bucket whose policy allows the ELB log delivery service.",
            cli="aws elbv2 modify-load-balancer-attributes --region {region} --load-balancer-arn \"$(aws elbv2 "
                "describe-load-balancers --region {region} --names {resource_id} "
                "--query 'LoadBalancers[0].LoadBalancerArn' --output text)\" --attributes "
                "Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=MY-ELB-LOG-BUCKET "
                "Key=access_logs.s3.prefix,Value={resource_id}",
            terraform='resource "aws_lb" "{resource_id}" {\n  # ...\n  access_logs {\n'
                      '    bucket  = aws_s3_bucket.elb_logs.id\n    prefix  = "{resource_id}"\n'
                      '    enabled = true\n  }\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for lb in aws.inventory.list(at, "elbv2", "describe_load_balancers", "LoadBalancers"):
            name, arn, kind = lb["LoadBalancerName"], lb["LoadBalancerArn"], lb.get("Type", "application")
            if kind not in ("application", "network"):
                continue  # Gateway Load Balancers have no access logs
            attrs = aws.inventory.call(at, "elbv2", "describe_load_balancer_attributes", LoadBalancerArn=arn)
            values = {a["Key"]: a.get("Value", "") for a in attrs.get("Attributes", [])}
            if values.get("access_logs.s3.enabled", "false").lower() == "true":
                bucket = values.get("access_logs.s3.bucket", "")
                yield self.ok(at, name, f"{kind} load balancer {name} logs to s3://{bucket}", arn=arn,
                              evidence={"bucket": bucket, "prefix": values.get("access_logs.s3.prefix", "")})
                continue
            yield self.fail(
                at, name, f"{kind} load balancer {name} does not write access logs", arn=arn,
                evidence={"type": kind, "access_logs.s3.enabled": values.get("access_logs.s3.enabled", "false"),
                          "dns_name": lb.get("DNSName")},
            )
