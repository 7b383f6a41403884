"""Scan benchmark: full scan of the sandbox estate vs the API floor, at one scale.

    python bench/scan_bench.py --scale 1 [--repeat 3] [--workers 16]

Starts `xops sandbox up` in its own process (moto stands in for AWS, so it should not share our GIL),
then, in this process:
- scan: the full catalogue over every account and region (fresh AwsContext each time, as a CLI run);
- floor: every API call that scan's inventory made, replayed bare with fresh clients on a pool of the same
  size: no analyzers, no caching, no ordering between calls — the least any scan of this catalogue costs.
Prints wall times (median of --repeat), resources/s and the ratio scan/floor (goal: <= 1.25).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from botocore.exceptions import ClientError

from xops.core.aws import AwsContext, AwsSettings, Target
from xops.core.scan import ScanRequest, scan
from xops.inventory.cache import ApiCall
from xops.sandbox.estate.base import GroundTruth
from xops.sandbox.moto_server import free_port


def start_sandbox(scale: int, seed: int, tmp: Path) -> tuple[subprocess.Popen, GroundTruth, float]:
    port = free_port()
    truth = tmp / "truth.json"
    xops = str(Path(sys.executable).with_name("xops"))
    started = time.perf_counter()
    proc = subprocess.Popen([xops, "sandbox", "up", "--port", str(port), "--scale", str(scale), "--seed", str(seed),
                             "--truth", str(truth)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "XOPS_DATA_DIR": str(tmp)})
    while not truth.exists():
        if proc.poll() is not None:
            raise SystemExit(f"sandbox exited with {proc.returncode}")
        time.sleep(0.2)
    gt = GroundTruth.read(truth)
    os.environ.update({"AWS_ENDPOINT_URL": gt.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "ap-southeast-2",
                       "XOPS_REGIONS": ",".join(gt.regions), "XOPS_PRICING": "offline"})
    return proc, gt, time.perf_counter() - started


def run_scan(workers: int) -> tuple[float, AwsContext, int, int]:
    aws = AwsContext(AwsSettings(accounts=["all"], max_workers=workers))
    t0 = time.perf_counter()
    result = scan(aws, ScanRequest())
    seconds = time.perf_counter() - t0
    resources = len({(f.account_id, f.region, f.resource_id) for f in result.findings if f.resource_id})
    errors = sum(f.status == "ERROR" for f in result.findings)
    return seconds, aws, resources, errors


def replay(calls: list[ApiCall], workers: int) -> float:
    """The bare calls, fresh clients and sessions (same config as a scan), same pool size."""
    aws = AwsContext(AwsSettings(accounts=["all"], max_workers=workers))
    aws.check()

    def one(call: ApiCall) -> None:
        client = aws.client(Target(call.account_id, call.region), call.service)
        params = json.loads(call.params)
        try:
            if call.paginated:
                for _ in client.get_paginator(call.operation).paginate(**params):
                    pass
            else:
                getattr(client, call.operation)(**params)
        except ClientError:
            pass  # the scan got the same answer (e.g. "no encryption configuration")

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, calls))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=16)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, truth, seed_s = start_sandbox(args.scale, args.seed, Path(tmp))
        try:
            run_scan(args.workers)  # warm-up: moto builds its per-account backends on first touch
            scans, floors = [], []
            for _ in range(args.repeat):
                seconds, aws, resources, errors = run_scan(args.workers)
                scans.append(seconds)
                floors.append(replay(list(aws.inventory.calls), args.workers))
            calls = len(aws.inventory.calls)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    scan_s, floor_s = statistics.median(scans), statistics.median(floors)
    print(f"scale {args.scale}: seeded {len(truth.issues)} planted issues in {seed_s:.1f} s; "
          f"{resources} resources, {calls} API calls, {errors} errors")
    print(f"  scan  {scan_s:6.2f} s  ({resources / scan_s:7.1f} resources/s)  runs: {', '.join(f'{s:.2f}' for s in scans)}")
    print(f"  floor {floor_s:6.2f} s  ({resources / floor_s:7.1f} resources/s)  runs: {', '.join(f'{s:.2f}' for s in floors)}")
    print(f"  ratio scan/floor = {scan_s / floor_s:.2f}  (goal <= 1.25)")


if __name__ == "__main__":
    main()
