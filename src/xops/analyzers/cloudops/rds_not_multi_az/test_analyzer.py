
from tests.harness.aws import SandboxAws, create_db, failed_ids, fails


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_multi_az_passes(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "ha-db", MultiAZ=True)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["ha-db"]


def test_single_az_fails(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "single-db", MultiAZ=False)
    create_db(sandbox_aws, "ha-db", MultiAZ=True)
    findings = sandbox_aws.run()
    assert failed_ids(findings) == {"single-db"}
    assert fails(findings)[0].evidence["multi_az"] is False
