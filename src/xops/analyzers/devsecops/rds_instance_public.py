from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class RdsInstancePublic(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.rds_instance_public",
        title="RDS DB instances that are publicly accessible",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::RDS::DBInstance",
        permissions=("rds:DescribeDBInstances",),
        risk="A publicly accessible DB instance gets a public DNS name and IP: only its security group stands "
             "between the database port and the internet (brute force, unpatched engine exploits, data theft).",
        remediation=Remediation(
            summary="Turn off public accessibility and reach the database through the VPC (VPN, bastion, "
                    "PrivateLink or peering).",
            cli="aws rds modify-db-instance --region {region} --db-instance-identifier {resource_id} "
                "--no-publicly-accessible --apply-immediately",
            terraform='resource "aws_db_instance" "{resource_id}" {\n  # ...\n  publicly_accessible = false\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for db in aws.inventory.list(at, "rds", "describe_db_instances", "DBInstances"):
            dbid, arn = db["DBInstanceIdentifier"], db.get("DBInstanceArn", "")
            if not db.get("PubliclyAccessible", False):
                yield self.ok(at, dbid, f"DB instance {dbid} is not publicly accessible", arn=arn)
                continue
            endpoint = (db.get("Endpoint") or {}).get("Address", "")
            yield self.fail(
                at, dbid, f"DB instance {dbid} ({db.get('Engine', '?')}) is publicly accessible"
                          + (f" at {endpoint}" if endpoint else ""),
                arn=arn,
                evidence={"publicly_accessible": True, "engine": db.get("Engine"), "endpoint": endpoint,
                          "security_groups": [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])]},
            )
