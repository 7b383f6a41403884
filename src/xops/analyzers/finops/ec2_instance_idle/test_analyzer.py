from datetime import UTC, datetime, timedelta

from tests.harness.aws import SandboxAws, failed_ids, fails


def _instance(sandbox_aws: SandboxAws, cpu: list[float] | None, itype: str = "t3.micro") -> str:
    inst = sandbox_aws.client("ec2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                                   InstanceType=itype)["Instances"][0]
    iid = str(inst["InstanceId"])
    if cpu:
        now = datetime.now(UTC)
        sandbox_aws.client("cloudwatch").put_metric_data(Namespace="AWS/EC2", MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": iid}],
             "Timestamp": now - timedelta(days=d, hours=2), "Value": v, "Unit": "Percent"}
            for d, v in enumerate(cpu)])
    return iid


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_busy_and_unmeasured_instances_are_compliant(sandbox_aws: SandboxAws) -> None:
    busy = _instance(sandbox_aws, [1.0] * 13 + [40.0])  # one busy day is enough
    unmeasured = _instance(sandbox_aws, None)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert {busy, unmeasured} <= {f.resource_id for f in findings}


def test_idle_instance_fails_with_dollars(sandbox_aws: SandboxAws) -> None:
    idle = _instance(sandbox_aws, [1.5] * 14, "m5.large")
    _instance(sandbox_aws, [60.0] * 14)
    findings = fails(sandbox_aws.run())
    assert [f.resource_id for f in findings] == [idle]
    assert findings[0].est_monthly_usd == 87.6  # m5.large $0.12/h × 730 (ap-southeast-2)
    assert findings[0].evidence["days_with_data"] == 14
    assert findings[0].evidence["max_daily_avg_cpu_pct"] == 1.5


def test_params_threshold_and_min_days(sandbox_aws: SandboxAws) -> None:
    idle = _instance(sandbox_aws, [2.0] * 14)
    short = _instance(sandbox_aws, [0.5] * 3)
    assert failed_ids(sandbox_aws.run()) == {idle}
    assert failed_ids(sandbox_aws.run(params={"cpu_threshold_pct": 1.0})) == set()
    assert failed_ids(sandbox_aws.run(params={"min_days": 3})) == {idle, short}
