"""
title: xOps redaction
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: Masks AWS access key ids, secret keys, session tokens, private keys and passwords in prompts (inlet), in streamed replies (stream) and in stored replies (outlet), so they reach neither a model, nor the xOps API, nor the chat.
"""

from typing import Any

from pydantic import BaseModel, Field

from xops.owui.redact import redact


def _redact_content(content: Any) -> tuple[Any, list[str]]:
    if isinstance(content, str):
        return redact(content)
    if isinstance(content, list):  # multimodal parts
        found: list[str] = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"], kinds = redact(part["text"])
                found += kinds
        return content, found
    return content, []


def _redact_messages(body: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for message in body.get("messages") or []:
        if isinstance(message, dict) and "content" in message:
            message["content"], kinds = _redact_content(message["content"])
            found += kinds
    return found


class Filter:
    class Valves(BaseModel):
        priority: int = Field(-100, description="Runs first, so later filters and the model never see a secret")
        notify: bool = Field(True, description="Tell the user when something was masked")

    def __init__(self) -> None:
        self.valves = self.Valves()

    async def inlet(self, body: dict[str, Any], __event_emitter__: Any = None) -> dict[str, Any]:
        found = _redact_messages(body)
        if found and self.valves.notify and __event_emitter__ is not None:
            await __event_emitter__({"type": "notification", "data": {
                "type": "warning", "content": f"xOps masked {len(found)} secret(s) in your message: "
                                              f"{', '.join(sorted(set(found)))}"}})
        return body

    def stream(self, event: dict[str, Any]) -> dict[str, Any]:
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                delta["content"], _ = redact(delta["content"])
        return event

    def outlet(self, body: dict[str, Any]) -> dict[str, Any]:
        _redact_messages(body)
        return body
