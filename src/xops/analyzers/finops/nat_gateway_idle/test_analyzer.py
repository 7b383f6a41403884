from datetime import UTC, datetime, timedelta

from tests.harness.aws import SandboxAws, failed_ids, fails


def _nat(sandbox_aws: SandboxAws, daily_bytes: float | None) -> str:
    ec2 = sandbox_aws.client("ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nid = str(ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"])
    if daily_bytes is not None:
        now = datetime.now(UTC)
        sandbox_aws.client("cloudwatch").put_metric_data(Namespace="AWS/NATGateway", MetricData=[
            {"MetricName": "BytesOutToDestination", "Dimensions": [{"Name": "NatGatewayId", "Value": nid}],
             "Timestamp": now - timedelta(days=d, hours=2), "Value": daily_bytes, "Unit": "Bytes"}
            for d in range(14)])
    return nid


def test_no_nat_gateways_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_busy_and_unmeasured_gateways_are_compliant(sandbox_aws: SandboxAws) -> None:
    busy, unmeasured = _nat(sandbox_aws, 5e8), _nat(sandbox_aws, None)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert {busy, unmeasured} <= {f.resource_id for f in findings}


def test_idle_gateway_fails_with_dollars(sandbox_aws: SandboxAws) -> None:
    idle = _nat(sandbox_aws, 1000)
    _nat(sandbox_aws, 5e8)
    findings = fails(sandbox_aws.run())
    assert [f.resource_id for f in findings] == [idle]
    assert findings[0].est_monthly_usd == 43.07  # $0.059/h × 730 (ap-southeast-2)
    assert findings[0].evidence["bytes_out_to_destination"] == 14000


def test_max_bytes_param(sandbox_aws: SandboxAws) -> None:
    idle = _nat(sandbox_aws, 1000)
    assert failed_ids(sandbox_aws.run()) == {idle}
    assert failed_ids(sandbox_aws.run(params={"max_bytes": 10_000})) == set()
