"""MCP test fixtures: real servers in subprocesses (stdio, streamable HTTP, mcpo) reading the moto server of
the root conftest.py. The inventory cache is off (XOPS_MCP_CACHE_SECONDS=0) so each test sees what it created."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from xops.sandbox.moto_server import MotoServer, free_port

XOPS = str(Path(sys.executable).with_name("xops"))
TOKEN = "test-token-0123456789abcdef"
MCPO_KEY = "test-mcpo-key-0123456789abcdef"
REPO = Path(__file__).resolve().parents[2]


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server subprocess: this process's (moto endpoint, fake credentials) + ours."""
    return {**os.environ, "XOPS_DATA_DIR": str(data_dir), "XOPS_MCP_CACHE_SECONDS": "0", "XOPS_PRICING": "offline",
            **extra}


@asynccontextmanager
async def stdio_session(name: str, env: dict[str, str], *args: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=XOPS, args=["mcp", "serve", name, "--transport", "stdio", *args], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90, **kw: Any) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            r = httpx.get(url, timeout=5, **kw)
            if r.status_code == 200:
                return r
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} not up in {timeout} s: {log.read_text()[-3000:]}")
        time.sleep(0.2)


@dataclass
class RunningServer:
    url: str  # base URL, e.g. http://127.0.0.1:1234
    proc: subprocess.Popen
    data_dir: Path


def start(args: list[str], env: dict[str, str], log: Path, ready_path: str, **kw: Any) -> RunningServer:
    port = free_port()
    proc = subprocess.Popen([XOPS, *args, "--port", str(port)], env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + ready_path, proc, log, **kw)
    return RunningServer(url, proc, Path(env["XOPS_DATA_DIR"]))


def stop(server: RunningServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="session")
def mcp_http(moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`xops mcp serve xops --transport http` with a bearer token (XOPS_MCP_TOKEN)."""
    tmp = tmp_path_factory.mktemp("mcp-http")
    server = start(["mcp", "serve", "xops", "--transport", "http"], server_env(tmp, XOPS_MCP_TOKEN=TOKEN),
                   tmp / "server.log", "/health")
    yield server
    stop(server)


@pytest.fixture(scope="session")
def mcpo(moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`xops mcpo serve` (mcpo from .venv-mcpo) mounting /finops, /cloudops, /devsecops."""
    tmp = tmp_path_factory.mktemp("mcpo")
    server = start(["mcpo", "serve"], server_env(tmp, XOPS_MCPO_API_KEY=MCPO_KEY), tmp / "mcpo.log",
                   "/finops/openapi.json")
    for name in ("cloudops", "devsecops"):
        wait_http(f"{server.url}/{name}/openapi.json", server.proc, tmp / "mcpo.log")
    yield server
    stop(server)
