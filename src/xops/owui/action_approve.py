"""
title: xOps approve remediation
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: Approves the remediation of one finding of the xOps run behind an answer, after a confirmation; recorded in the xOps audit. Off unless an admin enables it here and allows writes on the API (XOPS_ALLOW_WRITES).
"""

from typing import Any

from pydantic import BaseModel, Field

from xops.owui.shared import XopsApi, XopsApiError, identity_headers, run_id_in, user_groups


def answer_text(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    chosen = next((m for m in messages if m.get("id") and m.get("id") == body.get("id")), None)
    chosen = chosen or next((m for m in reversed(messages) if m.get("role") == "assistant"), {})
    return str(chosen.get("content") or "")


class Action:
    class Valves(BaseModel):
        enabled: bool = Field(False, description="Allow approvals from the chat (the API must also have "
                                                 "XOPS_ALLOW_WRITES=true)")
        api_url: str = Field("http://127.0.0.1:8700", description="The xOps Runbooks API")
        api_key: str = Field("", description="An xOps API key (XOPS_API_KEYS on the API)")

    def __init__(self) -> None:
        self.valves = self.Valves()

    async def action(self, body: dict[str, Any], __user__: dict[str, Any] | None = None,
                     __event_emitter__: Any = None, __event_call__: Any = None) -> dict[str, Any]:
        async def say(text: str) -> None:
            if __event_emitter__ is not None:
                await __event_emitter__({"type": "status", "data": {"description": text, "done": True}})

        if not self.valves.enabled:
            message = ("xOps: remediation approvals are off. An admin must enable this action's 'enabled' valve "
                       "and set XOPS_ALLOW_WRITES=true on the xOps API.")
            await say("Approvals are off")
            return {"status": "refused", "error": message}
        run_id = run_id_in(answer_text(body))
        if run_id is None:
            return {"status": "refused", "error": "this message has no xOps run to approve a remediation from"}
        try:
            api = XopsApi(self.valves.api_url, self.valves.api_key,
                          identity_headers(__user__, await user_groups(__user__)), timeout=60)
            page = await api.get_json(f"/v1/runs/{run_id}/findings", status="FAIL", limit=50)
            if not page["findings"]:
                return {"status": "refused", "error": f"run {run_id} has no failed finding to remediate"}
            top = page["findings"][0]
            resource = top["resource_id"]
            if __event_call__ is not None:
                picked = await __event_call__({"type": "input", "data": {
                    "title": "Approve an xOps remediation",
                    "message": "Resource id of the finding to remediate (the most important one is filled in)",
                    "placeholder": resource, "value": resource}})
                if isinstance(picked, str) and picked.strip():
                    resource = picked.strip()
            finding = next((f for f in page["findings"] if f["resource_id"] == resource), None)
            if finding is None:
                return {"status": "refused", "error": f"run {run_id} has no failed finding for {resource!r}"}
            if __event_call__ is not None:
                ok = await __event_call__({"type": "confirmation", "data": {
                    "title": "Approve this remediation?",
                    "message": f"{finding['analyzer_id']} on {resource} ({finding['account_id']}, "
                               f"{finding['region']}): {finding['message']}"}})
                if ok is not True:
                    await say("Not approved")
                    return {"status": "cancelled"}
            approval = (await api.request("POST", "/v1/approvals", json={
                "run_id": run_id, "analyzer_id": finding["analyzer_id"], "resource_id": resource,
                "note": "approved in Open WebUI"})).json()
        except XopsApiError as exc:
            await say(exc.title)
            return {"status": "refused", "error": exc.user_message()}
        await say(f"Approved: {finding['analyzer_id']} on {resource}")
        if __event_emitter__ is not None:
            await __event_emitter__({"type": "message", "data": {
                "content": f"\n\nApproved by {approval['by']}: run this to fix it:\n```sh\n{approval['remediation']}\n```\n"}})
        return {"status": "approved", **approval}
