
from tests.harness.aws import SandboxAws, create_db, failed_ids, fails


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_private_instance_passes(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "private-db", PubliclyAccessible=False)
    create_db(sandbox_aws, "default-db")  # PubliclyAccessible not set
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert {f.resource_id for f in findings} == {"private-db", "default-db"}


def test_public_instance_fails(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "public-db", PubliclyAccessible=True)
    create_db(sandbox_aws, "private-db", PubliclyAccessible=False)
    findings = sandbox_aws.run()
    assert failed_ids(findings) == {"public-db"}
    fail = fails(findings)[0]
    assert fail.evidence["publicly_accessible"] is True
    assert fail.resource_arn == "arn:aws:rds:ap-southeast-2:123456789012:db:public-db"
    assert fail.est_monthly_usd is None
