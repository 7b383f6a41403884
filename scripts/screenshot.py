"""The README's screenshot: an xOps FinOps answer in the real Open WebUI, taken with headless Chromium.

    .venv/bin/python scripts/screenshot.py [--out docs/img/openwebui-finops.png]

Starts the local stack (`xops stack up`'s parts) in a temp folder, asks "xOps FinOps" what is wasting
money, stores the chat, opens it signed in, scrolls the chart into view and saves the PNG.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.chromium import capture_chat, saved_chat  # noqa: E402

from xops.sandbox.moto_server import free_port  # noqa: E402
from xops.stack.processes import Children  # noqa: E402
from xops.stack.up import start_stack  # noqa: E402

QUESTION = "What is wasting money?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "img" / "openwebui-finops.png")
    args = ap.parse_args()
    children = Children()
    with tempfile.TemporaryDirectory(prefix="xops-screenshot-") as tmp:
        try:
            info = start_stack(children, Path(tmp), free_port(), 42, lambda m: print(m, file=sys.stderr))
            token = httpx.post(f"{info.url}/api/v1/auths/signin",
                               json={"email": info.email, "password": info.password}).json()["token"]
            with httpx.Client(base_url=info.url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as c:
                text = []
                with c.stream("POST", "/api/chat/completions", json={
                        "model": "xops.finops", "stream": True,
                        "messages": [{"role": "user", "content": QUESTION}]}) as r:
                    for line in r.iter_lines():
                        if line.startswith("data:") and line.strip() != "data: [DONE]":
                            for ch in json.loads(line[5:]).get("choices") or []:
                                text.append((ch.get("delta") or {}).get("content") or "")
                chat_id = saved_chat(c, "xops.finops", QUESTION, "".join(text))
            capture_chat(info.url, token, chat_id, args.out, "Top findings", chart_in_view=True)
            print(f"wrote {args.out}")
        finally:
            children.stop_all()


if __name__ == "__main__":
    main()
