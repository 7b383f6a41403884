
from tests.harness.aws import SandboxAws, create_db, failed_ids, fails


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_week_of_backups_passes(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "ok-db", BackupRetentionPeriod=7)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["ok-db"]


def test_short_or_disabled_backups_fail(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "off-db", BackupRetentionPeriod=0)
    create_db(sandbox_aws, "short-db", BackupRetentionPeriod=3)
    create_db(sandbox_aws, "ok-db", BackupRetentionPeriod=14)
    findings = fails(sandbox_aws.run())
    assert {f.resource_id for f in findings} == {"off-db", "short-db"}
    off = next(f for f in findings if f.resource_id == "off-db")
    assert "turned off" in off.message and off.evidence["backup_retention_days"] == 0


def test_min_days_param(sandbox_aws: SandboxAws) -> None:
    create_db(sandbox_aws, "short-db", BackupRetentionPeriod=3)
    create_db(sandbox_aws, "mid-db", BackupRetentionPeriod=14)
    assert failed_ids(sandbox_aws.run(params={"min_days": 2})) == set()
    assert failed_ids(sandbox_aws.run(params={"min_days": 30})) == {"short-db", "mid-db"}
