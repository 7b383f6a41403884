"""xOps installed into a real Open WebUI with `xops owui install`: the models, a streamed FinOps chat with
its status events over socket.io, idempotency, and uninstall."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from tests.harness.sandbox import XOPS
from tests.owui.conftest import SocketEvents, Stack, chat, planted
from xops.owui.build import TARGETS

pytestmark = pytest.mark.xdist_group("openwebui")
MODELS = {"xops.finops": "xOps FinOps", "xops.cloudops": "xOps CloudOps", "xops.devsecops": "xOps DevSecOps"}


def test_install_creates_everything_then_a_second_run_changes_nothing(owui_stack: Stack) -> None:
    first = owui_stack.install_output
    installed = [t for t in TARGETS if t.kind != "pipeline"]
    for target in installed:
        assert f"{target.id}" in first
    second = owui_stack.install()
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "nothing to change: xOps is already installed"

    with owui_stack.owui.client() as c:
        functions = {f["id"]: f for f in c.get("/api/v1/functions/").json()}
        models = {m["id"]: m for m in c.get("/api/models").json()["data"]}
        tools = {t["id"] for t in c.get("/api/v1/tools/").json()}
        valves = c.get("/api/v1/functions/id/xops/valves").json()
    for target in installed:
        if target.kind != "tool":
            assert functions[target.id]["type"] == target.kind and functions[target.id]["is_active"], target.id
    assert functions["xops_redaction"]["is_global"] and functions["xops_audit"]["is_global"]
    assert not functions["xops_scope"]["is_global"]
    assert "xops_analyzers" in tools
    assert valves["api_url"] == owui_stack.api.url and valves["accounts"] == "all"
    for model_id, name in MODELS.items():
        assert models[model_id]["name"] == name
        meta = models[model_id]["info"]["meta"]
        assert meta["filterIds"] == ["xops_scope", "xops_budget"]
        assert meta["actionIds"] == ["xops_export_evidence", "xops_approve_remediation"]


def test_install_dry_run_and_bad_credentials_say_what_is_wrong(owui_stack: Stack) -> None:
    dry = owui_stack.install("--dry-run", "--regions", "us-east-1")
    assert dry.returncode == 0, dry.stderr
    assert "would set valves of pipe xops" in dry.stdout
    with owui_stack.owui.client() as c:  # the dry run changed nothing
        assert c.get("/api/v1/functions/id/xops/valves").json()["regions"] == ""
    bad = owui_stack.install("--token", "not-a-token")
    assert bad.returncode == 2
    assert "Open WebUI refused the token" in bad.stderr and "hint:" in bad.stderr


def test_streamed_finops_chat_names_planted_resources_with_status_events(owui_stack: Stack) -> None:
    sock = SocketEvents(owui_stack.owui.url, owui_stack.owui.token)
    try:
        t0 = time.monotonic()
        answer = chat(owui_stack.owui.url, owui_stack.owui.token, "xops.finops", "what is wasting money?")
        deadline = time.monotonic() + 10
        while not any("Done:" in s["data"]["data"]["description"] for s in sock.statuses()):
            assert time.monotonic() < deadline, sock.events
            time.sleep(0.1)
    finally:
        sock.close()

    assert "**Question:** what is wasting money?" in answer
    issues = sorted(planted(owui_stack.sandbox, "finops"), key=lambda i: -(i.expected_usd or 0))
    for issue in issues[:5]:  # the costliest planted resources and their dollars
        assert issue.resource_id in answer, issue
        assert f"{issue.expected_usd:,.2f}" in answer, issue
    assert "data:image/svg+xml;base64," in answer  # the FinOps chart
    assert "xOps run `" in answer and "/v1/runs/" not in answer  # no dead links to the API

    descriptions = [s["data"]["data"]["description"] for s in sock.statuses()]
    assert descriptions[0] == "Starting an xOps FinOps run"
    assert any(d.startswith("Scanning 2 account(s) × 3 region(s)") for d in descriptions), descriptions
    assert any(d.startswith("Analyzing: ") for d in descriptions), descriptions
    assert descriptions[-1].startswith("Done: ")
    first_status = sock.statuses()[0]["_t"] - t0
    assert first_status >= 0


def test_models_are_listed_for_a_user_and_a_bad_api_key_is_reported(owui_stack: Stack) -> None:
    token = owui_stack.user("carol@xops.test")
    with httpx.Client(base_url=owui_stack.owui.url, headers={"Authorization": f"Bearer {token}"}) as c:
        ids = {m["id"] for m in c.get("/api/models").json()["data"]}
    assert set(MODELS) <= ids
    with owui_stack.owui.client() as c:
        valves = c.get("/api/v1/functions/id/xops/valves").json()
        c.post("/api/v1/functions/id/xops/valves/update", json={**valves, "api_key": "wrong-key-000000"})
    try:
        answer = chat(owui_stack.owui.url, owui_stack.owui.token, "xops.cloudops", "anything fragile?")
    finally:
        with owui_stack.owui.client() as c:
            c.post("/api/v1/functions/id/xops/valves/update", json=valves)
    assert answer.startswith("xOps: invalid API key")
    assert "XOPS_API_KEYS" in answer


def test_uninstall_removes_only_what_xops_installed_then_reinstall(owui_stack: Stack) -> None:
    other = '"""\ntitle: Someone else\nauthor: someone\nversion: 1\n"""\n\nclass Filter:\n    def inlet(self, body):\n        return body\n'
    foreign = {"url": "http://127.0.0.1:9/other", "path": "openapi.json", "type": "openapi", "auth_type": "none",
               "key": "", "config": {"enable": False}, "info": {"id": "someone-else", "name": "Other"}}
    with owui_stack.owui.client() as c:
        r = c.post("/api/v1/functions/create", json={"id": "someone_else", "name": "Someone else", "content": other,
                                                      "meta": {"description": "not ours"}})
        assert r.status_code == 200, r.text
        servers = c.get("/api/v1/configs/tool_servers").json()["TOOL_SERVER_CONNECTIONS"]
        c.post("/api/v1/configs/tool_servers", json={"TOOL_SERVER_CONNECTIONS": [*servers, foreign]})
    base = [XOPS, "owui", "uninstall", "--url", owui_stack.owui.url, "--token", owui_stack.owui.token]
    try:
        dry = subprocess.run([*base, "--dry-run"], capture_output=True, text=True, timeout=120)
        assert dry.returncode == 0 and "would delete pipe xops\n" in dry.stdout, dry.stderr
        gone = subprocess.run(base, capture_output=True, text=True, timeout=120)
        assert gone.returncode == 0, gone.stderr
        assert "delete model entry xops.finops" in gone.stdout
        with owui_stack.owui.client() as c:
            functions = {f["id"] for f in c.get("/api/v1/functions/").json()}
            tools = {t["id"] for t in c.get("/api/v1/tools/").json()}
            servers = c.get("/api/v1/configs/tool_servers").json()["TOOL_SERVER_CONNECTIONS"]
            models = {m["id"] for m in c.get("/api/models", params={"refresh": "true"}).json()["data"]}
        assert "someone_else" in functions and not {t.id for t in TARGETS} & (functions | tools)
        assert [s["info"]["id"] for s in servers] == ["someone-else"]
        assert not set(MODELS) & models
        again = subprocess.run(base, capture_output=True, text=True, timeout=120)
        assert again.stdout.strip() == "nothing to change: xOps is already removed"
    finally:
        reinstall = owui_stack.install()
        assert reinstall.returncode == 0, reinstall.stderr
        with owui_stack.owui.client() as c:
            c.delete("/api/v1/functions/id/someone_else/delete")
            servers = c.get("/api/v1/configs/tool_servers").json()["TOOL_SERVER_CONNECTIONS"]
            c.post("/api/v1/configs/tool_servers",
                   json={"TOOL_SERVER_CONNECTIONS": [s for s in servers if s["info"]["id"] != "someone-else"]})
