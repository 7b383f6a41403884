"""What every request meets before a route: size limits (413 body, 431 headers, as problem+json), security
headers on every response, and per-key rate limits (429 with Retry-After).

- `Guard` is plain ASGI middleware, outermost, so it also covers error responses, the OpenAPI page and SSE
  streams. A body is read up to the limit and replayed to the app; a request announcing more (Content-Length)
  is refused before a byte is read.
- `RateLimiter` wraps the `limits` package (moving windows; in memory per replica by default, any `limits`
  storage URI for a shared one): each key has a request budget, a run budget (POST /v1/runs) and each client
  address a budget of refused keys (slows guessing).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from limits import RateLimitItem, parse_many, storage
from limits.strategies import MovingWindowRateLimiter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
}
# Swagger UI (/docs) and ReDoc load their scripts and styles from jsDelivr.
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
            "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'")
DOCS_PATHS = ("/docs", "/redoc")


def problem_bytes(status: int, title: str, detail: str, hint: str) -> bytes:
    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail,
                       "hint": hint}).encode()


class Guard:
    def __init__(self, app: App, *, max_body_bytes: int, max_header_bytes: int) -> None:
        self.app, self.max_body, self.max_headers = app, max_body_bytes, max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                have = {k.decode().lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name == "content-security-policy" and path.startswith(DOCS_PATHS):
                        value = DOCS_CSP
                    if name not in have:
                        headers.append((name.encode(), value.encode()))
                if path.startswith("/v1/") and "cache-control" not in have:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        size = sum(len(k) + len(v) + 4 for k, v in scope.get("headers", []))
        if size > self.max_headers:
            await self._refuse(send_secured, 431, "request headers too large",
                               f"the request's headers are {size} bytes; this server takes at most {self.max_headers}",
                               "send fewer or shorter headers (XOPS_API_MAX_HEADER_BYTES on the server)")
            return
        declared = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(send_secured, 413, "request body too large",
                               f"the body is {int(declared)} bytes; this server takes at most {self.max_body}",
                               "send a smaller body (XOPS_API_MAX_BODY_BYTES on the server)")
            return
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            chunks, total = [], 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    chunks.append(message)
                    break
                total += len(message.get("body", b""))
                if total > self.max_body:
                    await self._refuse(send_secured, 413, "request body too large",
                                       f"the body is over {self.max_body} bytes, the most this server takes",
                                       "send a smaller body (XOPS_API_MAX_BODY_BYTES on the server)")
                    return
                chunks.append(message)
                if not message.get("more_body"):
                    break
            replay = iter(chunks)

            async def receive_replayed() -> Message:
                try:
                    return next(replay)
                except StopIteration:
                    return await receive()

            await self.app(scope, receive_replayed, send_secured)
            return
        await self.app(scope, receive, send_secured)

    @staticmethod
    async def _refuse(send: Send, status: int, title: str, detail: str, hint: str) -> None:
        body = problem_bytes(status, title, detail, hint)
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class Limited(Exception):
    """A budget is spent: `retry_after` seconds until the next request may pass."""

    def __init__(self, what: str, limit: str, retry_after: int) -> None:
        super().__init__(what)
        self.what, self.limit, self.retry_after = what, limit, retry_after


class RateLimiter:
    def __init__(self, requests: str, runs: str, auth_failures: str, storage_uri: str = "memory://") -> None:
        self._limiter = MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
        self._budgets: dict[str, tuple[str, list[RateLimitItem]]] = {
            "requests": (requests, parse_many(requests)), "runs": (runs, parse_many(runs)),
            "auth_failures": (auth_failures, parse_many(auth_failures))}

    def hit(self, budget: str, who: str) -> None:
        """Count one request against `who`'s budget; raise `Limited` when one of its windows is full."""
        text, items = self._budgets[budget]
        for item in items:
            if not self._limiter.hit(item, budget, who):
                reset, _ = self._limiter.get_window_stats(item, budget, who)
                raise Limited(budget, text, max(1, math.ceil(reset - time.time())))

    def test(self, budget: str, who: str) -> None:
        """Raise `Limited` if `who`'s budget is spent, without counting."""
        text, items = self._budgets[budget]
        for item in items:
            if not self._limiter.test(item, budget, who):
                reset, _ = self._limiter.get_window_stats(item, budget, who)
                raise Limited(budget, text, max(1, math.ceil(reset - time.time())))
