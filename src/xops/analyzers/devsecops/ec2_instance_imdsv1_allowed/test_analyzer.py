from tests.harness.aws import SandboxAws, failed_ids, fails


def launch(sandbox_aws: SandboxAws, tokens: str, endpoint: str = "enabled") -> str:
    ec2 = sandbox_aws.client("ec2")
    res = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                            MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": endpoint})
    return str(res["Instances"][0]["InstanceId"])


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_imdsv2_required_passes(sandbox_aws: SandboxAws) -> None:
    iid = launch(sandbox_aws, "required")
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings if f.status == "PASS"] == [iid]


def test_optional_tokens_fail_unless_endpoint_disabled(sandbox_aws: SandboxAws) -> None:
    v1 = launch(sandbox_aws, "optional")
    launch(sandbox_aws, "optional", endpoint="disabled")
    launch(sandbox_aws, "required")
    findings = fails(sandbox_aws.run())
    assert [f.resource_id for f in findings] == [v1]
    assert findings[0].evidence["http_tokens"] == "optional"


def test_terminated_instances_are_skipped(sandbox_aws: SandboxAws) -> None:
    v1 = launch(sandbox_aws, "optional")
    gone = launch(sandbox_aws, "optional")
    sandbox_aws.client("ec2").terminate_instances(InstanceIds=[gone])
    assert failed_ids(sandbox_aws.run()) == {v1}
