"""In-process crew and deterministic runs under an egress guard; prompt caching with the Claude provider
against the stub; the knowledge CLI with HOME empty; a real Chroma server."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from tests.harness.aws import SandboxAws
from tests.harness.llm_stub import LlmStub, Reply, ToolCall, unwrap
from tests.harness.sandbox import XOPS
from xops.sandbox.moto_server import free_port


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
    """The whole crew Flow (route, the FinOps crew calling an analyzer against AWS, the answer), in-process."""
    from xops.core.aws import AwsContext, AwsSettings
    from xops.crews.flow import CrewFlow
    from xops.crews.tools import LiveSource
    from xops.llm.settings import LlmSettings

    vol = plant_waste(sandbox_aws)

    def script(body: dict[str, Any]) -> Reply:
        results = [m for m in body["messages"] if m["role"] == "tool"]
        if body.get("tools") and not results:
            return Reply(tool_calls=[ToolCall("finops_ebs_volume_unattached")])
        if body.get("tools"):
            return Reply(text="Unattached: " + ", ".join(f["resource_id"] for m in results
                                                          for f in json.loads(unwrap(m["content"]))["findings"]))
        return Reply(text="Answer: " + body["messages"][-1]["content"].split("## finops_analysis", 1)[1].strip())

    stub = LlmStub(script).start()
    try:
        settings = LlmSettings(provider="openai", model="stub", base_url=stub.url + "/v1")
        flow = CrewFlow(LiveSource(AwsContext(AwsSettings(regions=[sandbox_aws.region]))), settings)
        flow.kickoff(inputs={"question": "Where are we wasting money?"})
    finally:
        stub.stop()
    done = flow.state.done
    assert flow.state.pillars == ["finops"] and list(done) == ["finops_analysis", "compose_answer"]
    assert done["finops_analysis"].tool_calls == ["finops.ebs_volume_unattached"]
    assert done["finops_analysis"].text == f"Unattached: {vol}"
    assert done["compose_answer"].text.startswith(f"Answer: Unattached: {vol}")


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
