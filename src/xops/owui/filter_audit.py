"""
title: xOps audit
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: Records every chat (user, model, sha256 of the prompt, tool calls, latency) in the xOps API's audit log; the prompt itself is never stored.
"""

import hashlib
import time
from typing import Any

from pydantic import BaseModel, Field

from xops.owui.shared import XopsApi, XopsApiError, identity_headers, last_user_message

STARTED: dict[str, float] = {}  # user id + prompt hash -> monotonic start (inlet), read by the outlet


def _key(user: dict[str, Any] | None, body: dict[str, Any]) -> str:
    return f"{(user or {}).get('id', '')}:{hashlib.sha256(last_user_message(body).encode()).hexdigest()}"


def _tool_calls(message: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for call in message.get("tool_calls") or []:
        names.append(str((call.get("function") or {}).get("name") or call.get("name") or ""))
    for item in message.get("output") or []:
        if isinstance(item, dict) and item.get("type") == "function_call":
            names.append(str(item.get("name") or ""))
    return [n for n in names if n]


class Filter:
    class Valves(BaseModel):
        priority: int = Field(100, description="Runs last: it records what the other filters let through")
        api_url: str = Field("http://127.0.0.1:8700", description="The xOps Runbooks API")
        api_key: str = Field("", description="An xOps API key (XOPS_API_KEYS on the API)")

    def __init__(self) -> None:
        self.valves = self.Valves()

    def inlet(self, body: dict[str, Any], __user__: dict[str, Any] | None = None) -> dict[str, Any]:
        STARTED[_key(__user__, body)] = time.monotonic()
        while len(STARTED) > 10_000:
            STARTED.pop(next(iter(STARTED)))
        return body

    async def outlet(self, body: dict[str, Any], __user__: dict[str, Any] | None = None,
                     __metadata__: dict[str, Any] | None = None) -> dict[str, Any]:
        meta = __metadata__ or {}
        message_id = str(body.get("id") or meta.get("message_id") or "")
        started = STARTED.pop(_key(__user__, body), None)
        messages = body.get("messages") or []
        reply = next((m for m in reversed(messages) if m.get("role") == "assistant"), {})
        record = {
            "model": str(body.get("model") or (meta.get("model") or {}).get("id") or ""),
            "prompt_sha256": hashlib.sha256(last_user_message(body).encode()).hexdigest(),
            "tool_ids": [str(t) for t in (meta.get("tool_ids") or [])],
            "tool_calls": _tool_calls(reply),
            "latency_ms": None if started is None else round((time.monotonic() - started) * 1000, 1),
            "chat_id": str(body.get("chat_id") or meta.get("chat_id") or ""),
            "message_id": message_id,
        }
        try:
            api = XopsApi(self.valves.api_url, self.valves.api_key, identity_headers(__user__), timeout=30)
            await api.request("POST", "/v1/audit/chat", json=record)
        except XopsApiError as exc:  # auditing must not break the chat; the API logs refusals itself
            print(f"xops audit filter: {exc.user_message()}")
        return body
