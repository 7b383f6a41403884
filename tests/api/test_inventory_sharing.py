"""Runs of the same scope within XOPS_INVENTORY_TTL_SECONDS share their AWS reads; with 0 they never do."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.harness.aws import SandboxAws
from xops.api.app import create_app
from xops.api.settings import ApiSettings


def _unattached_eips(client: TestClient) -> set[str]:
    run_id = client.post("/v1/runs", json={"analyzers": ["finops.eip_unassociated"]}).json()["run_id"]
    for _ in range(400):
        if client.get(f"/v1/runs/{run_id}").json()["state"] == "finished":
            break
        time.sleep(0.05)
    page = client.get(f"/v1/runs/{run_id}/findings", params={"status": "FAIL"}).json()
    return {f["resource_id"] for f in page["findings"]}


@pytest.mark.parametrize("ttl", [60.0, 0.0])
def test_a_repeat_run_reads_aws_again_only_after_the_ttl(ttl: float, sandbox_aws: SandboxAws, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_REGIONS", sandbox_aws.region)
    ec2 = sandbox_aws.client("ec2")
    first = ec2.allocate_address(Domain="vpc")["AllocationId"]
    app = create_app(ApiSettings(data_dir=tmp_path, api_keys=["k"], workers=2, inventory_ttl_seconds=ttl))
    with TestClient(app, headers={"Authorization": "Bearer k"}) as client:
        assert _unattached_eips(client) == {first}
        second = ec2.allocate_address(Domain="vpc")["AllocationId"]
        again = _unattached_eips(client)
    # within the TTL the repeat run answers from the first run's reads; without a TTL it sees the new EIP
    assert again == ({first} if ttl else {first, second})
