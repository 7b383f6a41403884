"""In-process crew and deterministic runs under an egress guard; prompt caching with the Claude provider
against the stub; the knowledge CLI with HOME empty; a real Chroma server."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SandboxAws
from tests.harness.llm_stub import LlmStub, Reply, ToolCall
from tests.harness.sandbox import XOPS
from xops.sandbox.moto_server import free_port


class Egress(Exception):
    pass


@pytest.fixture
def egress_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail on any connect outside 127.0.0.1 / ::1 / unix sockets; also refuse DNS lookups of other hosts."""
    attempts: list[str] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def allowed(address: Any) -> bool:
        if isinstance(address, (str, bytes)):
            return True  # unix socket
        host = address[0]
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return host == "localhost"

    def connect(self: socket.socket, address: Any) -> Any:
        if not allowed(address):
            attempts.append(str(address))
            raise Egress(f"connection outside loopback: {address}")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost") and not str(host).startswith(("127.", "::1")):
            try:
                ipaddress.ip_address(host)
            except ValueError:
                attempts.append(f"dns:{host}")
                raise Egress(f"DNS lookup of {host}") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    assert not attempts, f"egress attempted: {attempts}"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from xops.knowledge.store import KnowledgeStore

    monkeypatch.setenv("XOPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XOPS_CHROMA_URL", raising=False)
    KnowledgeStore.reset_default()
    yield tmp_path / "data"
    KnowledgeStore.reset_default()


def plant_waste(sandbox_aws: SandboxAws) -> str:
    ec2 = sandbox_aws.client("ec2")
    return ec2.create_volume(AvailabilityZone=f"{sandbox_aws.region}a", Size=100, VolumeType="gp3")["VolumeId"]


def test_deterministic_run_opens_no_connection_outside_loopback(sandbox_aws: SandboxAws, data_dir: Path,
                                                                egress_guard: list[str]) -> None:
    from xops.answer.ask import ask
    from xops.core.aws import AwsContext, AwsSettings

    vol = plant_waste(sandbox_aws)
    answer = ask("Where are we wasting money?", AwsContext(AwsSettings(regions=[sandbox_aws.region])))
    assert answer.route.pillars == ["finops"]
    assert f"`{vol}`" in answer.markdown and "EBS volumes not attached to any instance" in answer.markdown


def test_crew_run_opens_no_connection_outside_loopback(sandbox_aws: SandboxAws, data_dir: Path,
                                                       egress_guard: list[str]) -> None:
    from xops.core.aws import AwsContext, AwsSettings
    from xops.crews.runner import run_task
    from xops.crews.tools import LiveSource
    from xops.llm.settings import LlmSettings

    vol = plant_waste(sandbox_aws)

    def script(body: dict[str, Any]) -> Reply:
        results = [m for m in body["messages"] if m["role"] == "tool"]
        if body.get("tools") and not results:
            return Reply(tool_calls=[ToolCall("finops_ebs_volume_unattached")])
        return Reply(text="Unattached: " + ", ".join(f["resource_id"] for m in results
                                                      for f in json.loads(m["content"])["findings"]))

    stub = LlmStub(script).start()
    try:
        settings = LlmSettings(provider="openai", model="stub", base_url=stub.url + "/v1")
        aws = AwsContext(AwsSettings(regions=[sandbox_aws.region]))
        out = run_task("finops_analysis", question="Where are we wasting money?", focus=[], source=LiveSource(aws),
                       reports={}, facts="", settings=settings)
    finally:
        stub.stop()
    assert out.tool_calls == ["finops.ebs_volume_unattached"] and out.text == f"Unattached: {vol}"


