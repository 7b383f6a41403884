from tests.harness.aws import SandboxAws, fails

ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def bucket(sandbox_aws: SandboxAws, name: str) -> str:
    sandbox_aws.client("s3").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": sandbox_aws.region})
    return name


def test_no_buckets_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_full_block_passes(sandbox_aws: SandboxAws) -> None:
    name = bucket(sandbox_aws, "pab-full")
    sandbox_aws.client("s3").put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=ALL_ON)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == [name]


def test_missing_and_partial_blocks_fail(sandbox_aws: SandboxAws) -> None:
    none = bucket(sandbox_aws, "pab-none")
    partial = bucket(sandbox_aws, "pab-partial")
    full = bucket(sandbox_aws, "pab-ok")
    s3 = sandbox_aws.client("s3")
    s3.put_public_access_block(Bucket=partial, PublicAccessBlockConfiguration={**ALL_ON, "BlockPublicPolicy": False})
    s3.put_public_access_block(Bucket=full, PublicAccessBlockConfiguration=ALL_ON)
    findings = {f.resource_id: f for f in fails(sandbox_aws.run())}
    assert set(findings) == {none, partial}
    assert findings[partial].evidence["BlockPublicPolicy"] is False
    assert "BlockPublicPolicy off" in findings[partial].message
    assert findings[none].evidence == {"public_access_block": "none"}
    assert findings[none].region == sandbox_aws.region
