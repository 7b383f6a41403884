"""
title: xOps export evidence
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: Attaches the evidence of the xOps run behind an answer (findings.csv, findings.json) to the chat as files.
"""

import hashlib
from typing import Any

import httpx
from pydantic import BaseModel, Field

from xops.owui.shared import XopsApi, XopsApiError, identity_headers, run_id_in, split_list, user_groups

MEDIA = {".csv": "text/csv", ".json": "application/json", ".md": "text/markdown", ".zip": "application/zip"}


def answer_of(body: dict[str, Any]) -> str:
    """The content of the message the action was clicked on (else the last assistant message)."""
    messages = body.get("messages") or []
    chosen = next((m for m in messages if m.get("id") and m.get("id") == body.get("id")), None)
    chosen = chosen or next((m for m in reversed(messages) if m.get("role") == "assistant"), {})
    return str(chosen.get("content") or "")


async def upload_to_openwebui(request: Any, name: str, data: bytes) -> dict[str, Any]:
    """Store a file in Open WebUI as the clicking user (their own bearer token or cookie), unprocessed."""
    headers = {}
    auth = request.headers.get("authorization")
    if auth:
        headers["Authorization"] = auth
    elif request.cookies.get("token"):
        headers["Authorization"] = f"Bearer {request.cookies['token']}"
    base = str(request.base_url).rstrip("/")
    media = MEDIA.get(name[name.rfind("."):], "application/octet-stream")
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as c:
        r = await c.post("/api/v1/files/", params={"process": "false"}, files={"file": (name, data, media)})
    if r.status_code >= 400:
        raise XopsApiError(r.status_code, "Open WebUI refused the file", r.text[:300], "check the upload settings")
    doc = r.json()
    return {"type": "file", "id": doc["id"], "name": name, "url": f"/api/v1/files/{doc['id']}/content",
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


class Action:
    class Valves(BaseModel):
        api_url: str = Field("http://127.0.0.1:8700", description="The xOps Runbooks API")
        api_key: str = Field("", description="An xOps API key (XOPS_API_KEYS on the API)")
        files: str = Field("findings.csv,findings.json", description="Evidence files to attach (comma list; "
                                                                    "also summary.md, manifest.json, evidence.zip)")

    def __init__(self) -> None:
        self.valves = self.Valves()

    async def action(self, body: dict[str, Any], __user__: dict[str, Any] | None = None,
                     __event_emitter__: Any = None, __request__: Any = None) -> dict[str, Any]:
        async def say(text: str, done: bool = True) -> None:
            if __event_emitter__ is not None:
                await __event_emitter__({"type": "status", "data": {"description": text, "done": done}})

        run_id = run_id_in(answer_of(body))
        if run_id is None:
            await say("No xOps run in this message")
            return {"error": "this message has no xOps run: use Export evidence on an answer of an xOps model"}
        try:
            api = XopsApi(self.valves.api_url, self.valves.api_key, identity_headers(__user__, await user_groups(__user__)),
                          timeout=120)
            await say(f"Fetching the evidence of run {run_id}", done=False)
            files = []
            for name in split_list(self.valves.files):
                data = (await api.request("GET", f"/v1/runs/{run_id}/evidence/{name}")).content
                files.append(await upload_to_openwebui(__request__, name, data) if __request__ is not None
                             else {"type": "file", "name": name, "size": len(data),
                                   "sha256": hashlib.sha256(data).hexdigest()})
        except XopsApiError as exc:
            await say(exc.title)
            return {"error": exc.user_message()}
        if __event_emitter__ is not None:
            await __event_emitter__({"type": "files", "data": {"files": files}})
            links = ", ".join(f"[{f['name']}]({f['url']})" for f in files if f.get("url"))
            await __event_emitter__({"type": "message", "data": {
                "content": f"\n\nEvidence of run `{run_id}`: {links}\n"}})
        await say(f"Attached {len(files)} evidence file(s)")
        return {"run_id": run_id, "files": files}
