from tests.harness.aws import SandboxAws, failed_ids, fails


def test_no_log_groups_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_log_group_with_retention_passes(sandbox_aws: SandboxAws) -> None:
    logs = sandbox_aws.client("logs")
    logs.create_log_group(logGroupName="/app/web")
    logs.put_retention_policy(logGroupName="/app/web", retentionInDays=30)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["/app/web"]


def test_log_group_without_retention_fails(sandbox_aws: SandboxAws) -> None:
    logs = sandbox_aws.client("logs")
    logs.create_log_group(logGroupName="/app/web")
    logs.put_retention_policy(logGroupName="/app/web", retentionInDays=30)
    logs.create_log_group(logGroupName="/aws/lambda/forever")
    findings = sandbox_aws.run()
    assert failed_ids(findings) == {"/aws/lambda/forever"}
    fail = fails(findings)[0]
    assert fail.resource_arn == "arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/lambda/forever"
    assert fail.evidence["retention_in_days"] is None
