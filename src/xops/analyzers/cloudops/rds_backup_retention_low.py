from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class RdsBackupRetentionLow(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.rds_backup_retention_low",
        title="RDS DB instances keeping automated backups for too few days",
        pillar="cloudops",
        severity=Severity.medium,
        resource_type="AWS::RDS::DBInstance",
        permissions=("rds:DescribeDBInstances",),
        risk="Automated backups bound how far back point-in-time restore can go: with a short retention (or 0, "
             "backups off) a corruption or bad deploy noticed a few days late cannot be undone.",
        remediation=Remediation(
            summary="Raise the automated backup retention period (7 days or more; up to 35).",
            cli="aws rds modify-db-instance --region {region} --db-instance-identifier {resource_id} "
                "--backup-retention-period 7 --apply-immediately",
            terraform='resource "aws_db_instance" "{resource_id}" {\n  # ...\n  backup_retention_period = 7\n}',
        ),
    )

    class Params(AnalyzerParams):
        min_days: int = Field(7, ge=1, le=35, description="Minimum automated backup retention, in days")

    def run(self, aws: AwsContext, at: Target, params: Params) -> Iterator[Finding]:
        for db in aws.inventory.list(at, "rds", "describe_db_instances", "DBInstances"):
            if db.get("DBClusterIdentifier"):
                continue  # Aurora/Neptune/DocumentDB members: retention is a cluster setting
            dbid, arn = db["DBInstanceIdentifier"], db.get("DBInstanceArn", "")
            days = int(db.get("BackupRetentionPeriod", 0))
            if days >= params.min_days:
                yield self.ok(at, dbid, f"DB instance {dbid} keeps backups for {days} days", arn=arn)
                continue
            what = "has automated backups turned off" if days == 0 else f"keeps automated backups for {days} day(s)"
            yield self.fail(
                at, dbid, f"DB instance {dbid} {what} (minimum {params.min_days})", arn=arn,
                evidence={"backup_retention_days": days, "min_days": params.min_days,
                          "engine": db.get("Engine"), "latest_restorable_time": str(db.get("LatestRestorableTime", ""))},
            )
