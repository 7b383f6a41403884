from tests.harness.aws import SandboxAws, failed_ids, fails


def bucket(sandbox_aws: SandboxAws, name: str, region: str | None = None) -> str:
    region = region or sandbox_aws.region
    conf = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    sandbox_aws.client("s3", region).create_bucket(Bucket=name, **conf)
    return name


def test_no_buckets_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_encrypted_bucket_passes(sandbox_aws: SandboxAws) -> None:
    name = bucket(sandbox_aws, "enc-ok")
    sandbox_aws.client("s3").put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/x"}}]})
    findings = sandbox_aws.run()
    assert fails(findings) == []
    ok = next(f for f in findings if f.resource_id == name)
    assert ok.region == sandbox_aws.region and ok.evidence["sse_algorithm"] == "aws:kms"


def test_unencrypted_bucket_fails_with_its_region(sandbox_aws: SandboxAws) -> None:
    name = bucket(sandbox_aws, "enc-missing")
    bucket(sandbox_aws, "enc-elsewhere", "eu-west-1")  # not in the scanned regions
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region, f.account_id) for f in findings] == [(name, sandbox_aws.region, "123456789012")]
    assert findings[0].resource_arn == f"arn:aws:s3:::{name}"
    both = fails(sandbox_aws.run(regions=[sandbox_aws.region, "eu-west-1", "us-east-1"]))
    assert {(f.resource_id, f.region) for f in both} == {(name, sandbox_aws.region), ("enc-elsewhere", "eu-west-1")}


def test_us_east_1_bucket_location_none(sandbox_aws: SandboxAws) -> None:
    name = bucket(sandbox_aws, "enc-virginia", "us-east-1")
    assert failed_ids(sandbox_aws.run()) == set()
    findings = fails(sandbox_aws.run(regions=["us-east-1"]))
    assert [(f.resource_id, f.region) for f in findings] == [(name, "us-east-1")]
