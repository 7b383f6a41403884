"""A reusable check for every surface: does a blob (findings, evidence files, SSE events, MCP results, chat
answers, prompts sent to an LLM) carry any piece of a planted secret?"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FRAGMENT = 12  # characters: a piece of a secret this long is a leak (a fingerprint keeps only 4)


def as_text(blob: Any) -> str:
    """Text of a str, bytes, file path, or JSON-able value (JSON strings unescaped too, so `\\n` in a PEM
    or `\\"` in a nested document hide nothing)."""
    if isinstance(blob, Path):
        blob = blob.read_bytes()
    if isinstance(blob, bytes):
        blob = blob.decode("utf-8", errors="replace")
    if not isinstance(blob, str):
        blob = json.dumps(blob, default=str)
    return blob + "\n" + blob.replace("\\n", "\n").replace('\\"', '"').replace("\\/", "/")


def leaks(blob: Any, planted: Iterable[str], fragment: int = FRAGMENT) -> list[str]:
    """The planted values of which the blob holds the whole value or any `fragment`-character piece."""
    text = as_text(blob)
    found = []
    for value in planted:
        n = min(fragment, len(value))
        if any(value[i:i + n] in text for i in range(len(value) - n + 1)):
            found.append(value)
    return found


def assert_no_leak(blob: Any, planted: Iterable[str], where: str) -> None:
    bad = leaks(blob, planted)
    assert not bad, f"{where} carries planted secret(s): {[v[:4] + '…' for v in bad]}"
