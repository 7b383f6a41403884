"""A real MCP ClientSession over streamable HTTP: `xops mcp serve xops --transport http` with a bearer token."""

from __future__ import annotations

import anyio
import httpx
from mcp import ClientSession, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from tests.harness.aws import SandboxAws
from tests.mcp.conftest import TOKEN, RunningServer
from tests.mcp.planted import plant, server_tools

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
ACCEPT = {"Accept": "application/json, text/event-stream"}


async def session_calls(url: str, token: str, calls: dict[str, dict]) -> tuple[list[types.Tool],
                                                                            dict[str, types.CallToolResult]]:
    client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with client, streamable_http_client(f"{url}/mcp", http_client=client) as (read, write, _), \
            ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        return tools, {tool: await session.call_tool(tool, args) for tool, args in calls.items()}


def test_http_session_lists_its_tools_and_finds_planted_issues(mcp_http: RunningServer,
                                                                    sandbox_aws: SandboxAws) -> None:
    want = plant(sandbox_aws)
    tools, results = anyio.run(session_calls, mcp_http.url, TOKEN,
                               {tool: {"regions": [sandbox_aws.region]} for tool in want})
    assert {t.name for t in tools} == server_tools("xops")
    for tool, ids in want.items():
        result = results[tool]
        assert not result.isError
        assert result.structuredContent is not None
        assert {f["resource_id"] for f in result.structuredContent["findings"]} == ids, tool


def test_http_bad_argument_is_an_error(mcp_http: RunningServer) -> None:
    _, results = anyio.run(session_calls, mcp_http.url, TOKEN, {"describe_analyzer": {"analyzer_id": "finops.nope"}})
    result = results["describe_analyzer"]
    assert result.isError
    message = result.content[0].text  # type: ignore[union-attr]
    assert "unknown analyzer id 'finops.nope'" in message and "list_analyzers" in message


def test_http_without_or_with_a_wrong_token_is_refused(mcp_http: RunningServer) -> None:
    none = httpx.post(f"{mcp_http.url}/mcp", json=INIT, headers=ACCEPT, timeout=10)
    assert none.status_code == 401
    assert none.json()["message"].startswith("missing bearer token")
    assert none.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(f"{mcp_http.url}/mcp", json=INIT, headers={**ACCEPT, "Authorization": "Bearer x" * 3},
                       timeout=10)
    assert wrong.status_code == 401 and wrong.json()["message"].startswith("invalid bearer token")
    ok = httpx.post(f"{mcp_http.url}/mcp", json=INIT, headers={**ACCEPT, "Authorization": f"Bearer {TOKEN}"},
                    timeout=10)
    assert ok.status_code == 200 and ok.json()["result"]["serverInfo"]["name"] == "xops-xops"
