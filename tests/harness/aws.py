"""The analyzer tests' sandbox: one clean moto account per test (`sandbox_aws`), with helpers to build
resources and to run an analyzer through the real scanner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from xops.core.aws import AwsContext, AwsSettings
from xops.core.models import Finding, Status
from xops.core.scan import ScanRequest, scan
from xops.sandbox.moto_server import MANAGEMENT_ACCOUNT, MotoServer

REGION = "ap-southeast-2"


@dataclass
class SandboxAws:
    """`client(service)` to build resources, `run()` to analyze. In an analyzer's folder, `run()` runs that
    analyzer (its id comes from the folder); elsewhere pass the id."""

    server: MotoServer
    analyzer_id: str | None = None
    account_id: str = MANAGEMENT_ACCOUNT
    region: str = REGION

    def client(self, service: str, region: str | None = None) -> Any:
        return boto3.client(service, region_name=region or self.region, endpoint_url=self.server.endpoint)

    def run(self, analyzer_id: str | None = None, params: dict[str, Any] | None = None,
            regions: list[str] | None = None, now: datetime | None = None) -> list[Finding]:
        analyzer_id = analyzer_id or self.analyzer_id
        assert analyzer_id, "pass the analyzer id (this test is not in an analyzer's folder)"
        aws = AwsContext(AwsSettings(regions=regions or [self.region], max_workers=4), now=now)
        request = ScanRequest(analyzer_ids=[analyzer_id], params={analyzer_id: params} if params else {})
        return scan(aws, request).findings


def analyzer_of(module_name: str) -> str | None:
    """`xops.analyzers.finops.ebs_volume_unattached.test_analyzer` -> `finops.ebs_volume_unattached`."""
    parts = module_name.split(".")
    if parts[:2] == ["xops", "analyzers"] and len(parts) >= 5:
        return f"{parts[2]}.{parts[3]}"
    return None


def create_db(sandbox_aws: SandboxAws, dbid: str, **kwargs: Any) -> None:
    """One RDS DB instance (small PostgreSQL by default; any create_db_instance argument overrides)."""
    params = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "AllocatedStorage": 20,
              "MasterUsername": "admin1", "MasterUserPassword": "password-123", **kwargs}
    sandbox_aws.client("rds").create_db_instance(DBInstanceIdentifier=dbid, **params)


def fails(findings: list[Finding]) -> list[Finding]:
    """FAIL findings; asserts there is no ERROR (an analyzer test must not hide a crash)."""
    errors = [f for f in findings if f.status == Status.ERROR]
    assert not errors, f"unexpected ERROR findings: {[e.message for e in errors]}"
    return [f for f in findings if f.status == Status.FAIL]


def failed_ids(findings: list[Finding]) -> set[str]:
    return {f.resource_id for f in fails(findings)}
