from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class CloudwatchLogGroupNoRetention(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.cloudwatch_log_group_no_retention",
        title="CloudWatch log groups that never expire",
        pillar="cloudops",
        severity=Severity.low,
        resource_type="AWS::Logs::LogGroup",
        permissions=("logs:DescribeLogGroups",),
        risk="A log group with no retention policy keeps every event forever: storage grows (and is billed) "
             "without bound, and data is kept longer than data-retention policies allow.",
        remediation=Remediation(
            summary="Set a retention period that matches the data's purpose (e.g. 30-90 days for application "
                    "logs; export to S3 for long-term archives).",
            cli="aws logs put-retention-policy --region {region} --log-group-name {resource_id} "
                "--retention-in-days 90",
            terraform='resource "aws_cloudwatch_log_group" "this" {\n  name              = "{resource_id}"\n'
                      '  retention_in_days = 90\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for group in aws.inventory.list(at, "logs", "describe_log_groups", "logGroups"):
            name = group["logGroupName"]
            arn = group.get("logGroupArn") or group.get("arn", "").removesuffix(":*")
            days = group.get("retentionInDays")
            if days:
                yield self.ok(at, name, f"log group {name} keeps events for {days} days", arn=arn)
                continue
            stored = int(group.get("storedBytes", 0))
            yield self.fail(
                at, name, f"log group {name} has no retention policy: its events never expire "
                          f"({stored / 1024**3:,.2f} GiB stored)",
                arn=arn, evidence={"retention_in_days": None, "stored_bytes": stored,
                                   "created_epoch_ms": group.get("creationTime")},
            )
