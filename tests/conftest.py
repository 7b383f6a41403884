"""Shared fixtures. Analyzer tests use `sandbox_aws`: a moto server in this process (reset before each
test) with helpers to create resources, age them, and run one analyzer through the real scanner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
import pytest

from tests.harness.openwebui import openwebui, openwebui_scim  # noqa: F401  (session fixtures: real Open WebUI)
from tests.harness.sandbox import RunningSandbox, start_running_sandbox
from xops.core.aws import AwsContext, AwsSettings
from xops.core.models import Finding, Status
from xops.core.scan import ScanRequest, scan
from xops.sandbox.moto_server import FAKE_CREDENTIALS, MANAGEMENT_ACCOUNT, MotoServer

REGION = "ap-southeast-2"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    saved = dict(os.environ)
    os.environ.update(FAKE_CREDENTIALS)
    os.environ["XOPS_PRICING"] = "offline"
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "XOPS_REGIONS"):
        os.environ.pop(var, None)
    server = MotoServer().start()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    yield server
    server.stop()
    os.environ.clear()
    os.environ.update(saved)


@dataclass
class SandboxAws:
    """One clean moto account for a test: `client(service)` to build resources, `run(id)` to analyze."""

    server: MotoServer
    account_id: str = MANAGEMENT_ACCOUNT
    region: str = REGION

    def client(self, service: str, region: str | None = None) -> Any:
        return boto3.client(service, region_name=region or self.region, endpoint_url=self.server.endpoint)

    def run(self, analyzer_id: str, params: dict[str, Any] | None = None, regions: list[str] | None = None,
            now: datetime | None = None) -> list[Finding]:
        aws = AwsContext(AwsSettings(regions=regions or [self.region], max_workers=4), now=now)
        request = ScanRequest(analyzer_ids=[analyzer_id], params={analyzer_id: params} if params else {})
        return scan(aws, request).findings


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


@pytest.fixture
def sandbox_aws(moto_server: MotoServer) -> SandboxAws:
    moto_server.reset()
    return SandboxAws(moto_server)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A real `xops sandbox up` process (the demo estate, seed 42), shared by the e2e and API tests of a worker."""
    proc, sb = start_running_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield sb
    proc.terminate()
    proc.wait(timeout=30)
