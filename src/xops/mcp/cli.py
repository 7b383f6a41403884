"""`xops mcp serve NAME` (stdio or streamable HTTP with a bearer token) and `xops mcpo serve` (OpenAPI bridge).

Only typer is imported at module level, so `xops --help` stays fast; the MCP SDK loads when a server starts.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

mcp_app = typer.Typer(help="MCP tool servers built from the analyzer registry (finops, cloudops, devsecops, xops).",
                      no_args_is_help=True)
mcpo_app = typer.Typer(help="mcpo: the MCP servers as OpenAPI endpoints (/finops, /cloudops, /devsecops).",
                       no_args_is_help=True)



@mcp_app.callback()
def _mcp_group() -> None:
    """MCP tool servers built from the analyzer registry."""


@mcpo_app.callback()
def _mcpo_group() -> None:
    """mcpo: the MCP servers as OpenAPI endpoints."""


TOKEN_ENV = "XOPS_MCP_TOKEN"
MIN_TOKEN_LENGTH = 16
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


def _fail(message: str, hint: str = "", code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    if hint:
        typer.echo(f"hint: {hint}", err=True)
    return typer.Exit(code)


def read_token(token_file: Path | None) -> str | None:
    from xops.core.errors import UsageError

    if token_file is not None:
        try:
            token = token_file.read_text().strip()
        except OSError as exc:
            raise UsageError(f"cannot read the token file {token_file}: {exc.strerror}",
                             "pass a readable file holding the bearer token") from None
        if not token:
            raise UsageError(f"the token file {token_file} is empty", "write the bearer token into it")
    else:
        token = os.environ.get(TOKEN_ENV, "").strip() or None
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(f"the bearer token is too short ({len(token)} characters)",
                         f"use at least {MIN_TOKEN_LENGTH} random characters, e.g. "
                         "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return token


@mcp_app.command("serve")
def mcp_serve(
    name: Annotated[str, typer.Argument(help="Server: finops, cloudops, devsecops or xops (all analyzers)")],
    transport: Annotated[Transport, typer.Option(help="stdio (Claude Desktop/Code) or http (streamable HTTP)")]
    = Transport.stdio,
    host: Annotated[str, typer.Option(help="HTTP: address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="HTTP: port")] = 8765,
    token_file: Annotated[Path | None, typer.Option(help=f"HTTP: file holding the bearer token (else ${TOKEN_ENV})")]
    = None,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="HTTP: no token (only on 127.0.0.1)")] = False,
    mcpo: Annotated[bool, typer.Option("--mcpo", help="Adapt errors and schemas to the mcpo bridge "
                                                      "(set by mcp_servers/mcpo.json)")] = False,
) -> None:
    """Serve one MCP server: every analyzer of its pillar(s) as a tool, run_scan/get_run, evidence, prompts."""
    from xops.core.errors import XopsError
    from xops.mcp.tools import SERVERS

    if name not in SERVERS:
        raise _fail(f"unknown MCP server {name!r}", f"use one of: {', '.join(SERVERS)}")
    try:
        token = None
        if transport == Transport.http:
            token = None if no_auth else read_token(token_file)
            if no_auth and host not in LOOPBACK:
                raise _fail(f"--no-auth is only allowed on 127.0.0.1, not {host!r}",
                            f"set {TOKEN_ENV} or --token-file to serve on {host}")
            if token is None and not no_auth:
                raise _fail("the HTTP transport needs a bearer token",
                            f"set {TOKEN_ENV} or pass --token-file (or --no-auth for a 127.0.0.1-only test server)")
        from xops.mcp.runner import cache_seconds
        from xops.mcp.server import build_server

        cache_seconds()  # validate XOPS_MCP_CACHE_SECONDS before serving
        server = build_server(name, for_mcpo=mcpo)
    except XopsError as exc:
        raise _fail(exc.message, exc.hint, exc.exit_code) from None
    if transport == Transport.stdio:
        import anyio

        from xops.mcp.server import serve_stdio

        anyio.run(serve_stdio, server)
        return
    from xops.mcp.http import MCP_PATH, serve_http

    typer.echo(f"xops {name} MCP server: http://{host}:{port}{MCP_PATH} "
               f"({'no auth' if token is None else 'bearer token required'})", err=True)
    serve_http(server, host, port, token)


@mcpo_app.command("serve")
def mcpo_serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the OpenAPI server")] = 8800,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    api_key_file: Annotated[Path | None, typer.Option(help="File holding the API key (else $XOPS_MCPO_API_KEY)")]
    = None,
    config: Annotated[Path | None, typer.Option(help="mcpo.json to start from (default mcp_servers/mcpo.json)")]
    = None,
) -> None:
    """Start mcpo (from .venv-mcpo) serving the MCP servers of mcp_servers/mcpo.json as OpenAPI, key required."""
    from xops.core.errors import XopsError
    from xops.mcp import mcpo as bridge
    from xops.settings import data_dir

    try:
        key = bridge.read_key(api_key_file)
        python = bridge.mcpo_python()
        generated = bridge.generate_config(config or bridge.DEFAULT_CONFIG)
        path = bridge.write_config(generated, data_dir() / "mcpo")
    except XopsError as exc:
        raise _fail(exc.message, exc.hint, exc.exit_code) from None
    typer.echo(f"mcpo: http://{host}:{port}/{{{','.join(generated['mcpServers'])}}}/docs (config {path})", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(python, bridge.launch_argv(python, host, port, path), {**os.environ, bridge.KEY_ENV: key})  # nosec B606 # fixed argv, no shell


@mcp_app.command("tools")
def mcp_tools(name: Annotated[str, typer.Argument(help="Server: finops, cloudops, devsecops or xops")]) -> None:
    """List the tools one server offers."""
    from xops.mcp.tools import SERVERS, tool_specs

    if name not in SERVERS:
        raise _fail(f"unknown MCP server {name!r}", f"use one of: {', '.join(SERVERS)}")
    for spec in tool_specs(name):
        typer.echo(f"{spec.name}\t{spec.analyzer_id or 'generic'}\t{spec.title}")


def run_named(name: str) -> None:
    """Entry point of mcp_servers/<name>.py: `xops mcp serve <name>` with the script's arguments."""
    mcp_app(["serve", name, *sys.argv[1:]], prog_name=f"{name}.py")
