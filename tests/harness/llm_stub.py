"""A scripted LLM over HTTP on 127.0.0.1: OpenAI-compatible `/v1/chat/completions` (plain and streaming,
with tool calls) and Anthropic `/v1/messages` (plain), recording every request so tests assert on prompts.

A script is a function from the request body to a `Reply` (text, or tool calls); `LlmStub.requests`
holds every request received, in order. The stub is our own test fixture, not a mock of our code: CrewAI,
LiteLLM, the Anthropic SDK and Open WebUI talk to it over real HTTP exactly as they would to a provider.
The crews' tests write their own scripts; `echo_tools` is the one for tool calls through Open WebUI.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from xops.sandbox.moto_server import free_port


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes


Script = Callable[[dict[str, Any]], Reply]


def message_text(body: dict[str, Any]) -> str:
    """Every text in a request (system, messages, tool results), joined: what the model was shown."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for key in ("text", "content", "system"):
                if key in value:
                    walk(value[key])

    walk(body.get("system", ""))
    walk(body.get("messages", []))
    return "\n".join(parts)


CALL = re.compile(r"call (\S+) with (\{.*\})", re.DOTALL)


def unwrap(text: str) -> str:
    """The payload of the first XOPS_DATA block in a text (tool results, reports), else the text itself."""
    from xops.security.untrusted import data_blocks

    blocks = data_blocks(text)
    return blocks[0][1] if blocks else text


def echo_tools(body: dict[str, Any]) -> Reply:
    """Prompt `call <tool name part> with <JSON arguments>`: a call of the first offered tool whose name
    contains that part. After a tool result: `TOOL RESULT: <content>`."""
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    if last.get("role") == "tool":
        content = last.get("content")
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return Reply(text=f"TOOL RESULT: {content}")
    text = last.get("content") if isinstance(last.get("content"), str) else json.dumps(last.get("content"))
    match = CALL.search(text or "")
    names = [t["function"]["name"] for t in body.get("tools") or []]
    if not match:
        return Reply(text=f"no tool asked; offered: {names}")
    name = next((n for n in names if match.group(1) in n), None)
    if name is None:
        return Reply(text=f"tool {match.group(1)} not offered; offered: {names}")
    return Reply(tool_calls=[ToolCall(name, json.loads(match.group(2)))])


def analysts(wanted: list[str], delay: float = 0.0, opening: threading.Barrier | None = None) -> Script:
    """A script for the crews: an analyst calls the offered tools named in `wanted` (else the first one),
    then reports what the tools returned; the answer writer echoes the reports under `## Answer`. Every id
    and $ in the answer thus comes from a tool result. `delay` is added to every reply (a model's latency);
    with a barrier, each analyst's first request waits for the others' (they must be in flight at once)."""

    def script(body: dict[str, Any]) -> Reply:
        time.sleep(delay)
        msgs = body["messages"]
        tools = [t["function"]["name"] for t in body.get("tools", [])]
        results = [m for m in msgs if m["role"] == "tool"]
        if tools and not results:
            if opening is not None:
                opening.wait()
            return Reply(tool_calls=[ToolCall(t) for t in wanted if t in tools] or [ToolCall(tools[0])])
        if tools:
            lines = []
            for m in results:
                try:
                    doc = json.loads(unwrap(m["content"]))
                except ValueError as exc:
                    raise ValueError(f"tool result is not JSON: {m['content']!r:.300}") from exc
                ids = ", ".join(f["resource_id"] for f in doc["findings"])
                lines.append(f"- {doc['title']}: {doc['fail']} findings, ${doc['est_monthly_usd_total']:,.2f}/month: {ids}")
            return Reply(text="\n".join(lines))
        prompt = msgs[-1]["content"]
        reports = prompt.split("Specialists' reports:", 1)[1].split("Write the answer", 1)[0].strip()
        return Reply(text="## Answer\n" + unwrap(reports))

    return script


class LlmStub:
    def __init__(self, script: Script, model: str = "stub") -> None:
        self.script, self.model = script, model
        self.requests: list[Recorded] = []
        self.port = free_port()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(("/chat/completions", "/messages"))]

    def start(self) -> LlmStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, json.dumps({"object": "list", "data": [{"id": stub.model, "object": "model",
                                                                  "owned_by": "stub"}]}).encode())
                else:
                    self._send(404, b'{"error": "not found"}')

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                body = json.loads(raw or b"{}")
                with stub._lock:
                    stub.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw))
                try:
                    reply = stub.script(body)
                except Exception as exc:  # a broken script: say so in the reply, the test sees it
                    self._send(500, json.dumps({"error": {"message": f"stub script failed: {exc!r}"}}).encode())
                    return
                if self.path.endswith("/messages"):
                    self._send(200, json.dumps(anthropic_message(body, reply)).encode())
                elif body.get("stream"):
                    self._send(200, openai_stream(body, reply), "text/event-stream")
                else:
                    self._send(200, json.dumps(openai_completion(body, reply)).encode())

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="llm-stub", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    prompt = max(1, len(json.dumps(body.get("messages", []))) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": max(1, len(reply.text) // 4),
            "total_tokens": prompt + max(1, len(reply.text) // 4)}


def _openai_tool_calls(reply: Reply) -> list[dict[str, Any]]:
    return [{"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
             "function": {"name": c.name, "arguments": json.dumps(c.arguments)}} for c in reply.tool_calls]


def openai_completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = _openai_tool_calls(reply)
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": 0,
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": _usage(body, reply)}


def openai_stream(body: dict[str, Any], reply: Reply) -> bytes:
    cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        doc = {"id": cid, "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "stub"),
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(doc)}\n\n"

    out = [chunk({"role": "assistant", "content": ""})]
    for i in range(0, len(reply.text), 40):
        out.append(chunk({"content": reply.text[i:i + 40]}))
    for n, call in enumerate(_openai_tool_calls(reply)):
        out.append(chunk({"tool_calls": [{"index": n, **call}]}))
    out.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
    usage = {"id": cid, "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "stub"),
             "choices": [], "usage": _usage(body, reply)}
    out.append(f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n")
    return "".join(out).encode()


def anthropic_message(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if reply.text:
        content.append({"type": "text", "text": reply.text})
    for c in reply.tool_calls:
        content.append({"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:12]}", "name": c.name, "input": c.arguments})
    return {"id": f"msg_{uuid.uuid4().hex[:12]}", "type": "message", "role": "assistant",
            "model": body.get("model", "stub"), "content": content,
            "stop_reason": "tool_use" if reply.tool_calls else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": max(1, len(json.dumps(body)) // 4), "output_tokens": max(1, len(reply.text) // 4)}}
