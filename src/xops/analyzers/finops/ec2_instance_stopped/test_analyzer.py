from tests.harness.aws import SandboxAws, failed_ids, fails

from xops.analyzers.finops.ec2_instance_stopped.analyzer import stopped_since
from xops.sandbox.aging import stop_instance_since

ACCOUNT = "123456789012"


def _instance(sandbox_aws: SandboxAws, root_gb: int = 30) -> str:
    ec2 = sandbox_aws.client("ec2")
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                             BlockDeviceMappings=[{"DeviceName": "/dev/xvda",
                                                   "Ebs": {"VolumeSize": root_gb, "VolumeType": "gp3"}}])
    return str(inst["Instances"][0]["InstanceId"])


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_running_instance_is_compliant(sandbox_aws: SandboxAws) -> None:
    iid = _instance(sandbox_aws)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert iid in {f.resource_id for f in findings}


def test_stopped_instance_fails_with_its_volumes_cost(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    _instance(sandbox_aws)  # running: not flagged
    iid = _instance(sandbox_aws, root_gb=30)
    data = ec2.create_volume(Size=100, AvailabilityZone=f"{sandbox_aws.region}a", VolumeType="st1")
    ec2.attach_volume(VolumeId=data["VolumeId"], InstanceId=iid, Device="/dev/sdf")
    ec2.stop_instances(InstanceIds=[iid])
    stop_instance_since(ACCOUNT, sandbox_aws.region, iid, 10)
    findings = fails(sandbox_aws.run())
    assert [f.resource_id for f in findings] == [iid]
    assert findings[0].est_monthly_usd == 8.28  # 30 GiB × $0.096 (gp3) + 100 GiB × $0.054 (st1)
    assert findings[0].evidence["stopped_days"] == 10
    assert {v["volume_id"] for v in findings[0].evidence["volumes"]} >= {data["VolumeId"]}


def test_min_stopped_days_param(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    iid = _instance(sandbox_aws)
    ec2.stop_instances(InstanceIds=[iid])
    stop_instance_since(ACCOUNT, sandbox_aws.region, iid, 10)
    assert failed_ids(sandbox_aws.run(params={"min_stopped_days": 30})) == set()
    assert failed_ids(sandbox_aws.run(params={"min_stopped_days": 5})) == {iid}


def test_stopped_since_parses_aws_and_moto_reasons() -> None:
    assert stopped_since("User initiated (2024-05-01 10:20:30 GMT)").isoformat() == "2024-05-01T10:20:30+00:00"
    assert stopped_since("User initiated (2024-05-01 10:20:30 UTC)").day == 1
    assert stopped_since("") is None
