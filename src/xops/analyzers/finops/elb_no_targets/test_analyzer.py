from typing import Any

from tests.harness.aws import SandboxAws, failed_ids, fails


def network(sandbox_aws: SandboxAws) -> tuple[str, list[str]]:
    subnets = sandbox_aws.client("ec2").describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    return subnets[0]["VpcId"], [s["SubnetId"] for s in subnets[:2]]


def create_lb(sandbox_aws: SandboxAws, name: str, kind: str = "application", targets: int | None = 1) -> str:
    """A load balancer; `targets` None: no listener/target group, else a target group with that many IPs."""
    elb = sandbox_aws.client("elbv2")
    vpc, subnets = network(sandbox_aws)
    arn: str = elb.create_load_balancer(Name=name, Subnets=subnets, Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]
    if targets is not None:
        proto = "HTTP" if kind == "application" else "TCP"
        tg = elb.create_target_group(Name=f"tg-{name}", Protocol=proto, Port=80, VpcId=vpc,
                                     TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        elb.create_listener(LoadBalancerArn=arn, Protocol=proto, Port=80,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        if targets:
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": f"172.31.0.{10 + i}"} for i in range(targets)])
    return arn


def test_no_load_balancers_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_load_balancer_with_targets_passes(sandbox_aws: SandboxAws) -> None:
    create_lb(sandbox_aws, "alb-busy", targets=2)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["alb-busy"]


def test_empty_load_balancers_fail_with_dollars(sandbox_aws: SandboxAws) -> None:
    create_lb(sandbox_aws, "alb-busy", targets=1)
    create_lb(sandbox_aws, "alb-empty-tg", targets=0)
    create_lb(sandbox_aws, "nlb-no-listener", kind="network", targets=None)
    findings = fails(sandbox_aws.run())
    assert {f.resource_id for f in findings} == {"alb-empty-tg", "nlb-no-listener"}
    by_id: dict[str, Any] = {f.resource_id: f for f in findings}
    # $0.0252/h (application and network, ap-southeast-2) × 730 h
    assert by_id["alb-empty-tg"].est_monthly_usd == 18.4
    assert by_id["nlb-no-listener"].est_monthly_usd == 18.4
    assert "730 h" in by_id["alb-empty-tg"].evidence["arithmetic"]
    assert "$18.40" in by_id["alb-empty-tg"].evidence["arithmetic"]
    assert len(by_id["alb-empty-tg"].evidence["target_groups"]) == 1
    assert by_id["nlb-no-listener"].evidence["type"] == "network"


def test_target_group_of_another_lb_does_not_count(sandbox_aws: SandboxAws) -> None:
    create_lb(sandbox_aws, "alb-busy", targets=3)
    create_lb(sandbox_aws, "alb-idle", targets=None)
    assert failed_ids(sandbox_aws.run()) == {"alb-idle"}
