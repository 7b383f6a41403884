"""Scan benchmark: full scan of the sandbox estate vs the API floor, at one scale.

    python bench/scan_bench.py --scale 1 [--repeat 3] [--workers 16] [--latency-ms 50] [--accounts 1]

Starts `xops sandbox up` in its own process (moto stands in for AWS, so it should not share our GIL; with
--latency-ms every call is answered after that latency from many threads, like AWS), then, in this process:
- scan: the full catalogue over every account and region (fresh AwsContext each time, as a CLI run);
- floor: every API call that scan's inventory made, replayed bare with fresh clients on a pool of the same
  size: no analyzers, no caching, no ordering between calls — the least any scan of this catalogue costs;
- with --latency-ms: sequential, the same calls one after another (a plain boto3 script), and the ideal:
  calls × latency / workers, or the longest dependency chain (start-up, list, details) if that is longer.
Prints wall times (median of --repeat), resources/s, peak calls in flight and the ratios (goal: scan/floor
<= 1.25; at 50 ms: sequential/scan >= 6 and scan/ideal <= 1.5).
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


def start_sandbox(scale: int, seed: int, tmp: Path, latency_ms: float = 0, accounts: int = 1
                  ) -> tuple[subprocess.Popen, GroundTruth, float]:
    port = free_port()
    truth = tmp / "truth.json"
    xops = str(Path(sys.executable).with_name("xops"))
    started = time.perf_counter()
    proc = subprocess.Popen([xops, "sandbox", "up", "--port", str(port), "--scale", str(scale), "--seed", str(seed),
                             "--truth", str(truth), "--latency-ms", str(latency_ms), "--accounts", str(accounts)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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


def stats(endpoint: str) -> dict[str, int]:
    import httpx

    return dict(httpx.get(f"{endpoint}/xops-sandbox/stats", timeout=10).json())


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
    ap.add_argument("--latency-ms", type=float, default=0, help="AWS-like latency of the sandbox (0: bare moto)")
    ap.add_argument("--accounts", type=int, default=1, help="Member accounts of the sandbox Organization")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, truth, seed_s = start_sandbox(args.scale, args.seed, Path(tmp), args.latency_ms, args.accounts)
        try:
            run_scan(args.workers)  # warm-up: moto builds its per-account backends (and the replays) on first touch
            scans, floors, peaks = [], [], []
            for _ in range(args.repeat):
                before = stats(truth.endpoint)["peak_in_flight"] if args.latency_ms else 0
                seconds, aws, resources, errors = run_scan(args.workers)
                scans.append(seconds)
                peaks.append(stats(truth.endpoint)["peak_in_flight"] if args.latency_ms else before)
                floors.append(replay(list(aws.inventory.calls), args.workers))
            calls = list(aws.inventory.calls)
            sequential = replay(calls, 1) if args.latency_ms else 0.0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    scan_s, floor_s = statistics.median(scans), statistics.median(floors)
    where = f"{len(truth.accounts)} accounts x {len(truth.regions)} regions" + (
        f", {args.latency_ms:g} ms a call" if args.latency_ms else ", bare moto")
    print(f"scale {args.scale} ({where}): seeded {len(truth.issues)} planted issues in {seed_s:.1f} s; "
          f"{resources} resources, {len(calls)} API calls, {errors} errors")
    print(f"  scan  {scan_s:6.2f} s  ({resources / scan_s:7.1f} resources/s)  runs: {', '.join(f'{s:.2f}' for s in scans)}")
    print(f"  floor {floor_s:6.2f} s  ({resources / floor_s:7.1f} resources/s)  runs: {', '.join(f'{s:.2f}' for s in floors)}")
    print(f"  ratio scan/floor = {scan_s / floor_s:.2f}  (goal <= 1.25)")
    if args.latency_ms:
        ideal = max(len(calls) * args.latency_ms / 1000 / args.workers, 6 * args.latency_ms / 1000)
        print(f"  sequential {sequential:6.2f} s (the same calls one after another, like a plain boto3 script)")
        print(f"  ideal {ideal:6.2f} s (calls x latency / {args.workers} workers, or a 6-call dependency chain)")
        print(f"  ratio sequential/scan = {sequential / scan_s:.1f}  (goal >= 6); scan/ideal = {scan_s / ideal:.2f}  "
              f"(goal <= 1.5); peak calls in flight {max(peaks)}")


if __name__ == "__main__":
    main()
