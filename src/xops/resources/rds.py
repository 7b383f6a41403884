"""RDS DB instances."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasPath, Field

from xops.resources.base import Listing, Resource, Spec
from xops.resources.ops import Op


class DBInstance(Resource):
    spec = Spec(type="AWS::RDS::DBInstance", noun="DB instance", id="DBInstanceIdentifier", arn="DBInstanceArn",
                list=Listing(Op("rds", "describe_db_instances", "DBInstances")))

    engine: str = Field("?", alias="Engine")
    engine_version: str = Field("", alias="EngineVersion")
    instance_class: str = Field("", alias="DBInstanceClass")
    status: str = Field("", alias="DBInstanceStatus")
    cluster_id: str = Field("", alias="DBClusterIdentifier")
    multi_az: bool = Field(False, alias="MultiAZ")
    availability_zone: str = Field("", alias="AvailabilityZone")
    secondary_az: str = Field("", alias="SecondaryAvailabilityZone")
    publicly_accessible: bool = Field(False, alias="PubliclyAccessible")
    endpoint: str = Field("", validation_alias=AliasPath("Endpoint", "Address"))
    storage_encrypted: bool = Field(False, alias="StorageEncrypted")
    kms_key_id: str = Field("", alias="KmsKeyId")
    allocated_storage_gib: int | None = Field(None, alias="AllocatedStorage")
    storage_type: str = Field("", alias="StorageType")
    backup_retention_days: int = Field(0, alias="BackupRetentionPeriod")
    latest_restorable_time: datetime | None = Field(None, alias="LatestRestorableTime")
    vpc_security_groups: list[dict[str, Any]] = Field(default_factory=list, alias="VpcSecurityGroups")

    @property
    def security_group_ids(self) -> list[str]:
        return [g["VpcSecurityGroupId"] for g in self.vpc_security_groups]
