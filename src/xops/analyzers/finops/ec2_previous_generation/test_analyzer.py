from tests.harness.aws import SandboxAws, fails

from xops.analyzers.finops.ec2_previous_generation.analyzer import successor


def _run(sandbox_aws: SandboxAws, itype: str) -> str:
    inst = sandbox_aws.client("ec2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                                   InstanceType=itype)
    return str(inst["Instances"][0]["InstanceId"])


def test_no_instances_no_fail(sandbox_aws: SandboxAws) -> None:
    assert fails(sandbox_aws.run()) == []


def test_current_generation_is_compliant(sandbox_aws: SandboxAws) -> None:
    iid = _run(sandbox_aws, "m5.large")
    findings = sandbox_aws.run()
    assert fails(findings) == []
    assert iid in {f.resource_id for f in findings}


def test_previous_generation_fails_with_savings(sandbox_aws: SandboxAws) -> None:
    _run(sandbox_aws, "t3.micro")
    t2, m4, c3 = _run(sandbox_aws, "t2.micro"), _run(sandbox_aws, "m4.large"), _run(sandbox_aws, "c3.large")
    sandbox_aws.client("ec2").stop_instances(InstanceIds=[m4])  # stopped ones are flagged too
    findings = {f.resource_id: f for f in fails(sandbox_aws.run())}
    assert set(findings) == {t2, m4, c3}
    assert findings[t2].est_monthly_usd == 1.02  # ($0.0146 − $0.0132) × 730
    assert findings[t2].evidence["successor"] == "t3.micro"
    assert findings[m4].est_monthly_usd == 3.65  # ($0.125 − $0.12) × 730
    assert findings[c3].est_monthly_usd is None  # c3/c5 prices not in the table
    assert findings[c3].evidence["successor"] == "c5.large"


def test_successor_mapping() -> None:
    assert successor("r4.xlarge") == "r5.xlarge"
    assert successor("m3.medium") == "m5.large"
    assert successor("t2.nano") == "t3.nano"
    assert successor("m6i.large") is None and successor("t3.micro") is None
