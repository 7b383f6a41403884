from tests.harness.aws import SandboxAws, failed_ids, fails


def create_lb(sandbox_aws: SandboxAws, name: str, kind: str = "application", logs: bool = False) -> str:
    elb = sandbox_aws.client("elbv2")
    subnets = sandbox_aws.client("ec2").describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    arn: str = elb.create_load_balancer(Name=name, Subnets=[s["SubnetId"] for s in subnets[:2]],
                                        Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]
    if logs:
        elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "elb-logs"}])
    return arn


def test_no_load_balancers_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_logging_load_balancer_passes(sandbox_aws: SandboxAws) -> None:
    create_lb(sandbox_aws, "alb-logged", logs=True)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["alb-logged"]
    assert findings[0].evidence["bucket"] == "elb-logs"


def test_load_balancers_without_logs_fail(sandbox_aws: SandboxAws) -> None:
    create_lb(sandbox_aws, "alb-logged", logs=True)
    arn = create_lb(sandbox_aws, "alb-silent")
    create_lb(sandbox_aws, "nlb-silent", kind="network")
    findings = sandbox_aws.run()
    assert failed_ids(findings) == {"alb-silent", "nlb-silent"}
    alb = next(f for f in fails(findings) if f.resource_id == "alb-silent")
    assert alb.resource_arn == arn and alb.evidence["access_logs.s3.enabled"] == "false"
