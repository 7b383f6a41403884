from tests.harness.aws import SandboxAws, fails


def test_no_addresses_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_associated_address_is_compliant(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=inst["InstanceId"])
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert eip["AllocationId"] in {f.resource_id for f in findings}


def test_unassociated_address_fails_with_dollars(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    used = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=used["AllocationId"], InstanceId=inst["InstanceId"])
    idle = ec2.allocate_address(Domain="vpc")
    findings = fails(sandbox_aws.run())
    assert [f.resource_id for f in findings] == [idle["AllocationId"]]
    assert findings[0].est_monthly_usd == 3.65  # $0.005/h × 730 h (ap-southeast-2)
    assert findings[0].evidence["public_ip"] == idle["PublicIp"]
    assert "$3.65" in findings[0].evidence["arithmetic"]
