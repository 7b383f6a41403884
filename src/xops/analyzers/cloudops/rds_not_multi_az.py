from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class RdsNotMultiAz(Analyzer):
    meta = AnalyzerMeta(
        id="cloudops.rds_not_multi_az",
        title="RDS DB instances without a Multi-AZ standby",
        pillar="cloudops",
        severity=Severity.medium,
        resource_type="AWS::RDS::DBInstance",
        permissions=("rds:DescribeDBInstances",),
        risk="A Single-AZ instance is down for the whole of an AZ outage, a host failure or many maintenance "
             "operations; Multi-AZ fails over to a synchronous standby in another AZ in a minute or two.",
        remediation=Remediation(
            summary="Convert the instance to Multi-AZ (done online; schedule it in a quiet window since I/O "
                    "briefly slows while the standby is created).",
            cli="aws rds modify-db-instance --region {region} --db-instance-identifier {resource_id} "
                "--multi-az --apply-immediately",
            terraform='resource "aws_db_instance" "{resource_id}" {\n  # ...\n  multi_az = true\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for db in aws.inventory.list(at, "rds", "describe_db_instances", "DBInstances"):
            if db.get("DBClusterIdentifier"):
                continue  # Aurora/Neptune/DocumentDB members: availability comes from the cluster's replicas
            dbid, arn = db["DBInstanceIdentifier"], db.get("DBInstanceArn", "")
            if db.get("MultiAZ", False):
                yield self.ok(at, dbid, f"DB instance {dbid} is Multi-AZ", arn=arn,
                              evidence={"secondary_az": db.get("SecondaryAvailabilityZone", "")})
                continue
            az = db.get("AvailabilityZone", "")
            yield self.fail(
                at, dbid, f"DB instance {dbid} ({db.get('Engine', '?')}) runs in a single AZ"
                          + (f" ({az})" if az else "") + " with no standby",
                arn=arn, evidence={"multi_az": False, "availability_zone": az, "engine": db.get("Engine"),
                                   "instance_class": db.get("DBInstanceClass")},
            )
