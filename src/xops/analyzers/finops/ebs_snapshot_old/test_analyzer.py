from tests.harness.aws import SandboxAws, failed_ids, fails

from xops.sandbox.aging import age_snapshot

ACCOUNT = "123456789012"


def _snapshot(sandbox_aws: SandboxAws, size: int, days: float) -> str:
    ec2 = sandbox_aws.client("ec2")
    vol = ec2.create_volume(Size=size, AvailabilityZone=f"{sandbox_aws.region}a", VolumeType="gp3")
    sid = ec2.create_snapshot(VolumeId=vol["VolumeId"])["SnapshotId"]
    ec2.delete_volume(VolumeId=vol["VolumeId"])
    age_snapshot(ACCOUNT, sandbox_aws.region, sid, days)
    return str(sid)


def test_no_snapshots_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_recent_snapshot_is_compliant(sandbox_aws: SandboxAws) -> None:
    sid = _snapshot(sandbox_aws, 50, 30)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert sid in {f.resource_id for f in findings}


def test_old_snapshot_fails_with_upper_bound_dollars(sandbox_aws: SandboxAws) -> None:
    old = _snapshot(sandbox_aws, 100, 200)
    _snapshot(sandbox_aws, 100, 30)
    findings = fails(sandbox_aws.run())
    assert [f.resource_id for f in findings] == [old]
    assert findings[0].est_monthly_usd == 5.5  # 100 GiB × $0.055/GB-month (ap-southeast-2)
    assert findings[0].evidence["age_days"] == 200
    assert "upper bound" in findings[0].evidence["arithmetic"]


def test_max_age_param(sandbox_aws: SandboxAws) -> None:
    sid = _snapshot(sandbox_aws, 20, 120)
    assert failed_ids(sandbox_aws.run()) == {sid}
    assert failed_ids(sandbox_aws.run(params={"max_age_days": 150})) == set()
