from tests.harness.aws import SandboxAws, fails


def test_no_volumes_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_encrypted_volume_passes(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    vol = ec2.create_volume(Size=10, AvailabilityZone=f"{sandbox_aws.region}a", Encrypted=True)["VolumeId"]
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings if f.status == "PASS"] == [vol]


def test_unencrypted_volumes_fail(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    az = f"{sandbox_aws.region}a"
    inst = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, Placement={"AvailabilityZone": az},
                             BlockDeviceMappings=[{"DeviceName": "/dev/sda1",
                                                   "Ebs": {"VolumeSize": 8, "Encrypted": True}}])
    iid = inst["Instances"][0]["InstanceId"]
    data = ec2.create_volume(Size=50, AvailabilityZone=az, VolumeType="gp3", Encrypted=False)["VolumeId"]
    ec2.attach_volume(VolumeId=data, InstanceId=iid, Device="/dev/sdf")
    loose = ec2.create_volume(Size=5, AvailabilityZone=az, Encrypted=False)["VolumeId"]
    findings = fails(sandbox_aws.run())
    assert {f.resource_id for f in findings} == {data, loose}
    attached = next(f for f in findings if f.resource_id == data)
    assert attached.evidence["attached_to"] == [iid] and attached.evidence["size_gib"] == 50
    assert iid in attached.message
    assert attached.est_monthly_usd is None
