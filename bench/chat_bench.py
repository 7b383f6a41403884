"""Chat benchmark through the real Open WebUI (`xops stack up`'s processes, in this process's care).

    python bench/chat_bench.py [--chats 10]

Starts the stack (sandbox, API, MCP, mcpo, Pipelines, Open WebUI with xOps installed) in a temp folder, then:
1. `xops.finops` chats ("what is wasting money?", the same question each time, after one warm-up): time from
   sending the request to the first status event on socket.io, and to the end of the streamed answer;
2. the filters' added time per message: chats to an OpenAI-compatible stub model (tests/harness/llm_stub.py)
   with the four xOps filters attached and active, then with them deactivated (p50 difference).
Goals (issue 6): first status <= 250 ms p95; repeat question <= 1.5 s to full answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.harness.llm_stub import LlmStub, echo_tools  # noqa: E402

from xops.sandbox.moto_server import free_port  # noqa: E402
from xops.stack.processes import Children  # noqa: E402
from xops.stack.up import start_stack  # noqa: E402

FILTERS = ("xops_redaction", "xops_scope", "xops_budget", "xops_audit")
MODEL = "stub-llm"


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Statuses:
    def __init__(self, url: str, token: str) -> None:
        self.first: float | None = None
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("events", self._on)
        self.sio.connect(url, socketio_path="/ws/socket.io", auth={"token": token}, transports=["websocket"])

    def _on(self, data: dict) -> None:
        if (data.get("data") or {}).get("type") == "status":
            with self.lock:
                if self.first is None:
                    self.first = time.perf_counter()

    def reset(self) -> None:
        with self.lock:
            self.first = None


def stream_chat(c: httpx.Client, model: str, prompt: str) -> tuple[float, str]:
    """Seconds to the end of the streamed answer, and the answer."""
    t0 = time.perf_counter()
    text = []
    with c.stream("POST", "/api/chat/completions", json={
            "model": model, "stream": True, "messages": [{"role": "user", "content": prompt}]}) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line.startswith("data:") and line.strip() != "data: [DONE]":
                for ch in json.loads(line[5:]).get("choices") or []:
                    text.append((ch.get("delta") or {}).get("content") or "")
    return time.perf_counter() - t0, "".join(text)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chats", type=int, default=10)
    args = ap.parse_args()
    children = Children()
    with tempfile.TemporaryDirectory(prefix="xops-chat-bench-") as tmp:
        try:
            info = start_stack(children, Path(tmp), free_port(), 42, lambda m: print(m, file=sys.stderr))
            token = httpx.post(f"{info.url}/api/v1/auths/signin",
                               json={"email": info.email, "password": info.password}).json()["token"]
            c = httpx.Client(base_url=info.url, headers={"Authorization": f"Bearer {token}"}, timeout=300)
            statuses = Statuses(info.url, token)

            stream_chat(c, "xops.finops", "what is wasting money?")  # warm-up
            first, full = [], []
            for _ in range(args.chats):
                statuses.reset()
                t0 = time.perf_counter()
                seconds, answer = stream_chat(c, "xops.finops", "what is wasting money?")
                assert "xOps run `" in answer, answer[:500]
                full.append(seconds)
                first.append((statuses.first or time.perf_counter()) - t0)
            print(f"xops.finops, {args.chats} chats (2 accounts x 3 regions, 11 analyzers):")
            print(f"  first status event: p50 {pct(first, 50) * 1000:.0f} ms, p95 {pct(first, 95) * 1000:.0f} ms "
                  f"(goal <= 250 ms p95)")
            print(f"  full answer:        p50 {pct(full, 50):.2f} s, p95 {pct(full, 95):.2f} s (goal <= 1.5 s)")

            llm = LlmStub(echo_tools, MODEL).start()
            cfg = c.get("/openai/config").json()
            c.post("/openai/config/update", json={
                "ENABLE_OPENAI_API": True, "OPENAI_API_BASE_URLS": [*cfg["OPENAI_API_BASE_URLS"], llm.url + "/v1"],
                "OPENAI_API_KEYS": [*cfg["OPENAI_API_KEYS"], "stub"],
                "OPENAI_API_CONFIGS": {**cfg["OPENAI_API_CONFIGS"], str(len(cfg["OPENAI_API_BASE_URLS"])): {}}})
            c.get("/api/models", params={"refresh": "true"})
            c.post("/api/v1/models/create", json={"id": MODEL, "base_model_id": None, "name": "stub", "params": {},
                                                  "meta": {"filterIds": ["xops_scope", "xops_budget"]}})
            c.post("/api/v1/functions/id/xops_budget/valves/update", json={"tokens_per_day": 10_000_000})
            c.get("/api/models", params={"refresh": "true"})
            n = max(20, args.chats * 2)
            timings: dict[str, list[float]] = {}
            for label in ("filters on", "filters off"):
                stream_chat(c, MODEL, "hello")
                timings[label] = [stream_chat(c, MODEL, f"hello {i}")[0] for i in range(n)]
                for fid in FILTERS:  # deactivate for the second round
                    c.post(f"/api/v1/functions/id/{fid}/toggle")
            on, off = statistics.median(timings["filters on"]), statistics.median(timings["filters off"])
            print(f"stub model, {n} chats each: p50 {on * 1000:.0f} ms with the 4 filters, {off * 1000:.0f} ms "
                  f"without: the filters add {(on - off) * 1000:.0f} ms per message")
            llm.stop()
            statuses.sio.disconnect()
        finally:
            children.stop_all()


if __name__ == "__main__":
    main()
