from tests.harness.aws import SandboxAws, fails

ACCOUNT = "123456789012"


def trail(sandbox_aws: SandboxAws, name: str, multi: bool, logging: bool, region: str | None = None) -> str:
    region = region or sandbox_aws.region
    s3 = sandbox_aws.client("s3")
    bucket = f"trail-logs-{name}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": sandbox_aws.region})
    ct = sandbox_aws.client("cloudtrail", region)
    ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi)
    if logging:
        ct.start_logging(Name=name)
    return name


def test_no_trail_fails_on_the_account(sandbox_aws: SandboxAws) -> None:
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region) for f in findings] == [(ACCOUNT, "global")]
    assert "no trails" in findings[0].message


def test_logging_multi_region_trail_passes(sandbox_aws: SandboxAws) -> None:
    trail(sandbox_aws, "local-only", multi=False, logging=True)
    trail(sandbox_aws, "org-audit", multi=True, logging=True, region="eu-west-1")  # a shadow trail here
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [(f.resource_id, f.status.value) for f in findings] == [(ACCOUNT, "PASS")]
    assert findings[0].evidence["home_region"] == "eu-west-1"


def test_single_region_trail_fails(sandbox_aws: SandboxAws) -> None:
    trail(sandbox_aws, "local-only", multi=False, logging=True, region="us-east-1")
    findings = fails(sandbox_aws.run(regions=["us-east-1"]))
    assert [(f.resource_id, f.region) for f in findings] == [(ACCOUNT, "global")]
    assert findings[0].evidence["trails"] == {
        f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/local-only": "single-Region"}


def test_stopped_multi_region_trail_fails(sandbox_aws: SandboxAws) -> None:
    trail(sandbox_aws, "stopped-global", multi=True, logging=False)
    findings = fails(sandbox_aws.run())
    assert [(f.resource_id, f.region) for f in findings] == [(ACCOUNT, "global")]
    assert list(findings[0].evidence["trails"].values()) == ["multi-Region, not logging"]
