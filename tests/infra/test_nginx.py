"""Real nginx (Debian's package, run as a non-root process with a temp prefix on free ports) in front of a
Python backend on 127.0.0.1 (HTTP + a WebSocket echo): TLS from make-cert.sh, HSTS and security headers,
the HTTP -> HTTPS redirect, forwarded headers, and WebSocket round trips on /ws/ and /socket.io/."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import ssl
import string
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus
from websockets.http11 import Response
from websockets.sync.client import connect

from tests.infra.facts import INFRA
from xops.sandbox.moto_server import free_port

TEMPLATE = INFRA / "nginx/templates/xops.conf.template"
MAKE_CERT = INFRA / "nginx/make-cert.sh"


class Backend:
    """Stands in for Open WebUI: answers HTTP with what it received, echoes WebSocket messages."""

    def __init__(self) -> None:
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Backend:
        self._thread.start()
        assert self._ready.wait(10), "backend did not start"
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        async def echo(ws) -> None:
            async for message in ws:
                await ws.send(f"echo {ws.request.path}: {message}")

        def plain_http(connection, request):
            if request.headers.get("Upgrade", "").lower() == "websocket":
                return None  # go on with the WebSocket handshake
            body = json.dumps({"path": request.path, "headers": dict(request.headers.raw_items())}).encode()
            # One request per connection (this server closes after answering): say so, so nginx does not
            # keep the connection for a later request (Open WebUI's uvicorn does keep-alive properly).
            return Response(HTTPStatus.OK, "OK", Headers({"Content-Type": "application/json", "Connection": "close",
                                                        "Content-Length": str(len(body))}), body)

        self._stop = self._loop.create_future()
        async with serve(echo, "127.0.0.1", self.port, process_request=plain_http):
            self._ready.set()
            await self._stop


@dataclass
class Edge:
    http: int
    https: int
    cert: Path
    tmp: Path

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def nginx_user() -> dict:
    """Run nginx as `nobody` when we are root; as ourselves otherwise (never as root)."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid}


@pytest.fixture(scope="module")
def edge() -> Iterator[Edge]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert nginx, "nginx is not installed: ./run setup installs Debian's nginx-light (as root)"
    # Directly under /tmp: pytest's own temp folders are private to root, and nginx runs as `nobody`.
    tmp = Path(tempfile.mkdtemp(prefix="xops-nginx-"))
    made = subprocess.run([str(MAKE_CERT), str(tmp / "certs")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XOPS_CERT_TOOL": "openssl"})
    assert made.returncode == 0 and "self-signed certificate (openssl)" in made.stdout, made.stderr
    backend = Backend().start()
    http_port, https_port = free_port(), free_port()
    rendered = string.Template(TEMPLATE.read_text()).safe_substitute(
        NGINX_HTTP_PORT=f"127.0.0.1:{http_port}", NGINX_HTTPS_PORT=f"127.0.0.1:{https_port}",
        NGINX_PUBLIC_HTTPS_PORT=str(https_port), NGINX_CERT_DIR=str(tmp / "certs"),
        OPEN_WEBUI_UPSTREAM=f"127.0.0.1:{backend.port}")
    assert "${" not in rendered, "a template variable was left unrendered"
    (tmp / "xops.conf").write_text(rendered)
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp}/{kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        f"worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log notice;\ndaemon off;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n    access_log {tmp}/access.log;\n{temp_paths}\n    include {tmp}/xops.conf;\n}}\n")
    user = nginx_user()
    if user:
        for path in [tmp, *tmp.rglob("*")]:
            os.chown(path, user["user"], user["group"])
    argv = [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")]
    check = subprocess.run([*argv, "-t"], capture_output=True, text=True, timeout=30, **user)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **user)
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=1)
            break
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "nginx exited"
            assert time.monotonic() < deadline, "nginx did not answer in 15 s"
            time.sleep(0.1)
    yield Edge(http_port, https_port, tmp / "certs" / "xops.crt", tmp)
    proc.terminate()
    proc.wait(timeout=10)
    backend.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def test_nginx_runs_as_a_non_root_process(edge: Edge) -> None:
    pid = int((edge.tmp / "nginx.pid").read_text())
    uids = [line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Uid:")]
    assert uids and uids[0] != "0"


def test_http_redirects_to_https_and_answers_health(edge: Edge) -> None:
    health = httpx.get(f"http://127.0.0.1:{edge.http}/healthz")
    assert health.status_code == 200 and health.text == "ok\n"
    redirect = httpx.get(f"http://127.0.0.1:{edge.http}/c/123?x=1", follow_redirects=False)
    assert redirect.status_code == 301
    assert redirect.headers["location"] == f"https://127.0.0.1:{edge.https}/c/123?x=1"


def test_https_proxies_to_open_webui_with_tls_hsts_and_security_headers(edge: Edge) -> None:
    with httpx.Client(verify=edge.tls()) as client:
        response = client.get(f"https://127.0.0.1:{edge.https}/api/config", headers={"X-Test": "1"})
    assert response.status_code == 200
    seen = response.json()
    assert seen["path"] == "/api/config"
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["x-forwarded-proto"] == "https" and headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["host"] == "127.0.0.1" and headers["x-test"] == "1"
    assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["server"] == "nginx"  # no version
    with httpx.Client(verify=edge.tls()) as client:
        extension = client.get(f"https://127.0.0.1:{edge.https}/healthz").extensions["network_stream"]
        assert extension.get_extra_info("ssl_object").version() in ("TLSv1.3", "TLSv1.2")
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"https://127.0.0.1:{edge.https}/", verify=ssl.create_default_context())


@pytest.mark.parametrize("path", ["/ws/socket.io/?EIO=4&transport=websocket", "/socket.io/?EIO=4&transport=websocket"])
def test_websocket_round_trip_through_nginx(edge: Edge, path: str) -> None:
    try:
        ws = connect(f"wss://127.0.0.1:{edge.https}{path}", ssl=edge.tls(), open_timeout=30)
    except TimeoutError as exc:  # seen once in a full run, not since: keep what nginx saw
        logs = {name: (edge.tmp / name).read_text()[-2000:] for name in ("error.log", "access.log")
                if (edge.tmp / name).exists()}
        raise AssertionError(f"no WebSocket handshake through nginx in 30 s; nginx logs: {logs}") from exc
    with ws:
        for message in ("40", "hello xops", "x" * 10_000):
            ws.send(message)
            assert ws.recv(timeout=30) == f"echo {path}: {message}"


def test_websocket_upgrade_is_only_passed_on_the_socket_paths(edge: Edge) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"wss://127.0.0.1:{edge.https}/api/chat", ssl=edge.tls(), open_timeout=30)
    assert refused.value.response.status_code == 200  # the backend saw a plain request: no Upgrade passed
