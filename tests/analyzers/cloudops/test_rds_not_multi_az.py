from typing import Any

from tests.conftest import SandboxAws, failed_ids, fails

ID = "cloudops.rds_not_multi_az"


def create_db(sandbox_aws: SandboxAws, dbid: str, **kwargs: Any) -> None:
    sandbox_aws.client("rds").create_db_instance(
        DBInstanceIdentifier=dbid, DBInstanceClass="db.t3.micro", Engine="postgres", AllocatedStorage=20,
        MasterUsername="admin1", MasterUserPassword="password-123", **kwargs)


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run(ID) == []


def test_multi_az_passes(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "ha-db", MultiAZ=True)
    findings = sandbox_aws.run(ID)
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["ha-db"]


def test_single_az_fails(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "single-db", MultiAZ=False)
    create_db(sandbox_aws, "ha-db", MultiAZ=True)
    findings = sandbox_aws.run(ID)
    assert failed_ids(findings) == {"single-db"}
    assert fails(findings)[0].evidence["multi_az"] is False
