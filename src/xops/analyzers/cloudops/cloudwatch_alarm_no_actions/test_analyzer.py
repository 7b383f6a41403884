from tests.harness.aws import SandboxAws, failed_ids, fails

TOPIC = "arn:aws:sns:ap-southeast-2:123456789012:ops-alerts"


def put_alarm(sandbox_aws: SandboxAws, name: str, actions: list[str], enabled: bool = True) -> None:
    sandbox_aws.client("cloudwatch").put_metric_alarm(
        AlarmName=name, Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average", Period=300,
        EvaluationPeriods=2, Threshold=90.0, ComparisonOperator="GreaterThanThreshold", AlarmActions=actions,
        ActionsEnabled=enabled)


def test_no_alarms_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run() == []


def test_alarm_with_actions_passes(sandbox_aws: SandboxAws) -> None:
    put_alarm(sandbox_aws, "cpu-high", [TOPIC])
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert [f.resource_id for f in findings] == ["cpu-high"]


def test_silent_alarms_fail(sandbox_aws: SandboxAws) -> None:
    put_alarm(sandbox_aws, "cpu-high", [TOPIC])
    put_alarm(sandbox_aws, "no-actions", [])
    put_alarm(sandbox_aws, "disabled", [TOPIC], enabled=False)
    findings = sandbox_aws.run()
    assert failed_ids(findings) == {"no-actions", "disabled"}
    disabled = next(f for f in fails(findings) if f.resource_id == "disabled")
    assert "disabled" in disabled.message and disabled.evidence["alarm_actions"] == [TOPIC]
    assert disabled.resource_arn == "arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:disabled"
