from __future__ import annotations

from collections.abc import Iterator

from xops.core.analyzer import Analyzer
from xops.core.aws import AwsContext, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Finding, Remediation, Severity
from xops.core.registry import register


@register
class RdsStorageUnencrypted(Analyzer):
    meta = AnalyzerMeta(
        id="devsecops.rds_storage_unencrypted",
        title="RDS DB instances with unencrypted storage",
        pillar="devsecops",
        severity=Severity.high,
        resource_type="AWS::RDS::DBInstance",
        permissions=("rds:DescribeDBInstances",),
        risk="Data at rest (storage, automated backups, snapshots, read replicas) is not encrypted with KMS: "
             "a leaked or shared snapshot exposes the data, and most compliance frameworks require encryption.",
        remediation=Remediation(
            summary="Encryption cannot be turned on in place: snapshot the instance, copy the snapshot with a "
                    "KMS key, restore a new encrypted instance from it and switch the application over.",
            cli="aws rds create-db-snapshot --region {region} --db-instance-identifier {resource_id} "
                "--db-snapshot-identifier {resource_id}-plain\n"
                "aws rds copy-db-snapshot --region {region} --source-db-snapshot-identifier {resource_id}-plain "
                "--target-db-snapshot-identifier {resource_id}-encrypted --kms-key-id alias/aws/rds\n"
                "aws rds restore-db-instance-from-db-snapshot --region {region} "
                "--db-instance-identifier {resource_id}-enc --db-snapshot-identifier {resource_id}-encrypted",
            terraform='resource "aws_db_instance" "{resource_id}" {\n  # ...\n  storage_encrypted = true\n'
                      '  kms_key_id        = aws_kms_key.rds.arn\n}',
        ),
    )

    def run(self, aws: AwsContext, at: Target, params: AnalyzerParams) -> Iterator[Finding]:
        for db in aws.inventory.list(at, "rds", "describe_db_instances", "DBInstances"):
            dbid, arn = db["DBInstanceIdentifier"], db.get("DBInstanceArn", "")
            if db.get("StorageEncrypted", False):
                yield self.ok(at, dbid, f"DB instance {dbid} storage is encrypted", arn=arn,
                              evidence={"kms_key_id": db.get("KmsKeyId", "")})
                continue
            yield self.fail(
                at, dbid, f"DB instance {dbid} ({db.get('Engine', '?')}, {db.get('AllocatedStorage', '?')} GiB) "
                          "stores its data unencrypted",
                arn=arn,
                evidence={"storage_encrypted": False, "engine": db.get("Engine"),
                          "allocated_storage_gib": db.get("AllocatedStorage"), "storage_type": db.get("StorageType")},
            )
