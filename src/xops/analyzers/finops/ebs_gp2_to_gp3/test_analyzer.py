from tests.harness.aws import SandboxAws, fails


def test_no_volumes_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_gp3_volume_is_compliant(sandbox_aws: SandboxAws) -> None:
    vol = sandbox_aws.client("ec2").create_volume(Size=100, AvailabilityZone=f"{sandbox_aws.region}a",
                                                  VolumeType="gp3")
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert vol["VolumeId"] in {f.resource_id for f in findings}


def test_gp2_volumes_fail_attached_or_not(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    loose = ec2.create_volume(Size=100, AvailabilityZone=f"{sandbox_aws.region}a", VolumeType="gp2")
    ec2.create_volume(Size=100, AvailabilityZone=f"{sandbox_aws.region}a", VolumeType="io1", Iops=1000)
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                             BlockDeviceMappings=[{"DeviceName": "/dev/xvda",
                                                   "Ebs": {"VolumeSize": 50, "VolumeType": "gp2"}}])["Instances"][0]
    root = inst["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    findings = {f.resource_id: f for f in fails(sandbox_aws.run())}
    assert set(findings) == {loose["VolumeId"], root}
    assert findings[loose["VolumeId"]].est_monthly_usd == 2.4  # 100 GiB × ($0.12 − $0.096)
    assert findings[root].est_monthly_usd == 1.2  # 50 GiB × $0.024
    assert findings[root].evidence["attached_to"] == [inst["InstanceId"]]
