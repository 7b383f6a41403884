"""Runbooks API load: N concurrent runs, each streamed over SSE by its own client.

    python bench/api_load.py [--runs 50] [--workers 4] [--pillar finops] [--regions ap-southeast-2]

Starts `xops sandbox up` (moto stands in for AWS) and `xops api serve` (SQLite store) in their own
processes, then starts --runs runs at once over HTTP, each read by its own SSE client thread.
Prints errors, p50/p95 time to the first event and to run.started (the plan done), p50/p95 time to
run.finished, throughput, and the API process's peak RSS. Goals: 0 errors; p95 first event <= 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from xops.sandbox.moto_server import free_port

XOPS = str(Path(sys.executable).with_name("xops"))
KEY = "bench-key"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_for(path: Path, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{proc.args[1:3]} did not start")
        time.sleep(0.2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--workers", type=int, default=0, help="step worker threads in the API (0: its default, "
                    "one per CPU)")
    ap.add_argument("--pillar", default="finops")
    ap.add_argument("--knowledge", choices=("on", "off"), default="on",
                    help="the API's knowledge warm-up (loads the local embedder: most of the RSS)")
    ap.add_argument("--regions", default="ap-southeast-2")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xops-api-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XOPS_"))}
    sb_port, api_port = free_port(), free_port()
    truth = tmp / "truth.json"
    sandbox = subprocess.Popen([XOPS, "sandbox", "up", "--port", str(sb_port), "--truth", str(truth)],
                               env=env | {"XOPS_DATA_DIR": str(tmp / "sb")}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    api = None
    try:
        wait_for(truth, sandbox, 600)
        api_env = env | {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{sb_port}", "AWS_ACCESS_KEY_ID": "testing",
                         "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "ap-southeast-2",
                         "XOPS_PRICING": "offline", "XOPS_DATA_DIR": str(tmp / "api"), "XOPS_API_KEYS": KEY,
                         "XOPS_LOG_LEVEL": "WARNING", "XOPS_KNOWLEDGE": args.knowledge} | ({"XOPS_API_WORKERS": str(args.workers)} if args.workers else {})
        api = subprocess.Popen([XOPS, "api", "serve", "--port", str(api_port)], env=api_env,
                               stdout=subprocess.DEVNULL, stderr=(tmp / "api.log").open("w"))
        url = f"http://127.0.0.1:{api_port}"
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        for _ in range(1200):  # like a load balancer: traffic once the replica has warmed up
            if httpx.get(f"{url}/readyz").json().get("knowledge") != "warming":
                break
            time.sleep(0.25)
        body = {"pillar": args.pillar, "scope": {"accounts": ["all"], "regions": args.regions.split(",")}}
        results: list[dict[str, float]] = []
        errors: list[str] = []

        async def one(client: httpx.AsyncClient, gate: asyncio.Event) -> None:
            try:
                await gate.wait()
                t0 = time.perf_counter()
                r = await client.post("/v1/runs", json=body)
                if r.status_code != 201:
                    raise RuntimeError(f"POST {r.status_code}: {r.text[:200]}")
                run_id = r.json()["run_id"]
                marks: dict[str, float] = {"post": time.perf_counter() - t0}
                async with client.stream("GET", f"/v1/runs/{run_id}/events") as s:
                    async for line in s.aiter_lines():
                        if line.startswith("id:") and "first" not in marks:
                            marks["first"] = time.perf_counter() - t0
                        if line.startswith("event:"):
                            kind = line.split(":", 1)[1].strip()
                            if kind == "run.started":
                                marks["started"] = time.perf_counter() - t0
                            if kind in ("run.finished", "run.failed", "run.cancelled"):
                                marks[kind] = time.perf_counter() - t0
                                break
                if "run.finished" not in marks:
                    raise RuntimeError(f"run {run_id} ended without run.finished: {sorted(marks)}")
                results.append(marks)
            except Exception as exc:  # noqa: BLE001 - counted and printed
                errors.append(f"{type(exc).__name__}: {exc}")

        async def load() -> float:
            # One client per run (its own connections), all in one event loop: the client side stays cheap.
            clients = [httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=600)
                       for _ in range(args.runs)]
            gate = asyncio.Event()
            tasks = [asyncio.create_task(one(c, gate)) for c in clients]
            await asyncio.sleep(0.1)
            t = time.perf_counter()
            gate.set()
            await asyncio.gather(*tasks)
            for c in clients:
                await c.aclose()
            return t

        started = asyncio.run(load())
        wall = time.perf_counter() - started
        status = Path(f"/proc/{api.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        first = [r["first"] * 1000 for r in results]
        plan = [r["started"] * 1000 for r in results if "started" in r]
        done = [r["run.finished"] for r in results]
        report = {
            "runs": args.runs, "knowledge": args.knowledge, "api_workers": args.workers or f"default ({os.cpu_count()} CPUs)", "scope": body, "errors": len(errors),
            "first_event_ms": {"p50": round(pct(first, 0.5), 1), "p95": round(pct(first, 0.95), 1)},
            "post_ms": {"p50": round(pct([r["post"] * 1000 for r in results], 0.5), 1),
                        "p95": round(pct([r["post"] * 1000 for r in results], 0.95), 1)},
            "run_started_ms": {"p50": round(pct(plan, 0.5), 1), "p95": round(pct(plan, 0.95), 1)},
            "run_finished_s": {"p50": round(pct(done, 0.5), 2), "p95": round(pct(done, 0.95), 2)},
            "wall_s": round(wall, 2), "runs_per_s": round(len(done) / wall, 2),
            "api_peak_rss_mb": round(peak_kb / 1024, 1),
        }
        print(json.dumps(report, indent=2))
        for e in errors[:5]:
            print("error:", e)
        p95 = report["first_event_ms"]["p95"]
        print(f"goal: 0 errors -> {len(errors)}; p95 first event <= 500 ms -> {p95} ms "
              f"(ratio {p95 / 500:.2f})")
        if errors:
            sys.exit(1)
    finally:
        for proc in (api, sandbox):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)


if __name__ == "__main__":
    main()