def test_claude_prompt_caching_prefix_over_ten_turns(data_dir: Path, egress_guard: list[str]) -> None:
    """Ten questions to the FinOps agent on the Claude provider: every request carries the same system
    prompt + tool definitions (+ the domain playbooks), marked cache_control, byte for byte."""
    from xops.crews.runner import run_task
    from xops.crews.tools import RunSource
    from xops.llm.settings import LlmSettings

    stub = LlmStub(lambda body: Reply(text="No findings in this run.")).start()
    questions = ["Where are we wasting money?", "What do idle instances cost?", "Any unattached volumes?",
                 "How much do old snapshots cost?", "Are NAT gateways idle?", "Which buckets lack lifecycle rules?",
                 "Do we pay for unused Elastic IPs?", "Are there previous-generation instances?",
                 "Any load balancers without targets?", "Did any service cost spike?"]
    try:
        settings = LlmSettings(provider="claude", model="claude-sonnet-4-5", base_url=stub.url, api_key="sk-ant-test")
        for q in questions:
            run_task("finops_analysis", question=q, focus=[], source=RunSource([]), reports={}, facts="", settings=settings)
    finally:
        stub.stop()
    reqs = [r for r in stub.requests if r.path.endswith("/v1/messages")]
    assert len(reqs) == 10
    prefixes = {json.dumps([r.body.get("tools"), r.body["system"]], sort_keys=True) for r in reqs}
    assert len(prefixes) == 1, "the cacheable prefix differs between requests"
    system = reqs[0].body["system"]
    assert isinstance(system, list) and system[-1]["cache_control"] == {"type": "ephemeral"}
    assert "Playbook knowledge for your domain" in system[0]["text"]
    assert len(reqs[0].body["tools"]) == 11
    prefix = len(next(iter(prefixes)))
    shares = [prefix / (prefix + len(json.dumps(r.body["messages"]))) for r in reqs]
    print(f"cacheable prefix share of input: min {min(shares):.1%}, mean {sum(shares) / len(shares):.1%}")
    assert min(shares) >= 0.70


def test_knowledge_cli_ingest_and_search_writes_nothing_to_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rotation.md").write_text("# Database credentials\n\nRotate the orders database password every "
                                      "quarter with Secrets Manager rotation.\n")
    (docs / "owners.csv").write_text("service,owner\norders-api,team-payments\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XOPS_", "HF_", "CREWAI_", "XDG_"))}
    env |= {"HOME": str(home), "XOPS_DATA_DIR": str(tmp_path / "data")}
    res = subprocess.run([XOPS, "knowledge", "ingest", str(docs)], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "ingested 2 chunks from 2 file(s)" in res.stdout
    res = subprocess.run([XOPS, "knowledge", "search", "who owns the orders API", "--k", "1"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and "service: orders-api; owner: team-payments" in res.stdout, res.stdout + res.stderr
    res = subprocess.run([XOPS, "knowledge", "search", "unattached EBS volumes", "--k", "1", "--pillar", "finops"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert "finops" in res.stdout.lower() and "volume" in res.stdout.lower()
    bad = subprocess.run([XOPS, "knowledge", "ingest", str(tmp_path / "missing")], env=env, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2 and "no such file or folder" in bad.stderr
    assert list(home.iterdir()) == [], f"written to HOME: {list(home.rglob('*'))}"


def test_knowledge_on_a_chroma_server(tmp_path: Path) -> None:
    port = free_port()
    chroma = Path(XOPS).with_name("chroma")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "HOME": str(tmp_path)}
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path / "chroma"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=(tmp_path / "chroma.log").open("w"), stderr=subprocess.STDOUT,
                            env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, (tmp_path / "chroma.log").read_text()[-2000:]
            time.sleep(0.2)
        xenv = {**os.environ, "XOPS_DATA_DIR": str(tmp_path / "data"), "XOPS_CHROMA_URL": f"http://127.0.0.1:{port}"}
        res = subprocess.run([XOPS, "knowledge", "search", "public S3 buckets", "--k", "1"], env=xenv,
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0 and "Block Public Access" in res.stdout, res.stdout + res.stderr
        assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally
        import chromadb

        client = chromadb.HttpClient(host="127.0.0.1", port=port)
        assert client.get_collection("xops-knowledge").count() >= 37 + 6  # analyzers + playbook sections
    finally:
        proc.terminate()
        proc.wait(timeout=30)
