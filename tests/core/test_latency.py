"""The AWS-like sandbox: reads replayed from memory after a latency, from many threads at once; writes go
to moto and forget what was replayed; over-rate calls get the service's own throttling error, which the
scanner's adaptive retries absorb. Concurrency is asserted from what the sandbox saw, never from time."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from xops.sandbox.latency import Conditions
from xops.sandbox.moto_server import MotoServer


@pytest.fixture
def like_aws(moto_server: MotoServer, request: pytest.FixtureRequest) -> Iterator[MotoServer]:
    server = MotoServer(conditions=request.param).start()
    server.reset()  # moto's backends are one per process: start from an empty account
    yield server
    server.stop()


def client(server: MotoServer, service: str, **config: object) -> object:
    return boto3.client(service, region_name="ap-southeast-2", endpoint_url=server.endpoint,
                        config=Config(**config) if config else None)


@pytest.mark.parametrize("like_aws", [Conditions(latency_ms=300)], indirect=True)
def test_concurrent_reads_are_answered_in_parallel_from_memory(like_aws: MotoServer) -> None:
    ec2 = client(like_aws, "ec2", max_pool_connections=20)
    ec2.create_volume(Size=1, AvailabilityZone="ap-southeast-2a")
    assert len(ec2.describe_volumes()["Volumes"]) == 1  # recorded from moto
    got: list[int] = []
    threads = [threading.Thread(target=lambda: got.append(len(ec2.describe_volumes()["Volumes"]))) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = like_aws.aws_like.stats.as_dict()
    assert got == [1] * 12
    assert stats["replayed"] == 12 and stats["peak_in_flight"] >= 8  # twelve waits overlapped, not one after another
    ec2.create_volume(Size=2, AvailabilityZone="ap-southeast-2a")  # a write goes to moto and forgets the replay
    assert sorted(v["Size"] for v in ec2.describe_volumes()["Volumes"]) == [1, 2]


@pytest.mark.parametrize("like_aws", [Conditions(throttle_rps=2)], indirect=True)
def test_over_rate_calls_get_each_protocols_throttling_error(like_aws: MotoServer) -> None:
    bare = {"retries": {"total_max_attempts": 1, "mode": "standard"}}
    calls = [("ec2", lambda c: c.describe_volumes(), "RequestLimitExceeded"),
             ("iam", lambda c: c.list_users(), "Throttling"),
             ("dynamodb", lambda c: c.list_tables(), "ThrottlingException"),
             ("s3", lambda c: c.list_buckets(), "SlowDown")]
    for service, call, code in calls:
        c = client(like_aws, service, **bare)
        codes = []
        for _ in range(6):
            try:
                call(c)
                codes.append("ok")
            except ClientError as exc:
                codes.append(exc.response["Error"]["Code"])
        assert codes.count("ok") >= 1 and code in codes, (service, codes)


@pytest.mark.parametrize("like_aws", [Conditions(latency_ms=20, throttle_rps=3)], indirect=True)
def test_a_scan_under_throttling_fails_no_step(like_aws: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ec2 = client(like_aws, "ec2")
    for size in range(1, 9):
        ec2.create_volume(Size=size, AvailabilityZone="ap-southeast-2a")
    monkeypatch.setenv("AWS_ENDPOINT_URL", like_aws.endpoint)
    from xops.core.aws import AwsContext, AwsSettings
    from xops.core.scan import ScanRequest, scan

    ids = ["finops.ebs_volume_unattached", "finops.ebs_gp2_to_gp3", "devsecops.ebs_volume_unencrypted",
           "devsecops.ebs_default_encryption_disabled", "finops.eip_unassociated"]
    result = scan(AwsContext(AwsSettings(regions=["ap-southeast-2"], max_workers=8)), ScanRequest(analyzer_ids=ids))
    assert like_aws.aws_like.stats.as_dict()["throttled"] > 0  # the scan did hit the limit
    assert [f.message for f in result.findings if f.status == "ERROR"] == []
    assert len([f for f in result.findings if f.analyzer_id == "finops.ebs_volume_unattached"]) == 8
