"""An OpenAI-compatible echo LLM on 127.0.0.1 for tool calls through Open WebUI (the crews use llm_stub.py):
it calls the tool a prompt names, then echoes its result.

Prompt: `call <tool name part> with <JSON arguments>`; the stub answers with a tool call of the first offered
tool whose name contains that part. When the last message is a tool result it answers
`TOOL RESULT (<name>): <content>`. Streaming and non-streaming both work; requests are kept in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from xops.sandbox.moto_server import free_port

MODEL = "stub-llm"
CALL = re.compile(r"call (\S+) with (\{.*\})", re.DOTALL)


class StubLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        app = FastAPI()
        app.get("/v1/models")(lambda: {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "stub"}]})
        app.post("/v1/chat/completions")(self._chat)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> StubLLM:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def reply(self, body: dict[str, Any]) -> dict[str, Any]:
        """{"content": str} or {"tool_call": {name, arguments}}."""
        messages = body.get("messages") or []
        last = messages[-1] if messages else {}
        if last.get("role") == "tool":
            content = last.get("content")
            if isinstance(content, list):
                content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return {"content": f"TOOL RESULT: {content}"}
        text = last.get("content") if isinstance(last.get("content"), str) else json.dumps(last.get("content"))
        match = CALL.search(text or "")
        names = [t["function"]["name"] for t in body.get("tools") or []]
        if not match:
            return {"content": f"no tool asked; offered: {names}"}
        name = next((n for n in names if match.group(1) in n), None)
        if name is None:
            return {"content": f"tool {match.group(1)} not offered; offered: {names}"}
        return {"tool_call": {"name": name, "arguments": match.group(2)}}

    async def _chat(self, request: Request) -> Any:
        body = await request.json()
        self.requests.append(body)
        out = self.reply(body)
        rid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())
        call = out.get("tool_call")
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": out.get("content")}
            if call:
                message["tool_calls"] = [{"id": "call_1", "type": "function", "function": call}]
            return JSONResponse({"id": rid, "object": "chat.completion", "created": created, "model": MODEL,
                                 "choices": [{"index": 0, "message": message,
                                              "finish_reason": "tool_calls" if call else "stop"}]})

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            return "data: " + json.dumps({"id": rid, "object": "chat.completion.chunk", "created": created,
                                          "model": MODEL, "choices": [{"index": 0, "delta": delta,
                                                                       "finish_reason": finish}]}) + "\n\n"

        def stream() -> Any:
            yield chunk({"role": "assistant"})
            if call:
                yield chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                             "function": {"name": call["name"], "arguments": call["arguments"]}}]})
                yield chunk({}, "tool_calls")
            else:
                yield chunk({"content": out["content"]})
                yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")
