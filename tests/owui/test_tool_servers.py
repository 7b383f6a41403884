"""Any model can use the xOps tools: a chat with `tool_ids` for the mcpo server, the native MCP server and
the xOps analyzers tool (installed by `xops owui install`) runs an analyzer through each. The model is an
OpenAI-compatible stub that calls the tool the prompt names."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.harness.llm_stub import LlmStub, echo_tools
from tests.mcp.conftest import MCPO_KEY, TOKEN, RunningServer, start, stop
from tests.owui.conftest import SocketEvents, Stack

MODEL = "stub-llm"

pytestmark = pytest.mark.xdist_group("openwebui")


@dataclass
class Tools:
    mcpo: RunningServer
    mcp: RunningServer
    llm: LlmStub


@pytest.fixture(scope="module")
def tool_servers(owui_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tools]:
    tmp = tmp_path_factory.mktemp("owui-tools")
    env = owui_stack.sandbox.env | {"XOPS_DATA_DIR": str(tmp), "XOPS_MCP_CACHE_SECONDS": "0"}
    mcp = start(["mcp", "serve", "xops", "--transport", "http"], env | {"XOPS_MCP_TOKEN": TOKEN}, tmp / "mcp.log",
                "/health")
    mcpo = start(["mcpo", "serve"], env | {"XOPS_MCPO_API_KEY": MCPO_KEY}, tmp / "mcpo.log", "/finops/openapi.json",
                 timeout=120)
    llm = LlmStub(echo_tools, MODEL).start()
    res = owui_stack.install("--mcpo-url", mcpo.url, "--mcpo-key", MCPO_KEY, "--mcp-url", f"{mcp.url}/mcp",
                             "--mcp-token", TOKEN)
    assert res.returncode == 0, res.stderr
    assert "register tool servers xops-finops, xops-cloudops, xops-devsecops, xops" in res.stdout
    with owui_stack.owui.client() as c:
        cfg = c.get("/openai/config").json()
        r = c.post("/openai/config/update", json={
            "ENABLE_OPENAI_API": True, "OPENAI_API_BASE_URLS": [*cfg["OPENAI_API_BASE_URLS"], llm.url + "/v1"],
            "OPENAI_API_KEYS": [*cfg["OPENAI_API_KEYS"], "stub"],
            "OPENAI_API_CONFIGS": {**cfg["OPENAI_API_CONFIGS"],
                                   str(len(cfg["OPENAI_API_BASE_URLS"])): {"enable": True}}})
        assert r.status_code == 200, r.text
        assert MODEL in {m["id"] for m in c.get("/api/models", params={"refresh": "true"}).json()["data"]}
    yield Tools(mcpo, mcp, llm)
    llm.stop()
    stop(mcpo)
    stop(mcp)


def tool_chat(stack: Stack, tool_id: str, prompt: str) -> str:
    """A chat as the browser does it (a message id, socket.io): the reply after Open WebUI ran the tool."""
    sock = SocketEvents(stack.owui.url, stack.owui.token)
    try:
        with stack.owui.client(timeout=300) as c:
            r = c.post("/api/chat/completions", json={
                "model": MODEL, "stream": True, "messages": [{"role": "user", "content": prompt}],
                "tool_ids": [tool_id], "params": {"function_calling": "native"},
                "chat_id": f"temporary:{uuid.uuid4()}", "id": str(uuid.uuid4())})
            assert r.status_code == 200, r.text
        deadline = time.monotonic() + 120
        while "TOOL RESULT" not in sock.completion():
            assert time.monotonic() < deadline, sock.events[-5:]
            time.sleep(0.2)
        time.sleep(0.5)
        return sock.completion()
    finally:
        sock.close()


def planted_volumes(stack: Stack) -> set[str]:
    return {i.resource_id for i in stack.sandbox.truth.issues if i.analyzer_id == "finops.ebs_volume_unattached"}


@pytest.mark.parametrize("tool_id", ["server:xops-finops", "server:mcp:xops"])
def test_a_tool_server_runs_an_analyzer_in_a_chat(owui_stack: Stack, tool_servers: Tools, tool_id: str) -> None:
    before = len(tool_servers.llm.requests)
    reply = tool_chat(owui_stack, tool_id, f'call finops_ebs_volume_unattached with {json.dumps({"accounts": ["all"]})}')
    volumes = planted_volumes(owui_stack)
    assert volumes and all(v in reply for v in volumes), reply[:2000]
    offered = [t["function"]["name"] for t in tool_servers.llm.requests[before].body.get("tools") or []]
    assert any("finops_ebs_volume_unattached" in n for n in offered)


def test_the_xops_analyzers_tool_runs_an_analyzer_in_a_chat(owui_stack: Stack, tool_servers: Tools) -> None:
    reply = tool_chat(owui_stack, "xops_analyzers",
                      'call run_analyzers with {"analyzer_ids": "finops.ebs_volume_unattached", "accounts": "all"}')
    assert "xOps run `" in reply
    assert all(v in reply for v in planted_volumes(owui_stack)), reply[:2000]


def test_the_xops_analyzers_tool_finds_an_analyzer_by_its_words(owui_stack: Stack, tool_servers: Tools) -> None:
    """The catalogue is searched, not dumped: a few words find the one analyzer (then run_analyzers runs it)."""
    reply = tool_chat(owui_stack, "xops_analyzers", 'call list_analyzers with {"query": "dynamodb point-in-time recovery"}')
    listed = [line for line in reply.splitlines() if line.startswith("- ")]
    assert listed and listed[0].startswith("- cloudops.dynamodb_pitr_disabled (dynamodb, "), reply[:2000]
