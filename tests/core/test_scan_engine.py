"""The scanner, the shared inventory and AwsContext, against the in-process moto server."""

import threading
from collections.abc import Iterator

import pytest
from botocore.stub import Stubber

from tests.harness.aws import SandboxAws
from xops.core.analyzer import Analyzer, Ctx, Fail, Verdict
from xops.core.aws import AwsContext, AwsSettings, Target
from xops.core.errors import CredentialsError, EndpointError, UsageError
from xops.core.models import AnalyzerMeta, AnalyzerParams, Remediation, Severity, Status
from xops.core.scan import ScanRequest, Step, plan, run_step, scan, validate_params
from xops.resources.ec2 import Volume
from xops.resources.ops import Op
from xops.sandbox.moto_server import free_port

ACCOUNT = "123456789012"
REGION = "ap-southeast-2"


def meta(id_: str) -> AnalyzerMeta:
    return AnalyzerMeta(id=id_, title="test analyzer", pillar="cloudops", severity=Severity.low,
                        resource_type="AWS::EC2::Volume", permissions=("ec2:DescribeVolumes",),
                        risk="a test analyzer only", remediation=Remediation(
                            summary="nothing to do here", cli="aws ec2 help", terraform="# none"))


class ReadsVolumes(Analyzer):
    meta = meta("cloudops.test_reads_volumes")
    reads, resource = (Volume,), Volume

    def evaluate(self, ctx: Ctx, params: AnalyzerParams) -> Iterator[Verdict]:
        for v in ctx.list(Volume):
            yield Fail("seen", resource=v)


ENROLLMENT = Op("compute-optimizer", "get_enrollment_status")


class Unsupported(Analyzer):
    meta = meta("cloudops.test_unsupported")
    reads = (ENROLLMENT,)

    def evaluate(self, ctx: Ctx, params: AnalyzerParams) -> Iterator[Verdict]:
        ctx.call(ENROLLMENT)  # moto: HTTP 500
        yield from ()


def context(**kw) -> AwsContext:
    return AwsContext(AwsSettings(regions=[REGION], max_workers=4, max_attempts=2, **kw))


