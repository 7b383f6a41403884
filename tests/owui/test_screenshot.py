"""Headless Chromium renders an xOps FinOps answer in the real Open WebUI chat page, chart included
(the SVG data-URI image loads), and takes a screenshot (scripts/screenshot.py makes the README's)."""

from __future__ import annotations

import pytest

from tests.harness.chromium import capture_chat, chromium_bin, saved_chat
from tests.owui.conftest import Stack, chat

pytestmark = [pytest.mark.xdist_group("openwebui"),
              pytest.mark.skipif(chromium_bin() is None, reason="chromium is not installed (./run setup installs it)")]


def test_chromium_renders_an_xops_answer_with_its_chart(owui_stack: Stack, tmp_path) -> None:
    question = "what is wasting money?"
    answer = chat(owui_stack.owui.url, owui_stack.owui.token, "xops.finops", question)
    with owui_stack.owui.client() as c:
        chat_id = saved_chat(c, "xops.finops", question, answer)
    png = tmp_path / "answer.png"
    shown = capture_chat(owui_stack.owui.url, owui_stack.owui.token, chat_id, png, "Top findings")
    costliest = max(owui_stack.sandbox.truth.issues, key=lambda i: i.expected_usd or 0)
    assert costliest.resource_id in shown["text"]
    assert shown["chart_width"] == 720
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 30_000
