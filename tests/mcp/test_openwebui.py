"""Real Open WebUI: the mcpo OpenAPI servers and the native MCP server, registered through its tool-server
config API, show their tools (verify route, tool list, and the MCP tool specs route)."""

from __future__ import annotations

import pytest

from tests.harness.openwebui import OpenWebUI
from tests.mcp.conftest import MCPO_KEY, TOKEN, RunningServer
from tests.mcp.planted import server_tools
from xops.core import registry

pytestmark = pytest.mark.xdist_group("openwebui")
MOUNTS = ("finops", "cloudops", "devsecops")


def openapi_connection(mcpo: RunningServer, mount: str) -> dict:
    return {"url": f"{mcpo.url}/{mount}", "path": "openapi.json", "type": "openapi", "auth_type": "bearer",
            "key": MCPO_KEY, "config": {"enable": True},
            "info": {"id": f"xops-{mount}", "name": f"xOps {mount}", "description": f"xOps {mount} analyzers"}}


def mcp_connection(mcp_http: RunningServer) -> dict:
    return {"url": f"{mcp_http.url}/mcp", "path": "", "type": "mcp", "auth_type": "bearer", "key": TOKEN,
            "config": {"enable": True}, "info": {"id": "xops", "name": "xOps (MCP)", "description": "all analyzers"}}


def pillar_tools(pillar: str | None) -> set[str]:
    return server_tools(pillar or "xops")


def test_openwebui_shows_the_tools_of_mcpo_and_of_the_native_mcp_server(
    openwebui: OpenWebUI, mcpo: RunningServer, mcp_http: RunningServer
) -> None:
    connections = [openapi_connection(mcpo, m) for m in MOUNTS] + [mcp_connection(mcp_http)]
    with openwebui.client() as owui:
        saved = owui.post("/api/v1/configs/tool_servers", json={"TOOL_SERVER_CONNECTIONS": connections})
        assert saved.status_code == 200, saved.text
        assert len(saved.json()["TOOL_SERVER_CONNECTIONS"]) == 4

        # The verify route: Open WebUI fetches mcpo's OpenAPI (with the key) and lists the MCP server's tools.
        for mount, connection in zip(MOUNTS, connections, strict=False):
            spec = owui.post("/api/v1/configs/tool_servers/verify", json=connection)
            assert spec.status_code == 200, spec.text
            assert {p.strip("/") for p in spec.json()["paths"]} == pillar_tools(mount)
        verified = owui.post("/api/v1/configs/tool_servers/verify", json=connections[3])
        assert verified.status_code == 200, verified.text
        assert {s["name"] for s in verified.json()["specs"]} == pillar_tools(None)

        # The tool list a user sees: one entry per server whose tools loaded.
        listed = {t["id"]: t for t in owui.get("/api/v1/tools/").json()}
        for mount in MOUNTS:
            assert listed[f"server:xops-{mount}"]["name"] == f"xOps {mount}"
        assert listed["server:mcp:xops"]["name"] == "xOps (MCP)"

        # The native MCP server's tools, as Open WebUI discovers them for a chat.
        specs = owui.get("/api/v1/tools/id/server:mcp:xops/specs")
        assert specs.status_code == 200, specs.text
        by_name = {s["name"]: s["description"] for s in specs.json()["specs"]}
        assert set(by_name) == pillar_tools(None)
        meta = registry.get("devsecops.rds_instance_public").meta
        assert meta.risk in by_name["devsecops_rds_instance_public"]


def test_openwebui_refuses_a_wrong_mcp_token(openwebui: OpenWebUI, mcp_http: RunningServer) -> None:
    with openwebui.client() as owui:
        bad = owui.post("/api/v1/configs/tool_servers/verify", json={**mcp_connection(mcp_http), "key": "wrong" * 4})
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Failed to create MCP client"
