from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class DynamodbPitrDisabled(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.dynamodb_pitr_disabled",
        title="DynamoDB tables without point-in-time recovery",
        pillar="cloudops",
        severity=Severity.medium,
        resource_type="AWS::DynamoDB::Table",
        permissions=("dynamodb:ListTables", "dynamodb:DescribeContinuousBackups"),
        risk="Without point-in-time recovery a bad write, a buggy migration or an accidental delete of items "
             "cannot be rolled back to a moment before it happened (PITR restores to any second of the "
             "last 35 days).",
        remediation=Remediation(
            summary="Enable point-in-time recovery on the table.",
            cli="aws dynamodb update-continuous-backups --region {region} --table-name {resource_id} "
                "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
            terraform='resource "aws_dynamodb_table" "this" {\n  name = "{resource_id}"\n  # ...\n'
                      '  point_in_time_recovery {\n    enabled = true\n  }\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for name in aws.inventory.list(at, "dynamodb", "list_tables", "TableNames"):
            arn = f"arn:{aws.partition}:dynamodb:{at.region}:{at.account_id}:table/{name}"
            try:
                desc = aws.inventory.call(at, "dynamodb", "describe_continuous_backups", TableName=name)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "TableNotFoundException":
                    continue  # deleted since it was listed
                raise
            pitr = desc["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
            status = pitr.get("PointInTimeRecoveryStatus", "DISABLED")
            if status == "ENABLED":
                yield self.ok(at, name, f"table {name} has point-in-time recovery", arn=arn,
                              evidence={"recovery_period_days": pitr.get("RecoveryPeriodInDays")})
                continue
            yield self.fail(at, name, f"table {name} has point-in-time recovery {status.lower()}", arn=arn,
                            evidence={"point_in_time_recovery_status": status})
