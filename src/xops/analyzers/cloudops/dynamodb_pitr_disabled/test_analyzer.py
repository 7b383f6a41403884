from tests.harness.aws import SandboxAws, failed_ids, fails


def create_table(sandbox_aws: SandboxAws, name: str, pitr: bool) -> None:
    ddb = sandbox_aws.client("dynamodb")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    if pitr:
        ddb.update_continuous_backups(TableName=name,
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def test_no_tables_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_table_with_pitr_passes(sandbox_aws: SandboxAws) -> None:
    create_table(sandbox_aws, "orders", pitr=True)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["orders"]


def test_table_without_pitr_fails(sandbox_aws: SandboxAws) -> None:
    create_table(sandbox_aws, "orders", pitr=True)
    create_table(sandbox_aws, "sessions", pitr=False)
    findings = sandbox_aws.run()
    assert failed_ids(findings) == {"sessions"}
    fail = fails(findings)[0]
    assert fail.resource_arn == "arn:aws:dynamodb:ap-southeast-2:123456789012:table/sessions"
    assert fail.evidence["point_in_time_recovery_status"] == "DISABLED"
