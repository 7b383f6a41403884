"""Headless Chromium (Debian `chromium`) driven over the DevTools protocol: sign in to Open WebUI with a token
cookie (its /auth page adopts a `token` cookie), open a page, wait for text, take a PNG screenshot."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websocket

from xops.sandbox.moto_server import free_port


def chromium_bin() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    def __init__(self, width: int = 1280, height: int = 1800) -> None:
        binary = chromium_bin()
        if binary is None:
            raise RuntimeError("chromium is not installed: `./run setup` installs it (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="xops-chromium-")
        port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--hide-scrollbars", f"--user-data-dir={self.profile}", f"--remote-debugging-port={port}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                page = next(p for p in pages if p.get("type") == "page")
                break
            except (httpx.HTTPError, StopIteration):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise RuntimeError("headless chromium did not start") from None
                time.sleep(0.2)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result") or {})

    def evaluate(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    def sign_in(self, url: str, token: str) -> None:
        self.send("Network.enable")
        self.send("Network.setCookie", name="token", value=token, url=url)
        self.open(f"{url}/auth")
        self.wait_for("localStorage.token !== undefined && localStorage.token !== null")

    def open(self, url: str) -> None:
        self.send("Page.enable")
        self.send("Page.navigate", url=url)

    def wait_for(self, js_condition: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"Boolean({js_condition})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"page never met: {js_condition}; text: "
                                   f"{str(self.evaluate('document.body && document.body.innerText'))[:500]}")
            time.sleep(0.3)

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def saved_chat(c: httpx.Client, model: str, question: str, answer: str) -> str:
    """Store a chat (question + the model's answer) in Open WebUI; returns its id."""
    import uuid

    u, a, now = str(uuid.uuid4()), str(uuid.uuid4()), int(time.time())
    messages = {
        u: {"id": u, "parentId": None, "childrenIds": [a], "role": "user", "content": question, "timestamp": now,
            "models": [model]},
        a: {"id": a, "parentId": u, "childrenIds": [], "role": "assistant", "content": answer, "model": model,
            "modelName": "xOps FinOps", "timestamp": now, "done": True},
    }
    r = c.post("/api/v1/chats/new", json={"chat": {
        "title": question, "models": [model], "history": {"currentId": a, "messages": messages},
        "messages": [messages[u], messages[a]], "timestamp": now * 1000}})
    r.raise_for_status()
    return str(r.json()["id"])


CHART_LOADED = ("[...document.images].some(i => i.src.startsWith('data:image/svg+xml') && i.complete "
                "&& i.naturalWidth > 0)")


def capture_chat(owui_url: str, token: str, chat_id: str, path: Path, expect: str,
                 chart_in_view: bool = False) -> dict[str, Any]:
    """Open the chat in the real UI (signed in), wait for `expect` in the page and the chart image, scroll the
    chart into view, and save a PNG screenshot. Returns what the page showed."""
    browser = Chromium()
    try:
        browser.sign_in(owui_url, token)
        browser.open(f"{owui_url}/c/{chat_id}")
        browser.wait_for(f"document.body.innerText.includes({json.dumps(expect)})", timeout=90)
        browser.wait_for(CHART_LOADED, timeout=30)
        # Open WebUI greets a new admin with its release notes: close them.
        browser.evaluate("[...document.querySelectorAll('button')].find(b => b.innerText.includes(\"Okay, Let's Go\"))"
                         "?.click()")
        time.sleep(0.5)
        if chart_in_view:
            browser.evaluate("[...document.images].find(i => i.src.startsWith('data:image/svg+xml'))"
                             ".scrollIntoView({block: 'end'})")
        time.sleep(1.0)  # fonts and the last layout pass
        shown = {"text": browser.evaluate("document.body.innerText"),
                 "chart_width": browser.evaluate("[...document.images].find(i => i.src.startsWith("
                                                 "'data:image/svg+xml')).naturalWidth")}
        browser.screenshot(path)
        return shown
    finally:
        browser.close()
