from tests.harness.aws import SandboxAws, failed_ids, fails

FULL = {"Owner": "team-a", "CostCentre": "CC-1", "Environment": "prod"}


def launch(sandbox_aws: SandboxAws, tags: dict[str, str]) -> str:
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []
    res = sandbox_aws.client("ec2").run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                                  TagSpecifications=spec)
    return str(res["Instances"][0]["InstanceId"])


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_fully_tagged_instance_passes(sandbox_aws: SandboxAws) -> None:
    iid = launch(sandbox_aws, {**FULL, "Name": "web"})
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings if f.status == "PASS"] == [iid]


def test_missing_or_blank_tags_fail(sandbox_aws: SandboxAws) -> None:
    launch(sandbox_aws, FULL)
    none = launch(sandbox_aws, {})
    no_owner = launch(sandbox_aws, {"CostCentre": "CC-1", "Environment": "dev"})
    blank = launch(sandbox_aws, {**FULL, "Environment": " "})
    lower = launch(sandbox_aws, {"Owner": "x", "Environment": "prod", "costcentre": "CC-1"})  # keys are case-sensitive
    findings = {f.resource_id: f for f in fails(sandbox_aws.run())}
    assert set(findings) == {none, no_owner, blank, lower}
    assert findings[none].evidence["missing"] == ["Owner", "CostCentre", "Environment"]
    assert findings[no_owner].evidence["missing"] == ["Owner"]
    assert findings[blank].evidence["missing"] == ["Environment"]
    assert findings[lower].evidence["missing"] == ["CostCentre"]


def test_required_tags_param(sandbox_aws: SandboxAws) -> None:
    no_owner = launch(sandbox_aws, {"CostCentre": "CC-1", "Environment": "dev"})
    no_env = launch(sandbox_aws, {"Owner": "a", "CostCentre": "CC-1"})
    assert failed_ids(sandbox_aws.run(params={"required_tags": ["Owner"]})) == {no_owner}
    assert failed_ids(sandbox_aws.run(params={"required_tags": ["Environment"]})) == {no_env}
