"""`xops stack up` as a user runs it: every part answers, Open WebUI lists the xOps models (functions and
Pipelines server), and SIGINT stops everything."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import boto3
import httpx
import pytest

from tests.harness.sandbox import XOPS
from xops.sandbox.moto_server import free_port

pytestmark = pytest.mark.xdist_group("openwebui")
MODELS = {"xops.finops", "xops.cloudops", "xops.devsecops", "xops_pipelines.finops", "xops_pipelines.cloudops",
          "xops_pipelines.devsecops"}


def test_stack_up_starts_everything_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    port = free_port()
    out, err = tmp_path / "stack.out", tmp_path / "stack.err"
    proc = subprocess.Popen([XOPS, "stack", "up", "--port", str(port), "--data-dir", str(tmp_path / "stack")],
                            stdout=out.open("w"), stderr=err.open("w"))
    try:
        deadline = time.monotonic() + 600
        while "stack {" not in out.read_text():
            assert proc.poll() is None, err.read_text()[-3000:]
            assert time.monotonic() < deadline, err.read_text()[-3000:]
            time.sleep(0.5)
        text = out.read_text()
        urls = json.loads(next(line for line in text.splitlines() if line.startswith("stack "))[6:])
        email, password = text.split("sign in as ", 1)[1].split("\n", 1)[0].split(" / password ")

        assert urls["openwebui"] == f"http://127.0.0.1:{port}"
        keys = {n: (tmp_path / "stack" / "secrets" / n).read_text() for n in ("api-key", "mcpo-key", "pipelines-key")}
        assert httpx.get(f"{urls['api']}/readyz").json()["status"] == "ready"
        assert httpx.get(f"{urls['mcp'].removesuffix('/mcp')}/health").status_code == 200
        assert httpx.get(f"{urls['mcpo']}/finops/openapi.json",
                         headers={"Authorization": f"Bearer {keys['mcpo-key']}"}).status_code == 200
        assert len(httpx.get(f"{urls['pipelines']}/v1/models",
                             headers={"Authorization": f"Bearer {keys['pipelines-key']}"}).json()["data"]) == 3
        assert httpx.get(f"{urls['openwebui']}/health").status_code == 200
        sts = boto3.client("sts", endpoint_url=urls["sandbox"], region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        assert sts.get_caller_identity()["Account"] == "123456789012"
        token = httpx.post(f"{urls['openwebui']}/api/v1/auths/signin",
                           json={"email": email, "password": password}).json()["token"]
        models = httpx.get(f"{urls['openwebui']}/api/models", headers={"Authorization": f"Bearer {token}"},
                           timeout=60).json()["data"]
        assert {m["id"] for m in models} >= MODELS
        with httpx.Client(base_url=urls["api"], headers={"Authorization": f"Bearer {keys['api-key']}"}) as c:
            assert {a["pillar"] for a in c.get("/v1/analyzers").json()} == {"finops", "cloudops", "devsecops"}

        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=90) == 0, err.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert err.read_text().rstrip().endswith("stopped")
    for name, url in urls.items():
        with pytest.raises(httpx.TransportError):
            httpx.get(url.removesuffix("/mcp") + "/", timeout=3)
        assert name
