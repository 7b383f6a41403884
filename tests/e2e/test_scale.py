"""`xops sandbox up --scale 10` and a full scan of it: recall and precision stay 100% at 10x."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.harness.sandbox import XOPS, clean_env, start_sandbox_process
from xops.sandbox.estate.base import GroundTruth

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scale10")]


def test_scale_10_estate_is_found_exactly(tmp_path: Path) -> None:
    proc, endpoint, truth_path = start_sandbox_process(tmp_path, seed=7, scale=10)
    try:
        truth = GroundTruth.read(truth_path)
        env = clean_env(tmp_path) | {
            "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-southeast-2", "XOPS_REGIONS": ",".join(truth.regions), "XOPS_PRICING": "offline"}
        out = tmp_path / "scan.json"
        scan = subprocess.run([XOPS, "scan", "--accounts", "all", "--format", "json", "--out", str(out)],
                              env=env, capture_output=True, text=True, timeout=1800)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert scan.returncode == 0, scan.stderr[-2000:]
    body = json.loads(out.read_text())
    got = {(f["analyzer_id"], f["account_id"], f["region"], f["resource_id"]): f["est_monthly_usd"]
           for f in body["findings"] if f["status"] == "FAIL"}
    expected = {i.key: i.expected_usd for i in truth.issues}
    assert len(expected) > 2500  # ~9x the scale-1 estate (322 planted issues at scale 1)
    assert set(expected) - set(got) == set() and set(got) - set(expected) == set()
    assert {k for k, usd in expected.items() if usd is not None and abs((got[k] or 0) - usd) > 0.005} == set()
    assert [f for f in body["findings"] if f["status"] == "ERROR"] == []
