"""Open WebUI surface fixtures: one real sandbox + Runbooks API (with a cost-centre mapping) per worker, and
xOps installed into the shared real Open WebUI (tests/harness/openwebui.py) with `xops owui install`."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness.api import KEY, ApiServer, api_env
from tests.harness.openwebui import OpenWebUI
from tests.harness.sandbox import XOPS, RunningSandbox, start_running_sandbox

COST_CENTRES = {"users": {"alice@xops.test": ["platform"], "bob@xops.test": ["payments"]}}
PASSWORD = "user-password-123"


@dataclass
class Stack:
    sandbox: RunningSandbox
    api: ApiServer
    owui: OpenWebUI
    install_output: str
    users: dict[str, str] = field(default_factory=dict)  # email -> bearer token

    def install(self, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([XOPS, "owui", "install", "--url", self.owui.url, "--token", self.owui.token,
                               "--api-url", self.api.url, "--api-key", KEY, "--accounts", "all", *extra],
                              capture_output=True, text=True, timeout=300)

    def user(self, email: str) -> str:
        """A non-admin Open WebUI user's token (created once, role user)."""
        if email not in self.users:
            with self.owui.client() as c:
                r = c.post("/api/v1/auths/add", json={"name": email.split("@")[0].title(), "email": email,
                                                      "password": PASSWORD, "role": "user"})
                assert r.status_code == 200, r.text
                self.users[email] = r.json()["token"]
        return self.users[email]


@pytest.fixture(scope="session")
def owui_stack(openwebui: OpenWebUI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("owui-stack")
    proc, sandbox = start_running_sandbox(tmp)
    api = ApiServer(api_env(sandbox.env, tmp / "api-data", XOPS_COST_CENTRES=json.dumps(COST_CENTRES)),
                    tmp / "api.log").start()
    stack = Stack(sandbox, api, openwebui, "")
    first = stack.install()
    assert first.returncode == 0, first.stderr + first.stdout
    stack.install_output = first.stdout
    yield stack
    api.stop()
    proc.terminate()
    proc.wait(timeout=30)


def chat(owui_url: str, token: str, model: str, prompt: str, timeout: float = 300, **extra: Any) -> str:
    """A streamed chat completion through Open WebUI; returns the streamed text (raises on an error frame)."""
    text: list[str] = []
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True, **extra}
    with httpx.Client(base_url=owui_url, headers={"Authorization": f"Bearer {token}"},
                      timeout=httpx.Timeout(timeout)) as c, c.stream("POST", "/api/chat/completions", json=body) as r:
        if r.status_code != 200:
            r.read()
            raise ChatError(r.status_code, r.text)
        for line in r.iter_lines():
            if not line.startswith("data:") or line.strip() == "data: [DONE]":
                continue
            doc = json.loads(line[5:])
            if "error" in doc:
                raise ChatError(200, json.dumps(doc["error"]))
            for choice in doc.get("choices") or []:
                text.append((choice.get("delta") or {}).get("content") or "")
    return "".join(text)


class ChatError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(f"HTTP {status}: {text[:500]}")
        self.status, self.text = status, text


class SocketEvents:
    """A socket.io client signed in as one user, collecting the `events` Open WebUI sends to their room."""

    def __init__(self, owui_url: str, token: str) -> None:
        import socketio

        self.events: list[dict[str, Any]] = []
        self.answers: dict[str, Any] = {}  # event type (confirmation, input) -> what this "browser" answers
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("events", self._on)
        self.sio.connect(owui_url, socketio_path="/ws/socket.io", auth={"token": token}, transports=["websocket"],
                         wait_timeout=20)

    def _on(self, data: dict[str, Any]) -> Any:
        with self.lock:
            self.events.append({**data, "_t": time.monotonic()})
        return self.answers.get((data.get("data") or {}).get("type"))

    @property
    def sid(self) -> str:
        return str(self.sio.get_sid())

    def statuses(self) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.events if (e.get("data") or {}).get("type") == "status"]

    def completion(self) -> str:
        """The reply Open WebUI streamed over socket.io (`response:completion` output_text deltas)."""
        with self.lock:
            data = [(e.get("data") or {}) for e in self.events]
        return "".join(d["data"].get("delta", "") for d in data if d.get("type") == "response:completion"
                       and (d.get("data") or {}).get("type") == "response.output_text.delta")

    def close(self) -> None:
        self.sio.disconnect()


def planted(sandbox: RunningSandbox, pillar: str) -> list[Any]:
    return [i for i in sandbox.truth.issues if i.analyzer_id.startswith(f"{pillar}.")]


def log_tail(path: Path, n: int = 3000) -> str:
    return path.read_text()[-n:] if path.exists() else ""
