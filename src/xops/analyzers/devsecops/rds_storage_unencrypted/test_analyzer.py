from typing import Any

from tests.harness.aws import SandboxAws, failed_ids, fails
from tests.harness.aws import create_db as shared_create_db


def create_db(sandbox_aws: SandboxAws, dbid: str, **kwargs: Any) -> None:
    shared_create_db(sandbox_aws, dbid, Engine="mysql", AllocatedStorage=50, **kwargs)


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_encrypted_instance_passes(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "enc-db", StorageEncrypted=True)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["enc-db"]


def test_unencrypted_instance_fails(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "plain-db", StorageEncrypted=False)
    create_db(sandbox_aws, "enc-db", StorageEncrypted=True)
    findings = sandbox_aws.run()
    assert failed_ids(findings) == {"plain-db"}
    fail = fails(findings)[0]
    assert fail.evidence["storage_encrypted"] is False and fail.evidence["allocated_storage_gib"] == 50
    assert "50 GiB" in fail.message
