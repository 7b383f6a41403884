"""The admin-installed filters (redaction, scope, audit, budget) and actions (export evidence, approve
remediation) in a real Open WebUI, against the real Runbooks API."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx
import pytest

from tests.harness.api import KEY
from tests.owui.conftest import ChatError, SocketEvents, Stack, chat
from xops.owui.shared import run_id_in

pytestmark = pytest.mark.xdist_group("openwebui")
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE"
ACCESS_KEY = "AKIAZ7QWERTYUIOPASDF"


def service(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=stack.api.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=60)


def audit(stack: Stack, **params: Any) -> list[dict[str, Any]]:
    with service(stack) as c:
        r = c.get("/v1/audit", params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return r.json()["records"]


def test_a_planted_secret_reaches_neither_the_api_nor_the_reply(owui_stack: Stack) -> None:
    prompt = f"my creds are {ACCESS_KEY} / aws_secret_access_key={SECRET}; what is exposed?"
    answer = chat(owui_stack.owui.url, owui_stack.owui.token, "xops.devsecops", prompt)
    assert SECRET not in answer and ACCESS_KEY not in answer
    assert "[REDACTED:aws-access-key-id]" in answer and "[REDACTED:aws-secret-key]" in answer
    created = [r for r in audit(owui_stack, action="run.created") if "what is exposed?" in str(r["detail"])]
    assert len(created) == 1
    assert SECRET not in str(created[0]["detail"]) and ACCESS_KEY not in str(created[0]["detail"])
    text = (owui_stack.api.data_dir / "audit" / "audit.jsonl").read_text()
    assert SECRET not in text and ACCESS_KEY not in text


def test_users_in_different_cost_centres_get_disjoint_findings_and_an_unmapped_user_is_refused(
        owui_stack: Stack) -> None:
    found: dict[str, set[str]] = {}
    for email, centre in (("alice@xops.test", "platform"), ("bob@xops.test", "payments")):
        answer = chat(owui_stack.owui.url, owui_stack.user(email), "xops.finops", f"waste for {email}?")
        run_id = run_id_in(answer)
        assert run_id, answer
        with service(owui_stack) as c:
            run = c.get(f"/v1/runs/{run_id}").json()
            rows = c.get(f"/v1/runs/{run_id}/findings", params={"status": "FAIL", "limit": 1000}).json()["findings"]
        assert run["owner"] == email
        assert rows and {r["cost_centre"] for r in rows} == {centre}
        found[email] = {r["resource_id"] for r in rows}
    assert not found["alice@xops.test"] & found["bob@xops.test"]

    with pytest.raises(ChatError) as refused:
        chat(owui_stack.owui.url, owui_stack.user("mallory@xops.test"), "xops.finops", "show me everything")
    assert "no cost centre for this user" in refused.value.text
    assert "XOPS_COST_CENTRES" in refused.value.text
    assert any(r["user"] == "mallory@xops.test" for r in audit(owui_stack, action="scope.refused"))


def test_each_chat_leaves_an_audit_record(owui_stack: Stack) -> None:
    prompts = [f"audit me {i}: anything fragile?" for i in range(2)]
    for prompt in prompts:
        chat(owui_stack.owui.url, owui_stack.owui.token, "xops.cloudops", prompt)
    deadline = time.monotonic() + 20
    while True:
        records = audit(owui_stack, action="chat")
        hashes = {r["detail"]["prompt_sha256"] for r in records}
        if all(hashlib.sha256(p.encode()).hexdigest() in hashes for p in prompts) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    for prompt in prompts:
        mine = [r for r in records if r["detail"]["prompt_sha256"] == hashlib.sha256(prompt.encode()).hexdigest()]
        assert len(mine) == 1, records
        assert mine[0]["user"] == "admin@xops.test" and mine[0]["detail"]["model"] == "xops.cloudops"
        assert mine[0]["detail"]["latency_ms"] > 0
        assert prompt not in str(mine[0])


def test_budget_refuses_once_spent(owui_stack: Stack) -> None:
    token = owui_stack.user("bob@xops.test")
    with owui_stack.owui.client() as c:
        c.post("/api/v1/functions/id/xops_budget/valves/update",
               json={"tokens_per_day": 5, "state_file": str(owui_stack.api.data_dir / "budget.json")})
    try:
        chat(owui_stack.owui.url, token, "xops.finops", "a question longer than five tokens, surely")
        with pytest.raises(ChatError) as refused:
            chat(owui_stack.owui.url, token, "xops.finops", "again")
    finally:
        with owui_stack.owui.client() as c:
            c.post("/api/v1/functions/id/xops_budget/valves/update", json={"tokens_per_day": 0})
    assert "xOps budget exceeded" in refused.value.text and "resets at 00:00 UTC" in refused.value.text


def action(stack: Stack, action_id: str, answer: str, session_id: str = "") -> dict[str, Any]:
    body = {"model": "xops.finops", "id": "m-1", "chat_id": "", "session_id": session_id,
            "messages": [{"id": "m-0", "role": "user", "content": "q"},
                         {"id": "m-1", "role": "assistant", "content": answer}]}
    with owui_stack_client(stack) as c:
        r = c.post(f"/api/chat/actions/{action_id}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def owui_stack_client(stack: Stack) -> httpx.Client:
    return stack.owui.client(timeout=120)


def test_export_evidence_attaches_the_runs_files(owui_stack: Stack) -> None:
    answer = chat(owui_stack.owui.url, owui_stack.owui.token, "xops.finops", "export me")
    run_id = run_id_in(answer)
    result = action(owui_stack, "xops_export_evidence", answer)
    assert result["run_id"] == run_id
    assert [f["name"] for f in result["files"]] == ["findings.csv", "findings.json"]
    for f in result["files"]:
        with owui_stack.owui.client() as c:
            stored = c.get(f["url"])
        with service(owui_stack) as c:
            original = c.get(f"/v1/runs/{run_id}/evidence/{f['name']}")
        assert stored.status_code == 200 and stored.content == original.content
        assert hashlib.sha256(stored.content).hexdigest() == f["sha256"]
    assert "error" in action(owui_stack, "xops_export_evidence", "no run here")


def test_approve_remediation_refuses_while_writes_are_disabled(owui_stack: Stack) -> None:
    answer = chat(owui_stack.owui.url, owui_stack.owui.token, "xops.finops", "approve something")
    off = action(owui_stack, "xops_approve_remediation", answer)
    assert off["status"] == "refused" and "approvals are off" in off["error"]

    with owui_stack.owui.client() as c:
        c.post("/api/v1/functions/id/xops_approve_remediation/valves/update",
               json={"enabled": True, "api_url": owui_stack.api.url, "api_key": KEY})
    sock = SocketEvents(owui_stack.owui.url, owui_stack.owui.token)
    sock.answers = {"confirmation": True, "input": ""}
    try:
        refused = action(owui_stack, "xops_approve_remediation", answer, session_id=sock.sid)
    finally:
        sock.close()
        with owui_stack.owui.client() as c:
            c.post("/api/v1/functions/id/xops_approve_remediation/valves/update",
                   json={"enabled": False, "api_url": owui_stack.api.url, "api_key": KEY})
    asked = [e["data"]["type"] for e in sock.events]
    assert "input" in asked and "confirmation" in asked
    assert refused["status"] == "refused" and "writes are disabled" in refused["error"]
    assert "XOPS_ALLOW_WRITES=true" in refused["error"]
    assert audit(owui_stack, action="approval.refused", run_id=run_id_in(answer))
