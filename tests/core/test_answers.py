"""The sandbox answers what moto lacks: a planted answer reaches the real boto3 client over HTTP in each
protocol family (RPC-v2 CBOR, JSON, REST-JSON, query XML, EC2 XML), per account and region; other calls
still reach moto; moto's reset clears the answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from tests.harness.aws import SandboxAws
from xops.sandbox.answers import ANSWERS

WHEN = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def test_cbor_compute_optimizer(sandbox_aws: SandboxAws) -> None:
    arn = f"arn:aws:ec2:ap-southeast-2:{sandbox_aws.account_id}:instance/i-0123456789abcdef0"
    ANSWERS.plant("compute-optimizer", "get_ec2_instance_recommendations", {"instanceRecommendations": [
        {"instanceArn": arn, "finding": "OVERPROVISIONED", "currentInstanceType": "m5.2xlarge",
         "lastRefreshTimestamp": WHEN,
         "recommendationOptions": [{"instanceType": "m5.large", "rank": 1,
                                    "savingsOpportunity": {"estimatedMonthlySavings": {"currency": "USD", "value": 210.5}}}]}]},
        account=sandbox_aws.account_id, region="ap-southeast-2")
    got = sandbox_aws.client("compute-optimizer").get_ec2_instance_recommendations()["instanceRecommendations"]
    assert got[0]["instanceArn"] == arn and got[0]["finding"] == "OVERPROVISIONED"
    assert got[0]["lastRefreshTimestamp"] == WHEN
    assert got[0]["recommendationOptions"][0]["savingsOpportunity"]["estimatedMonthlySavings"]["value"] == 210.5
    # another region has nothing planted: moto's own answer (compute-optimizer is not mocked: an error)
    with pytest.raises(ClientError):
        sandbox_aws.client("compute-optimizer", region="us-east-1").get_ec2_instance_recommendations()


def test_json_cost_explorer_and_a_function_of_the_request(sandbox_aws: SandboxAws) -> None:
    ANSWERS.plant("ce", "get_savings_plans_utilization", lambda params: {"Total": {"Utilization": {
        "UtilizationPercentage": "87.5", "TotalCommitment": params["TimePeriod"]["Start"]}}})
    got = sandbox_aws.client("ce", region="us-east-1").get_savings_plans_utilization(
        TimePeriod={"Start": "2026-11-01", "End": "2026-12-01"})
    assert got["Total"]["Utilization"] == {"UtilizationPercentage": "87.5", "TotalCommitment": "2026-11-01"}
    # get_cost_and_usage is still moto's (nothing planted for it)
    moto = sandbox_aws.client("ce", region="us-east-1").get_cost_and_usage(
        TimePeriod={"Start": "2026-11-01", "End": "2026-12-01"}, Granularity="MONTHLY", Metrics=["UnblendedCost"])
    assert "ResultsByTime" in moto


def test_rest_json_savings_plans(sandbox_aws: SandboxAws) -> None:
    ANSWERS.plant("savingsplans", "describe_savings_plans", {"savingsPlans": [
        {"savingsPlanId": "sp-1", "state": "active", "end": "2027-01-15T00:00:00.000Z", "commitment": "2.5"}]})
    got = sandbox_aws.client("savingsplans", region="us-east-1").describe_savings_plans()["savingsPlans"]
    assert got == [{"savingsPlanId": "sp-1", "state": "active", "end": "2027-01-15T00:00:00.000Z", "commitment": "2.5"}]


def test_query_xml_rds_and_ec2_xml(sandbox_aws: SandboxAws) -> None:
    ANSWERS.plant("rds", "describe_reserved_db_instances", {"ReservedDBInstances": [
        {"ReservedDBInstanceId": "ri-db-1", "DBInstanceClass": "db.r5.large", "StartTime": WHEN, "Duration": 31536000,
         "MultiAZ": True, "State": "active"}]})
    got = sandbox_aws.client("rds").describe_reserved_db_instances()["ReservedDBInstances"]
    assert got == [{"ReservedDBInstanceId": "ri-db-1", "DBInstanceClass": "db.r5.large", "StartTime": WHEN,
                    "Duration": 31536000, "MultiAZ": True, "State": "active"}]
    ANSWERS.plant("ec2", "describe_fast_snapshot_restores", {"FastSnapshotRestores": [
        {"SnapshotId": "snap-1", "AvailabilityZone": "ap-southeast-2a", "State": "enabled"}]})
    ec2 = sandbox_aws.client("ec2")
    assert ec2.describe_fast_snapshot_restores()["FastSnapshotRestores"] == [
        {"SnapshotId": "snap-1", "AvailabilityZone": "ap-southeast-2a", "State": "enabled"}]
    assert ec2.describe_volumes()["Volumes"] == []  # the rest of EC2 is still moto


def test_answers_are_per_account(sandbox_aws: SandboxAws) -> None:
    org = sandbox_aws.client("organizations", region="us-east-1")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="m@example.com", AccountName="m")["CreateAccountStatus"]["AccountId"]
    ANSWERS.plant("savingsplans", "describe_savings_plans", {"savingsPlans": [{"savingsPlanId": "mgmt"}]},
                  account=sandbox_aws.account_id)
    ANSWERS.plant("savingsplans", "describe_savings_plans", {"savingsPlans": [{"savingsPlanId": "member"}]},
                  account=member)
    import boto3

    creds = sandbox_aws.client("sts").assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                                                   RoleSessionName="answers")["Credentials"]
    theirs = boto3.client("savingsplans", region_name="us-east-1", endpoint_url=sandbox_aws.server.endpoint,
                          aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"])
    assert theirs.describe_savings_plans()["savingsPlans"][0]["savingsPlanId"] == "member"
    ours = sandbox_aws.client("savingsplans", region="us-east-1")
    assert ours.describe_savings_plans()["savingsPlans"][0]["savingsPlanId"] == "mgmt"


def test_reset_clears_the_answers(sandbox_aws: SandboxAws) -> None:
    ANSWERS.plant("savingsplans", "describe_savings_plans", {"savingsPlans": []})
    assert ANSWERS.service_of("savingsplans") == "savingsplans"
    sandbox_aws.server.reset()
    assert ANSWERS.service_of("savingsplans") is None


def test_an_unknown_operation_is_refused_when_planted() -> None:
    with pytest.raises(ValueError, match="savingsplans has no operation 'describe_nothing'"):
        ANSWERS.plant("savingsplans", "describe_nothing", {})


def test_cbor_answers_parse_with_botocores_cbor_parser() -> None:
    """botocore sends Compute Optimizer and Health as JSON today; when it picks RPC-v2 CBOR, the answer
    is CBOR (round trip through botocore's own parser)."""
    from botocore.parsers import create_parser

    from xops.resources.ops import _session
    from xops.sandbox.answers import serialize

    op = _session().get_service_model("compute-optimizer").operation_model("GetEC2InstanceRecommendations")
    answer = {"instanceRecommendations": [{"instanceArn": "arn:x", "finding": "OPTIMIZED", "lastRefreshTimestamp": WHEN}]}
    body, headers = serialize(op, answer, "smithy-rpc-v2-cbor")
    parsed = create_parser("smithy-rpc-v2-cbor").parse(
        {"status_code": 200, "headers": dict(headers), "body": body}, op.output_shape)
    assert parsed["instanceRecommendations"] == answer["instanceRecommendations"]
