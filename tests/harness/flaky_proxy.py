"""An HTTP proxy on 127.0.0.1 that fails part-way, to test that a client survives a crash mid-run.

`FlakyProxy(upstream, allow=N)` forwards the first N requests. Request N+1 is forwarded too, but its answer
is dropped (the connection closes with no response: the change happened, the client cannot know); every
later request is dropped without being forwarded. `forwarded` counts what reached the upstream.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from xops.sandbox.moto_server import free_port

HOP_HEADERS = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "accept-encoding"}


class FlakyProxy:
    def __init__(self, upstream: str, allow: int) -> None:
        self.upstream = upstream.rstrip("/")
        self.allow = allow
        self.seen = 0
        self.forwarded = 0
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FlakyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy._lock:
                    proxy.seen += 1
                    n = proxy.seen
                if n > proxy.allow + 1:
                    self.close_connection = True  # dropped, never forwarded
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                r = proxy._client.request(self.command, proxy.upstream + self.path, headers=headers, content=body)
                with proxy._lock:
                    proxy.forwarded += 1
                if n == proxy.allow + 1:
                    self.close_connection = True  # forwarded, answer lost
                    return
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in HOP_HEADERS | {"content-encoding"}:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _relay

        return Handler
