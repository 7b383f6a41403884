"""A real `xops sandbox up` in its own process (the demo estate): started by the e2e and API test fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from xops.sandbox.estate.base import GroundTruth
from xops.sandbox.moto_server import free_port

XOPS = str(Path(sys.executable).with_name("xops"))


@dataclass
class RunningSandbox:
    endpoint: str
    truth: GroundTruth
    env: dict[str, str]
    data_dir: Path

    def xops(self, *args: str, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
        return subprocess.run([XOPS, *args], env=env or self.env, capture_output=True, text=True, timeout=timeout)


def start_sandbox_process(tmp: Path, seed: int = 42, scale: int = 1) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    truth = tmp / f"truth-{seed}-{scale}-{port}.json"
    log = (tmp / f"sandbox-{port}.log").open("w")
    proc = subprocess.Popen([XOPS, "sandbox", "up", "--port", str(port), "--seed", str(seed), "--scale", str(scale),
                             "--truth", str(truth)], stdout=log, stderr=subprocess.STDOUT, env=clean_env(tmp))
    deadline = time.monotonic() + 600
    while not truth.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"sandbox exited {proc.returncode}: {Path(log.name).read_text()[-3000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("sandbox did not come up in 600 s")
        time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}", truth


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XOPS_"))}
    env["XOPS_DATA_DIR"] = str(data_dir)
    return env


def start_running_sandbox(tmp: Path, seed: int = 42, scale: int = 1) -> tuple[subprocess.Popen, RunningSandbox]:
    proc, endpoint, truth_path = start_sandbox_process(tmp, seed, scale)
    truth = GroundTruth.read(truth_path)
    env = clean_env(tmp) | {
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-2", "XOPS_REGIONS": ",".join(truth.regions), "XOPS_PRICING": "offline",
    }
    return proc, RunningSandbox(endpoint, truth, env, tmp)
