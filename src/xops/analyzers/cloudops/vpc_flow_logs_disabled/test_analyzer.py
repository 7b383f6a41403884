from tests.harness.aws import SandboxAws, failed_ids, fails


def default_vpc(sandbox_aws: SandboxAws) -> str:
    vpcs = sandbox_aws.client("ec2").describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def flow_log(sandbox_aws: SandboxAws, vpc_id: str) -> str:
    logs = sandbox_aws.client("logs")
    logs.create_log_group(logGroupName=f"/vpc/{vpc_id}")
    logs.put_retention_policy(logGroupName=f"/vpc/{vpc_id}", retentionInDays=30)
    res = sandbox_aws.client("ec2").create_flow_logs(
        ResourceIds=[vpc_id], ResourceType="VPC", TrafficType="ALL", LogGroupName=f"/vpc/{vpc_id}",
        DeliverLogsPermissionArn=f"arn:aws:iam::{sandbox_aws.account_id}:role/flow-logs")
    return str(res["FlowLogIds"][0])


def test_default_vpc_without_flow_logs_fails(sandbox_aws: SandboxAws) -> None:
    vpc = default_vpc(sandbox_aws)
    findings = fails(sandbox_aws.run())
    assert [f.resource_id for f in findings] == [vpc]
    assert findings[0].evidence["is_default"] is True and "default VPC" in findings[0].message


def test_vpc_with_flow_log_passes(sandbox_aws: SandboxAws) -> None:
    vpc = default_vpc(sandbox_aws)
    fl = flow_log(sandbox_aws, vpc)
    findings = sandbox_aws.run()
    assert fails(findings) == []
    passed = [f for f in findings if f.status == "PASS"]
    assert [f.resource_id for f in passed] == [vpc]
    assert passed[0].evidence["flow_logs"][0]["flow_log_id"] == fl


def test_only_vpcs_without_flow_logs_fail_and_default_param(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    logged = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    bare = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    flow_log(sandbox_aws, logged)
    assert failed_ids(sandbox_aws.run()) == {bare, default_vpc(sandbox_aws)}
    assert failed_ids(sandbox_aws.run(params={"include_default_vpcs": False})) == {bare}
