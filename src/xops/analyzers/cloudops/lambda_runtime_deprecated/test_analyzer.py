import io
import json
import zipfile
from datetime import UTC, datetime

from tests.harness.aws import SandboxAws, failed_ids, fails

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def create_functions(sandbox_aws: SandboxAws, runtimes: dict[str, str]) -> None:
    role = sandbox_aws.client("iam").create_role(RoleName="fn-exec", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    lam = sandbox_aws.client("lambda")
    for name, runtime in runtimes.items():
        lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="index.handler",
                            Code={"ZipFile": buf.getvalue()})


def test_no_functions_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run(now=NOW) == []


def test_current_runtimes_pass(sandbox_aws: SandboxAws) -> None:
    create_functions(sandbox_aws, {"fresh": "python3.13", "java": "java21"})
    findings = sandbox_aws.run(now=NOW)
    assert fails(findings) == []
    assert {f.resource_id for f in findings} == {"fresh", "java"}


def test_deprecated_runtimes_fail(sandbox_aws: SandboxAws) -> None:
    create_functions(sandbox_aws, {"old-py": "python3.8", "old-node": "nodejs16.x", "fresh": "python3.13"})
    findings = fails(sandbox_aws.run(now=NOW))
    assert {f.resource_id for f in findings} == {"old-py", "old-node"}
    py = next(f for f in findings if f.resource_id == "old-py")
    assert py.evidence["deprecation_date"] == "2024-10-14"
    assert py.evidence["days_until"] == -774  # 2024-10-14 -> 2026-11-27
    assert "was deprecated on 2024-10-14" in py.message


def test_deprecation_follows_the_clock_and_warn_days(sandbox_aws: SandboxAws) -> None:
    create_functions(sandbox_aws, {"py312": "python3.12"})  # deprecated 2028-10-31
    assert failed_ids(sandbox_aws.run(now=NOW)) == set()
    assert failed_ids(sandbox_aws.run(now=datetime(2028, 11, 1, tzinfo=UTC))) == {"py312"}
    soon = datetime(2028, 10, 1, tzinfo=UTC)
    assert failed_ids(sandbox_aws.run(now=soon)) == set()
    warned = fails(sandbox_aws.run(now=soon, params={"warn_days": 60}))
    assert [f.resource_id for f in warned] == ["py312"] and "in 30 days" in warned[0].message
