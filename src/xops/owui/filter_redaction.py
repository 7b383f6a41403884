"""
title: xOps redaction
author: xOps
version: 0.2.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: Masks secrets (AWS keys and session tokens, private keys, passwords in URIs and *_PASSWORD/*_SECRET/*_TOKEN assignments, Authorization headers, JWTs, GitHub/GitLab/Slack/Anthropic/OpenAI/Azure/Google/Stripe/Datadog/PagerDuty tokens) in prompts (inlet), in every request to the model including tool results (request), in streamed replies (stream) and in stored replies (outlet).
"""

from collections import OrderedDict
from typing import Any

from pydantic import BaseModel, Field

from xops.security.secrets import MASK, find, redact

TAIL = 4096  # characters of a streamed reply kept as context (a PEM key's BEGIN line, a header's name)
HOLD = 256  # the unfinished last word of a chunk is held back until it ends (secrets have no spaces) ...
STREAMS = 256  # ... per reply streaming at once


def _redact_content(content: Any) -> tuple[Any, list[str]]:
    if isinstance(content, str):
        return redact(content)
    if isinstance(content, list):  # multimodal parts, tool result parts
        found: list[str] = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"], kinds = redact(part["text"])
                found += kinds
            elif isinstance(part, dict) and isinstance(part.get("content"), str | list):
                part["content"], kinds = _redact_content(part["content"])
                found += kinds
        return content, found
    return content, []


def _redact_messages(body: dict[str, Any]) -> list[str]:
    """Every message's content: user, assistant, system and tool results."""
    found: list[str] = []
    for message in body.get("messages") or []:
        if isinstance(message, dict) and "content" in message:
            message["content"], kinds = _redact_content(message["content"])
            found += kinds
    return found


def mask_chunk(tail: str, chunk: str) -> str:
    """The chunk with every secret masked, looking at the text already streamed (`tail`) too, so a secret cut
    in two by the stream is masked from the cut on (what was sent before the cut cannot be taken back)."""
    text = tail + chunk
    out, last = [], len(tail)
    for m in find(text):
        if m.end <= len(tail):
            continue
        start = max(m.start, len(tail))
        out += [text[last:start], MASK.format(kind=m.kind)]
        last = m.end
    out.append(text[last:])
    return "".join(out)


class Filter:
    class Valves(BaseModel):
        priority: int = Field(-100, description="Runs first, so later filters and the model never see a secret")
        notify: bool = Field(True, description="Tell the user when something was masked")

    def __init__(self) -> None:
        self.valves = self.Valves()
        self._streams: OrderedDict[str, tuple[str, str]] = OrderedDict()  # id -> (text sent, text held)

    async def inlet(self, body: dict[str, Any], __event_emitter__: Any = None) -> dict[str, Any]:
        found = _redact_messages(body)
        if found and self.valves.notify and __event_emitter__ is not None:
            await __event_emitter__({"type": "notification", "data": {
                "type": "warning", "content": f"xOps masked {len(found)} secret(s) in your message: "
                                              f"{', '.join(sorted(set(found)))}"}})
        return body

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """Each request to the model (Open WebUI 0.12+), also between tool calls: tool results are masked
        before the model reads them."""
        _redact_messages(body)
        return body

    def stream(self, event: dict[str, Any]) -> dict[str, Any]:
        """Each streamed chunk, masked. A chunk's unfinished last word waits for the next chunk (or the end of the
        reply), so a secret streamed a few characters at a time is whole when it is checked."""
        key = str(event.get("id") or "")
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            chunk = delta.get("content")
            finished = choice.get("finish_reason") is not None
            if not isinstance(chunk, str) and not finished:
                continue
            sent, held = self._streams.pop(key, ("", ""))
            pending = held + (chunk if isinstance(chunk, str) else "")
            cut = len(pending) if finished else max(pending.rfind(c) for c in " \n\t") + 1
            if len(pending) - cut > HOLD:
                cut = len(pending)
            out = mask_chunk(sent, pending[:cut])
            if out or isinstance(chunk, str):
                choice.setdefault("delta", delta)["content"] = out
            if not finished:
                self._streams[key] = ((sent + pending[:cut])[-TAIL:], pending[cut:])
                while len(self._streams) > STREAMS:
                    self._streams.popitem(last=False)
        return event

    def outlet(self, body: dict[str, Any]) -> dict[str, Any]:
        _redact_messages(body)
        return body