def test_inventory_makes_one_call_per_key_for_concurrent_readers(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    ids = {ec2.create_volume(Size=1, AvailabilityZone=f"{REGION}a")["VolumeId"] for _ in range(3)}
    aws = context()
    at = Target(ACCOUNT, REGION)
    results: list[set[str]] = []
    threads = [threading.Thread(target=lambda: results.append(
        {v["VolumeId"] for v in aws.inventory.list(at, "ec2", "describe_volumes", "Volumes")})) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [ids] * 8
    assert [c.operation for c in aws.inventory.calls] == ["describe_volumes"]


def test_analyzers_share_the_inventory_in_a_scan(sandbox_aws: SandboxAws) -> None:
    sandbox_aws.client("ec2").create_volume(Size=1, AvailabilityZone=f"{REGION}a", VolumeType="gp2")
    aws = context()
    ids = ["finops.ebs_volume_unattached", "finops.ebs_gp2_to_gp3", "devsecops.ebs_volume_unencrypted"]
    result = scan(aws, ScanRequest(analyzer_ids=ids))
    assert {f.analyzer_id for f in result.findings if f.status == Status.FAIL} == set(ids)
    assert sum(c.operation == "describe_volumes" for c in aws.inventory.calls) == 1


def test_unsupported_api_gives_an_error_finding_and_the_scan_goes_on(sandbox_aws: SandboxAws) -> None:
    vol = sandbox_aws.client("ec2").create_volume(Size=1, AvailabilityZone=f"{REGION}a")["VolumeId"]
    aws = context()
    aws.check()
    steps = plan(aws, [Unsupported(), ReadsVolumes()], [ACCOUNT], [REGION])
    findings = [f for s in steps for f in run_step(aws, s, AnalyzerParams())]
    error = next(f for f in findings if f.status == Status.ERROR)
    assert error.analyzer_id == "cloudops.test_unsupported" and error.region == REGION
    assert "not supported by this endpoint" in error.message and error.evidence["unsupported"] == "true"
    assert [f.resource_id for f in findings if f.status == Status.FAIL] == [vol]


@pytest.mark.parametrize(("code", "status", "expected"), [
    ("Throttling", 400, "throttled"),
    ("AccessDenied", 403, "grant ec2:DescribeVolumes"),
    ("InternalError", 500, "InternalError"),
])
def test_aws_failures_become_clear_error_findings(sandbox_aws: SandboxAws, code: str, status: int,
                                                  expected: str) -> None:
    aws = context()
    at = Target(aws.caller_account, REGION)
    client = aws.client(at, "ec2")
    with Stubber(client) as stub:
        stub.add_client_error("describe_volumes", service_error_code=code, http_status_code=status)
        [finding] = run_step(aws, Step(ReadsVolumes(), at), AnalyzerParams())
    assert finding.status == Status.ERROR
    assert expected in finding.message and f"region {REGION}" in finding.message
    assert finding.evidence["operation"] == "DescribeVolumes"


def test_bad_parameters_name_the_field_and_the_rule() -> None:
    from xops.core import registry

    analyzer = registry.get("finops.ebs_volume_unattached")
    with pytest.raises(UsageError) as exc:
        validate_params([analyzer], {"finops.ebs_volume_unattached": {"min_size_gb": -1}})
    assert "min_size_gb" in exc.value.message and "greater than or equal to 0" in exc.value.message
    with pytest.raises(UsageError) as exc:
        validate_params([analyzer], {"finops.ebs_volume_unattached": {"nope": 1}})
    assert "nope" in exc.value.message


def test_unknown_analyzer_and_pillar_are_usage_errors() -> None:
    from xops.core import registry

    with pytest.raises(UsageError, match="unknown analyzer id 'finops.nope'"):
        registry.get("finops.nope")
    with pytest.raises(UsageError, match="unknown pillar"):
        registry.select(None, "money")


def test_regions_explicit_env_and_enabled(sandbox_aws: SandboxAws, monkeypatch: pytest.MonkeyPatch) -> None:
    assert context().regions() == [REGION]
    monkeypatch.setenv("XOPS_REGIONS", "eu-west-1, us-east-1")
    assert AwsContext(AwsSettings()).regions() == ["eu-west-1", "us-east-1"]
    monkeypatch.delenv("XOPS_REGIONS")
    enabled = AwsContext(AwsSettings()).regions()
    assert {"ap-southeast-2", "us-east-1", "eu-west-1"} <= set(enabled) and len(enabled) > 10


def test_accounts_all_assumes_role_into_org_members(sandbox_aws: SandboxAws) -> None:
    org = sandbox_aws.client("organizations", region="us-east-1")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="m@example.com", AccountName="m")["CreateAccountStatus"]["AccountId"]
    aws = context(accounts=["all"])
    assert aws.accounts() == sorted([ACCOUNT, member])
    ident = aws.client(Target(member, REGION), "sts").get_caller_identity()
    assert ident["Account"] == member and ":assumed-role/OrganizationAccountAccessRole/" in ident["Arn"]
    custom = context(accounts=[member], role_name="xops-readonly")
    arn = custom.client(Target(member, REGION), "sts").get_caller_identity()["Arn"]
    assert f"arn:aws:sts::{member}:assumed-role/xops-readonly/" in arn
    with pytest.raises(UsageError, match="12 digits"):
        context(accounts=["12345"]).accounts()


def test_assume_role_failure_is_an_error_finding_naming_the_role(sandbox_aws: SandboxAws) -> None:
    aws = context(accounts=[ACCOUNT, "210987654321"])
    sts = aws.client(Target(aws.caller_account, aws.home_region), "sts")
    with Stubber(sts) as stub:
        stub.add_client_error("assume_role", service_error_code="AccessDenied", http_status_code=403)
        [finding] = run_step(aws, Step(ReadsVolumes(), Target("210987654321", REGION)), AnalyzerParams())
    assert finding.status == Status.ERROR
    assert "OrganizationAccountAccessRole" in finding.message and "210987654321" in finding.message


def test_s3control_account_host_quirk_reaches_the_endpoint(sandbox_aws: SandboxAws) -> None:
    from botocore.exceptions import ClientError

    aws = context()
    s3control = aws.client(Target(ACCOUNT, REGION), "s3control")
    with pytest.raises(ClientError) as exc:  # an answer from moto, not a DNS failure for 1234….127.0.0.1
        s3control.get_public_access_block(AccountId=ACCOUNT)
    assert exc.value.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration"


def test_unreachable_endpoint_and_missing_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(EndpointError, match="cannot reach the AWS endpoint"):
        AwsContext(AwsSettings(regions=[REGION])).check()
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(CredentialsError, match="no usable AWS credentials") as exc:
        AwsContext(AwsSettings(regions=[REGION])).check()
    assert "AWS_PROFILE" in exc.value.hint
