"""Streamable HTTP transport (what Open WebUI's native MCP client speaks) behind a bearer token.

`POST/GET/DELETE /mcp` is the MCP endpoint; `GET /health` answers without auth for probes. Every other
request needs `Authorization: Bearer <token>`; a missing or wrong token gets 401 and a message saying so.
"""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

MCP_PATH = "/mcp"


async def _unauthorized(send: Send, message: str) -> None:
    body = json.dumps({"error": "unauthorized", "message": message}).encode()
    await send({"type": "http.response.start", "status": 401,
                "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="xops-mcp"'),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class _McpEndpoint:
    """ASGI endpoint: checks the bearer token, then hands the request to the session manager."""

    def __init__(self, manager: StreamableHTTPSessionManager, token: str | None) -> None:
        self.manager = manager
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is not None:
            headers = dict(scope.get("headers", []))
            auth = headers.get(b"authorization", b"")
            scheme, _, given = auth.partition(b" ")
            if not auth or scheme.lower() != b"bearer":
                await _unauthorized(send, "missing bearer token: send 'Authorization: Bearer <token>' with the "
                                          "token the server was started with (XOPS_MCP_TOKEN or --token-file)")
                return
            if not hmac.compare_digest(given.strip(), self.token):
                await _unauthorized(send, "invalid bearer token: use the token the server was started with "
                                          "(XOPS_MCP_TOKEN or --token-file)")
                return
        await self.manager.handle_request(scope, receive, send)


def http_app(server: Server[Any, Any], token: str | None) -> Starlette:
    """The ASGI app serving `server` over streamable HTTP at /mcp (JSON responses, stateful sessions)."""
    manager = StreamableHTTPSessionManager(app=server, json_response=True)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    async def health(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(MCP_PATH, endpoint=_McpEndpoint(manager, token), methods=["GET", "POST", "DELETE"]),
                             Route("/health", endpoint=health)], lifespan=lifespan)


def serve_http(server: Server[Any, Any], host: str, port: int, token: str | None) -> None:
    import uvicorn

    uvicorn.run(http_app(server, token), host=host, port=port, log_level="warning")
