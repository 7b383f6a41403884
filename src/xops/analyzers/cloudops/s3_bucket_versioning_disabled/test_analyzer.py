from tests.harness.aws import SandboxAws, fails


def bucket(sandbox_aws: SandboxAws, name: str) -> str:
    sandbox_aws.client("s3").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": sandbox_aws.region})
    return name


def test_no_buckets_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_versioned_bucket_passes(sandbox_aws: SandboxAws) -> None:
    name = bucket(sandbox_aws, "ver-on")
    sandbox_aws.client("s3").put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [(f.resource_id, f.status.value) for f in findings] == [(name, "PASS")]


def test_never_enabled_and_suspended_fail(sandbox_aws: SandboxAws) -> None:
    never = bucket(sandbox_aws, "ver-never")
    suspended = bucket(sandbox_aws, "ver-suspended")
    s3 = sandbox_aws.client("s3")
    s3.put_bucket_versioning(Bucket=suspended, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket=suspended, VersioningConfiguration={"Status": "Suspended"})
    findings = {f.resource_id: f for f in fails(sandbox_aws.run())}
    assert set(findings) == {never, suspended}
    assert findings[never].evidence["versioning"] == "never enabled"
    assert findings[suspended].evidence["versioning"] == "Suspended"
    assert findings[suspended].region == sandbox_aws.region
