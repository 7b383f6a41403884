from tests.harness.aws import SandboxAws, fails


def test_off_by_default_fails_with_account_id(sandbox_aws: SandboxAws) -> None:
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region) for f in findings] == [(sandbox_aws.account_id, sandbox_aws.region)]
    assert findings[0].evidence == {"ebs_encryption_by_default": False}


def test_enabled_passes(sandbox_aws: SandboxAws) -> None:
    sandbox_aws.client("ec2").enable_ebs_encryption_by_default()
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [(f.status, f.resource_id) for f in findings] == [("PASS", sandbox_aws.account_id)]


def test_setting_is_per_region(sandbox_aws: SandboxAws) -> None:
    sandbox_aws.client("ec2", region="us-east-1").enable_ebs_encryption_by_default()
    findings = fails(sandbox_aws.run(regions=["us-east-1", "eu-west-1"]))
    assert [f.region for f in findings] == ["eu-west-1"]
