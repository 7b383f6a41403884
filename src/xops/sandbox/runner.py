"""`xops sandbox up`: moto on 127.0.0.1, the demo estate seeded, ground truth written, env printed."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from xops.core.errors import SandboxError
from xops.sandbox.estate import seed_estate
from xops.sandbox.estate.base import HOME_REGION, GroundTruth
from xops.sandbox.latency import Conditions
from xops.sandbox.moto_server import FAKE_CREDENTIALS, MotoServer


@dataclass
class Sandbox:
    server: MotoServer
    truth: GroundTruth
    truth_path: Path
    seconds: float

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def env(self) -> dict[str, str]:
        """What a client needs to scan the sandbox: endpoint, fake credentials, regions."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": HOME_REGION,
            "XOPS_REGIONS": ",".join(self.truth.regions),
            "XOPS_PRICING": "offline",
        }


def start_sandbox(port: int = 0, seed: int = 42, scale: int = 1, truth_path: Path | None = None,
                  conditions: Conditions | None = None, members: int = 1) -> Sandbox:
    """moto (behind the planted answers and, with `conditions`, AWS-like latency and throttling), the estate
    seeded, the ground truth written."""
    if scale < 1 or scale > 100:
        raise SandboxError(f"scale {scale} is out of range", "use --scale between 1 and 100")
    started = time.perf_counter()
    try:
        server = MotoServer(port, conditions).start()
    except OSError as exc:
        raise SandboxError(f"cannot start moto on 127.0.0.1:{port}: {exc}", "pick a free --port") from exc
    try:
        truth = seed_estate(server, seed=seed, scale=scale, members=members)
    except Exception as exc:
        server.stop()
        raise SandboxError(f"seeding the demo estate failed: {type(exc).__name__}: {exc}",
                           "this is a bug in the sandbox; please report it with the seed and scale") from exc
    path = truth_path or default_truth_path()
    truth.write(path)
    return Sandbox(server, truth, path, time.perf_counter() - started)


def default_truth_path() -> Path:
    from xops.settings import data_dir

    return data_dir() / "sandbox" / "ground-truth.json"


def apply_env(sandbox: Sandbox) -> None:
    os.environ.update(sandbox.env())
