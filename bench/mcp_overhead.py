"""MCP overhead benchmark: one cheap analyzer with warm inventory, in-process vs MCP stdio vs MCP HTTP vs mcpo.

    python bench/mcp_overhead.py [--calls 200] [--analyzer finops.ebs_volume_unattached] [--volumes 20]

Starts moto on 127.0.0.1 in this process with --volumes EBS volumes (half unattached), then calls the
analyzer's tool --calls times on each path after one warm-up call (which fills the inventory; the servers
run with XOPS_MCP_CACHE_SECONDS=3600 so every measured call reads the warm inventory: no AWS calls):
- in-process: `Runner.call` (argument validation, scan engine, result shaping): the work every server does;
- stdio:      a real ClientSession to `xops mcp serve finops --transport stdio`;
- http:       a real ClientSession over streamable HTTP to `xops mcp serve finops --transport http`;
- mcpo:       HTTP POST /finops/<tool> to `xops mcpo serve` (mcpo from .venv-mcpo -> stdio server).
Prints p50/p95 per path and the overhead over in-process (goal: mcpo <= 10 ms p50).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import boto3
import httpx

from xops.sandbox.moto_server import FAKE_CREDENTIALS, MotoServer, free_port

XOPS = str(Path(sys.executable).with_name("xops"))
REGION = "ap-southeast-2"
TOKEN = "bench-token-0123456789abcdef"
KEY = "bench-key-0123456789abcdef"


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def seed(endpoint: str, volumes: int) -> None:
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint)
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro")
    iid = inst["Instances"][0]["InstanceId"]
    for i in range(volumes):
        vol = ec2.create_volume(Size=10 + i, AvailabilityZone=f"{REGION}a", VolumeType="gp3")
        if i % 2:
            ec2.attach_volume(VolumeId=vol["VolumeId"], InstanceId=iid, Device=f"/dev/sd{chr(ord('f') + i // 2)}")


def timed(calls: int, once: Callable[[], object]) -> list[float]:
    once()  # warm-up: fills the inventory
    out = []
    for _ in range(calls):
        t = time.perf_counter()
        once()
        out.append((time.perf_counter() - t) * 1000)
    return out


async def timed_async(calls: int, once: Callable[[], Awaitable[object]]) -> list[float]:
    await once()
    out = []
    for _ in range(calls):
        t = time.perf_counter()
        await once()
        out.append((time.perf_counter() - t) * 1000)
    return out


def check(result: object) -> None:
    if getattr(result, "isError", False):
        raise SystemExit(f"tool call failed: {result}")


def bench_in_process(tool: str, args: dict, calls: int) -> list[float]:
    from xops.mcp.runner import ContextPool, Runner
    from xops.mcp.tools import tool_specs, validate_arguments

    spec = next(s for s in tool_specs("finops") if s.name == tool)
    runner = Runner("finops", ContextPool(ttl=3600))
    return timed(calls, lambda: runner.call(spec, validate_arguments(spec, args)))


def bench_stdio(tool: str, args: dict, calls: int, env: dict[str, str]) -> list[float]:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    async def main() -> list[float]:
        params = StdioServerParameters(command=XOPS, args=["mcp", "serve", "finops"], env=env)
        async with stdio_client(params) as (r, w), ClientSession(r, w) as session:
            await session.initialize()

            async def once() -> None:
                check(await session.call_tool(tool, args))

            return await timed_async(calls, once)

    return anyio.run(main)


def wait(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not up: {log.read_text()[-2000:]}")


def bench_http(tool: str, args: dict, calls: int, env: dict[str, str], tmp: Path) -> list[float]:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    port, log = free_port(), tmp / "http.log"
    proc = subprocess.Popen([XOPS, "mcp", "serve", "finops", "--transport", "http", "--port", str(port)],
                            env={**env, "XOPS_MCP_TOKEN": TOKEN}, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait(f"http://127.0.0.1:{port}/health", proc, log)

        async def main() -> list[float]:
            client = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
            async with client, streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=client) as (
                    r, w, _), ClientSession(r, w) as session:
                await session.initialize()

                async def once() -> None:
                    check(await session.call_tool(tool, args))

                return await timed_async(calls, once)

        return anyio.run(main)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def bench_mcpo(tool: str, args: dict, calls: int, env: dict[str, str], tmp: Path) -> list[float]:
    port, log = free_port(), tmp / "mcpo.log"
    proc = subprocess.Popen([XOPS, "mcpo", "serve", "--port", str(port)], env={**env, "XOPS_MCPO_API_KEY": KEY},
                            stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/finops"
        wait(f"{base}/openapi.json", proc, log)
        with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as client:
            def once() -> None:
                r = client.post(f"{base}/{tool}", json=args)
                if r.status_code != 200:
                    raise SystemExit(f"mcpo call failed: {r.status_code} {r.text[:500]}")

            return timed(calls, once)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--analyzer", default="finops.ebs_volume_unattached", help="a finops analyzer id")
    ap.add_argument("--volumes", type=int, default=20)
    opts = ap.parse_args()
    if not opts.analyzer.startswith("finops."):
        raise SystemExit("--analyzer must be a finops analyzer (the benchmark uses the finops server)")

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request log lines
    os.environ.update(FAKE_CREDENTIALS)
    os.environ["XOPS_PRICING"] = "offline"
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "XOPS_REGIONS"):
        os.environ.pop(var, None)
    moto = MotoServer().start()
    os.environ["AWS_ENDPOINT_URL"] = moto.endpoint
    with tempfile.TemporaryDirectory(prefix="xops-mcp-bench-") as folder:
        tmp = Path(folder)
        env = {**os.environ, "XOPS_DATA_DIR": str(tmp), "XOPS_MCP_CACHE_SECONDS": "3600"}
        try:
            seed(moto.endpoint, opts.volumes)
            tool, args = opts.analyzer.replace(".", "_"), {"regions": [REGION]}
            results = {"in-process": bench_in_process(tool, args, opts.calls)}
            results["MCP stdio"] = bench_stdio(tool, args, opts.calls, env)
            results["MCP HTTP"] = bench_http(tool, args, opts.calls, env, tmp)
            results["mcpo"] = bench_mcpo(tool, args, opts.calls, env, tmp)
        finally:
            moto.stop()
    base = statistics.median(results["in-process"])
    print(f"{opts.calls} calls of {opts.analyzer} ({opts.volumes} volumes, warm inventory), ms per call:")
    print(f"{'path':<12} {'p50':>8} {'p95':>8} {'overhead p50':>13}")
    for name, samples in results.items():
        p50 = statistics.median(samples)
        print(f"{name:<12} {p50:8.2f} {pct(samples, 95):8.2f} {p50 - base:+13.2f}")
    over = statistics.median(results["mcpo"]) - base
    print(f"mcpo overhead p50 {over:.2f} ms: {'within' if over <= 10 else 'OVER'} the 10 ms goal")


if __name__ == "__main__":
    main()
