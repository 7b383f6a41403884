"""mcpo (MCP -> OpenAPI bridge) from its own venv, with a config generated from mcp_servers/mcpo.json.

mcp_servers/mcpo.json is written for the repository (`"command": "python"`, script paths relative to the
repository); `generate_config` makes them absolute for this checkout and venv: `python` becomes the
interpreter running xops, relative paths that exist under the repository become absolute. mcpo gets the
API key through the environment (read and removed by the launcher), not on its command line, so it does
not show in the process list and is not passed on to the MCP servers it starts.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from xops.core.errors import UsageError

REPO = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = REPO / "mcp_servers" / "mcpo.json"
DEFAULT_VENV = REPO / ".venv-mcpo"
KEY_ENV = "XOPS_MCPO_API_KEY"
MIN_KEY_LENGTH = 16

# Runs in .venv-mcpo (no xops there): start mcpo's server with the key from the environment.
LAUNCHER = (
    "import asyncio, os, sys\n"
    "from mcpo.main import run\n"
    f"key = os.environ.pop({KEY_ENV!r})\n"
    "asyncio.run(run(sys.argv[1], int(sys.argv[2]), api_key=key, config_path=sys.argv[3], path_prefix='/'))\n"
)


def mcpo_python(venv: Path | None = None) -> Path:
    folder = venv or Path(os.environ.get("XOPS_MCPO_VENV", DEFAULT_VENV))
    python = folder / "bin" / "python"
    if not python.exists():
        raise UsageError(f"mcpo's venv is missing ({python} not found)",
                         "run `./run setup` (it builds .venv-mcpo), or set XOPS_MCPO_VENV to a venv with mcpo")
    return python


def generate_config(source: Path = DEFAULT_CONFIG, python: str | None = None) -> dict[str, Any]:
    """mcpo.json with `python` and repository-relative paths made absolute."""
    try:
        config = json.loads(source.read_text())
        servers = config["mcpServers"]
    except FileNotFoundError:
        raise UsageError(f"mcpo config {source} not found", "pass --config PATH to an mcpo.json") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"mcpo config {source} is not valid ({exc})",
                         "it must be JSON with an \"mcpServers\" object, as in mcp_servers/mcpo.json") from None
    base = source.resolve().parent.parent  # mcp_servers/ lives in the repository root
    for server in servers.values():
        if server.get("command") == "python":
            server["command"] = python or sys.executable
        server["args"] = [str(base / a) if not a.startswith("-") and (base / a).exists() else a
                          for a in server.get("args", [])]
    return config


def read_key(key_file: Path | None) -> str:
    if key_file is not None:
        try:
            key = key_file.read_text().strip()
        except OSError as exc:
            raise UsageError(f"cannot read the API key file {key_file}: {exc.strerror}",
                             "pass a readable file holding the key") from None
    else:
        key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise UsageError("mcpo needs an API key: none given",
                         f"set {KEY_ENV} or pass --api-key-file; make one with "
                         "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    if len(key) < MIN_KEY_LENGTH:
        raise UsageError(f"the mcpo API key is too short ({len(key)} characters)",
                         f"use at least {MIN_KEY_LENGTH} random characters, e.g. secrets.token_urlsafe(32)")
    return key


def write_config(config: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mcpo-config.json"
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


def launch_argv(python: Path, host: str, port: int, config_path: Path) -> list[str]:
    return [str(python), "-c", LAUNCHER, host, str(port), str(config_path)]
