from tests.harness.aws import SandboxAws, failed_ids, fails


def test_no_volumes_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_attached_volume_is_compliant(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"][0]
    vol = ec2.create_volume(Size=10, AvailabilityZone=f"{sandbox_aws.region}a", VolumeType="gp3")
    ec2.attach_volume(VolumeId=vol["VolumeId"], InstanceId=inst["InstanceId"], Device="/dev/sdf")
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert vol["VolumeId"] in {f.resource_id for f in findings}  # it was looked at and passed


def test_available_volume_fails_with_dollars(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    vol = ec2.create_volume(Size=100, AvailabilityZone=f"{sandbox_aws.region}a", VolumeType="gp3")
    small = ec2.create_volume(Size=5, AvailabilityZone=f"{sandbox_aws.region}a", VolumeType="gp2")
    findings = fails(sandbox_aws.run())
    assert {f.resource_id for f in findings} == {vol["VolumeId"], small["VolumeId"]}
    big = next(f for f in findings if f.resource_id == vol["VolumeId"])
    assert big.est_monthly_usd == 9.6  # 100 GiB × $0.096 (gp3, ap-southeast-2)
    assert "100 GiB" in big.evidence["arithmetic"] and "$9.60" in big.evidence["arithmetic"]
    assert failed_ids(sandbox_aws.run(params={"min_size_gb": 10})) == {vol["VolumeId"]}
