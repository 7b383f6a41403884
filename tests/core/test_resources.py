"""The resource layer against the in-process moto server: types listed once and parsed, details fetched
once and fanned out within a bound, undeclared reads refused, "not configured" answers as None, and a
failed read an ERROR for its resource alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness.aws import SandboxAws
from xops.core.analyzer import Analyzer, Ctx, Fail, Verdict
from xops.core.aws import AwsContext, AwsSettings, Target
from xops.core.models import AnalyzerMeta, AnalyzerParams, Remediation, Severity, Status
from xops.core.scan import Step, run_step
from xops.inventory.cache import Inventory
from xops.resources.ec2 import Volume
from xops.resources.iam import User
from xops.resources.layer import DETAIL_CONCURRENCY, Fetcher, UndeclaredRead
from xops.resources.ops import Op
from xops.resources.s3 import Bucket

REGION = "ap-southeast-2"
ACCOUNT = "123456789012"


def context(**kw: Any) -> AwsContext:
    return AwsContext(AwsSettings(regions=[REGION], max_workers=16, **kw))


def test_a_type_is_listed_once_and_parsed(sandbox_aws: SandboxAws) -> None:
    ec2 = sandbox_aws.client("ec2")
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    vol = ec2.create_volume(Size=42, AvailabilityZone=f"{REGION}a", VolumeType="gp3", Encrypted=True,
                            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Owner", "Value": "x"}]}])
    ec2.attach_volume(VolumeId=vol["VolumeId"], InstanceId=inst, Device="/dev/sdf")
    aws = context()
    at = Target(ACCOUNT, REGION)
    seen = [aws.resources.list(Volume, at) for _ in range(3)]
    assert sum(c.operation == "describe_volumes" for c in aws.inventory.calls) == 1
    v = next(v for v in seen[0] if v.id == vol["VolumeId"])
    assert (v.size_gib, v.volume_type, v.encrypted, v.attached_to, v.tags["Owner"]) == (42, "gp3", True, [inst], "x")
    assert v.arn == f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/{v.id}" and v.region == REGION


def test_details_fan_out_concurrently_within_the_bound_and_once(sandbox_aws: SandboxAws,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    iam = sandbox_aws.client("iam")
    for i in range(20):
        iam.create_user(UserName=f"u{i:02d}")
        iam.create_access_key(UserName=f"u{i:02d}")
    state = {"now": 0, "peak": 0, "calls": 0}
    lock = threading.Lock()
    fetch = Inventory._fetch

    def slow(self: Inventory, entry: Any, at: Target, service: str, operation: str, *a: Any) -> None:
        if operation != "list_access_keys":
            return fetch(self, entry, at, service, operation, *a)
        with lock:
            state["now"] += 1
            state["calls"] += 1
            state["peak"] = max(state["peak"], state["now"])
        try:
            time.sleep(0.05)  # like AWS: tens of milliseconds a call
            return fetch(self, entry, at, service, operation, *a)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(Inventory, "_fetch", slow)
    aws = context()
    at = Target(ACCOUNT, "global")
    threads = [threading.Thread(target=aws.resources.list, args=(User, at, ("access_keys",))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    users = aws.resources.list(User, at, ("access_keys",))
    assert len(users) == 20 and all(len(u.detail("access_keys")) == 1 for u in users)
    assert state["calls"] == 20  # once per user, whichever threads asked
    assert 1 < state["peak"] <= DETAIL_CONCURRENCY


META = AnalyzerMeta(id="cloudops.test_layer", title="test analyzer", pillar="cloudops", severity=Severity.low,
                    resource_type="AWS::S3::Bucket", permissions=("s3:ListAllMyBuckets",), risk="a test analyzer only",
                    remediation=Remediation(summary="nothing to do here", cli="aws s3 help", terraform="# none"))


class ReadsTooMuch(Analyzer):
    meta = META
    reads, resource = (Bucket,), Bucket  # the type, but none of its details

    def evaluate(self, ctx: Ctx, params: AnalyzerParams) -> Iterator[Verdict]:
        for b in ctx.list(Bucket):
            yield Fail(str(b.detail("encryption")), resource=b)


class ReadsAnotherType(Analyzer):
    meta = META
    reads, resource = (Bucket,), Bucket

    def evaluate(self, ctx: Ctx, params: AnalyzerParams) -> Iterator[Verdict]:
        yield Fail(str(len(ctx.list(Volume))))


@pytest.mark.parametrize(("analyzer", "what"), [(ReadsTooMuch(), "Bucket.encryption"),
                                                (ReadsAnotherType(), "Volume resources")])
def test_undeclared_reads_are_refused(sandbox_aws: SandboxAws, analyzer: Analyzer, what: str) -> None:
    sandbox_aws.client("s3").create_bucket(Bucket="layer-test-bucket",
                                           CreateBucketConfiguration={"LocationConstraint": REGION})
    aws = context()
    aws.check()
    findings = run_step(aws, Step(analyzer, Target(ACCOUNT, "global")), AnalyzerParams())
    assert [f.status for f in findings] == [Status.ERROR]
    assert f"reads {what} without declaring it" in findings[0].message


def test_not_configured_is_none_and_a_failed_read_is_an_error_for_that_resource(
        sandbox_aws: SandboxAws, monkeypatch: pytest.MonkeyPatch) -> None:
    s3 = sandbox_aws.client("s3")
    for name in ("layer-plain", "layer-denied"):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    call = Inventory.call

    def denied(self: Inventory, at: Target, service: str, operation: str, **params: Any) -> Any:
        if operation == "get_bucket_encryption" and params.get("Bucket") == "layer-denied":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"},
                               "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetBucketEncryption")
        return call(self, at, service, operation, **params)

    monkeypatch.setattr(Inventory, "call", denied)
    findings = {f.resource_id: f for f in sandbox_aws.run("devsecops.s3_bucket_no_default_encryption")}
    assert findings["layer-plain"].status == Status.FAIL  # the missing configuration is None: a fact
    assert findings["layer-denied"].status == Status.ERROR
    assert "GetBucketEncryption denied" in findings["layer-denied"].message
    assert "s3:GetEncryptionConfiguration" in findings["layer-denied"].message


def test_buckets_outside_the_scan_regions_are_left_out(sandbox_aws: SandboxAws) -> None:
    sandbox_aws.client("s3").create_bucket(Bucket="layer-sydney", CreateBucketConfiguration={"LocationConstraint": REGION})
    sandbox_aws.client("s3", region="us-east-1").create_bucket(Bucket="layer-virginia")
    found = {f.resource_id: f.region for f in sandbox_aws.run("cloudops.s3_bucket_versioning_disabled",
                                                             regions=[REGION])}
    assert found == {"layer-sydney": REGION}
    both = {f.resource_id: f.region for f in sandbox_aws.run("cloudops.s3_bucket_versioning_disabled",
                                                            regions=[REGION, "us-east-1"])}
    assert both == {"layer-sydney": REGION, "layer-virginia": "us-east-1"}


def test_a_custom_fetch_may_call_only_its_declared_ops(moto_server: object) -> None:
    aws = context()
    fetch = Fetcher(aws.resources, [Op("ec2", "describe_volumes", "Volumes")])
    with pytest.raises(UndeclaredRead, match="ec2:describe_snapshots is not among the ops"):
        fetch.call(Op("ec2", "describe_snapshots", "Snapshots"), Target(ACCOUNT, REGION))
