"""Hash chains: each entry's hash covers its body and the previous entry's hash, so an edited, deleted or
reordered entry breaks every hash after it. The evidence ledger (`store.py`) and the API's audit log use it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode()


def link(body: Mapping[str, Any], prev: str) -> str:
    """The hash of one entry: its body (without hash fields) and the previous entry's hash."""
    return sha256_bytes(canonical({**body, "prev": prev}))


def broken_links(entries: Iterable[tuple[str, Mapping[str, Any], str, str]], start: str = GENESIS) -> list[str]:
    """Check a chain given as (label, body, prev, hash) in order; the labels of the entries that do not hold."""
    bad: list[str] = []
    expected_prev = start
    for label, body, prev, digest in entries:
        if prev != expected_prev:
            bad.append(f"{label}: does not follow the entry before it (an entry before it was removed or reordered)")
        elif link(body, prev) != digest:
            bad.append(f"{label}: content changed after it was written (hash differs)")
        expected_prev = digest
    return bad
