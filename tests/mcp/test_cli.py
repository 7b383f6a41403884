"""`xops mcp serve` / `xops mcpo serve` refuse bad setups with a message saying what to do."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.mcp.conftest import XOPS
from xops.mcp.mcpo import generate_config


def xops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in __import__("os").environ.items() if not k.startswith("XOPS_MCP")}
    return subprocess.run([XOPS, *args], capture_output=True, text=True, timeout=60, env={**base, **(env or {})})


@pytest.mark.parametrize(("args", "env", "message"), [
    (["mcp", "serve", "billing"], {}, "unknown MCP server 'billing'"),
    (["mcp", "serve", "finops", "--transport", "http"], {}, "the HTTP transport needs a bearer token"),
    (["mcp", "serve", "finops", "--transport", "http", "--no-auth", "--host", "0.0.0.0"], {},
     "--no-auth is only allowed on 127.0.0.1"),
    (["mcp", "serve", "finops", "--transport", "http"], {"XOPS_MCP_TOKEN": "short"}, "bearer token is too short"),
    (["mcp", "serve", "finops", "--transport", "http", "--token-file", "/nonexistent/token"], {},
     "cannot read the token file /nonexistent/token"),
    (["mcp", "serve", "finops"], {"XOPS_MCP_CACHE_SECONDS": "-1"}, "XOPS_MCP_CACHE_SECONDS='-1'"),
    (["mcpo", "serve"], {}, "mcpo needs an API key"),
    (["mcpo", "serve"], {"XOPS_MCPO_API_KEY": "0123456789abcdef", "XOPS_MCPO_VENV": "/nonexistent"},
     "mcpo's venv is missing"),
])
def test_bad_setups_are_refused_with_a_hint(args: list[str], env: dict[str, str], message: str) -> None:
    r = xops(*args, env=env)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "hint:" in r.stderr


def test_generated_mcpo_config_points_at_this_checkout(tmp_path: Path) -> None:
    config = generate_config(python="/venv/bin/python")
    repo = Path(__file__).resolve().parents[2]
    assert set(config["mcpServers"]) == {"finops", "cloudops", "devsecops"}
    for name, server in config["mcpServers"].items():
        assert server["command"] == "/venv/bin/python"
        assert server["args"] == [str(repo / "mcp_servers" / f"{name}.py"), "--mcpo"]
    broken = tmp_path / "mcp_servers" / "mcpo.json"
    broken.parent.mkdir()
    broken.write_text(json.dumps({"servers": {}}))
    from xops.core.errors import UsageError

    with pytest.raises(UsageError, match="is not valid"):
        generate_config(broken)
