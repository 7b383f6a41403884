from tests.harness.aws import SandboxAws, fails


def bucket(sandbox_aws: SandboxAws, name: str) -> str:
    sandbox_aws.client("s3").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": sandbox_aws.region})
    return name


def lifecycle(sandbox_aws: SandboxAws, name: str, status: str) -> None:
    sandbox_aws.client("s3").put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
        {"ID": "expire-old", "Status": status, "Filter": {"Prefix": ""}, "Expiration": {"Days": 365}}]})


def test_no_buckets_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_bucket_with_enabled_rule_passes(sandbox_aws: SandboxAws) -> None:
    name = bucket(sandbox_aws, "lc-ok")
    lifecycle(sandbox_aws, name, "Enabled")
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [(f.resource_id, f.evidence["enabled_rules"]) for f in findings] == [(name, ["expire-old"])]


def test_missing_or_disabled_lifecycle_fails_without_dollars(sandbox_aws: SandboxAws) -> None:
    none = bucket(sandbox_aws, "lc-none")
    disabled = bucket(sandbox_aws, "lc-disabled")
    lifecycle(sandbox_aws, disabled, "Disabled")
    findings = {f.resource_id: f for f in fails(sandbox_aws.run())}
    assert set(findings) == {none, disabled}
    assert all(f.est_monthly_usd is None for f in findings.values())
    assert "no lifecycle configuration" in findings[none].message
    assert findings[disabled].evidence == {"rules": 1, "enabled_rules": []}
