from tests.harness.aws import SandboxAws, fails


def test_default_groups_only_no_fail(sandbox_aws: SandboxAws) -> None:
    sandbox_aws.client("ec2").create_vpc(CidrBlock="10.1.0.0/16")  # brings its own default group
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert findings == []  # default groups are not examined


def test_attached_groups_pass_unattached_fail(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    sg = {n: ec2.create_security_group(GroupName=n, Description=n)["GroupId"] for n in ("eni", "inst", "idle")}
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[sg["eni"]])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SecurityGroupIds=[sg["inst"]])
    findings = sandbox_aws.run()
    failed = fails(findings)
    assert [f.resource_id for f in failed] == [sg["idle"]]
    assert failed[0].evidence["attachments"] == 0
    passed = {f.resource_id: f for f in findings if f.status == "PASS"}
    assert set(passed) == {sg["eni"], sg["inst"]}
    assert passed[sg["eni"]].evidence["network_interfaces"] == [eni]
