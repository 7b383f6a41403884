"""API keys, held hashed: each has an id (from its sha256), an optional expiry, and a last-used time in the store.

Formats (XOPS_API_KEYS, comma or newline separated, or the file XOPS_API_KEYS_FILE):
- a plain key (`k3y…`): hashed when read, the plain text is not kept;
- `sha256:<64 hex>`: the hash of a key (`xops api keys new` prints both), so the server never sees the key;
- a JSON document: `{"keys": [...]}` or a list, each entry a plain key, a `sha256:` string, or an object
  `{"id": "ci-2026", "sha256": "<hex>" | "key": "<plain>", "not_after": "2026-12-31T00:00:00Z"}`.

Rotation without downtime: add the new key next to the old one (both are valid), move the clients to the new
key, then remove the old one (or give it a `not_after`). A key file is read again when it changes (checked every
few seconds), so a rotation needs no restart. Comparison is constant-time over every key (`hmac.compare_digest`
of sha256 digests, no early exit).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from xops.core.errors import UsageError

HEX64 = re.compile(r"^[0-9a-f]{64}$")
RELOAD_SECONDS = 5.0


def key_hash(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


class ApiKey(BaseModel):
    """One accepted key: its id and sha256 (never the key), and until when it is valid."""

    id: str = Field(min_length=1, max_length=64)
    sha256: str = Field(pattern=HEX64.pattern)
    not_after: datetime | None = Field(None, description="Refused after this time (rotation)")

    @classmethod
    def parse(cls, entry: Any) -> ApiKey:
        if isinstance(entry, ApiKey):
            return entry
        if isinstance(entry, str):
            text = entry.strip()
            digest = text[7:].lower() if text.lower().startswith("sha256:") else key_hash(text)
            return cls(id=f"key-{digest[:8]}", sha256=digest)
        if isinstance(entry, dict):
            if "key" in entry:
                digest = key_hash(str(entry["key"]))
            else:
                digest = str(entry.get("sha256", "")).lower().removeprefix("sha256:")
            return cls(id=str(entry.get("id") or f"key-{digest[:8]}"), sha256=digest, not_after=entry.get("not_after"))
        raise ValueError(f"an API key entry must be a string or an object, not {type(entry).__name__}")

    def valid_at(self, when: datetime) -> bool:
        return self.not_after is None or when <= self.not_after


def parse_keys(text: str) -> list[ApiKey]:
    """Keys from a comma/newline list or a JSON secret ({"keys": [...]}, [...], or {"api_key": "..."})."""
    value = text.strip()
    entries: list[Any]
    if value.startswith(("{", "[")):
        try:
            doc = json.loads(value)
        except ValueError as exc:
            raise UsageError(f"the API key secret is not valid JSON: {exc}",
                             'use {"keys": ["..."]}, a JSON list, or one key per line') from exc
        if isinstance(doc, dict):
            doc = doc.get("keys") or [v for k, v in doc.items() if "key" in k.lower()]
        entries = [e for e in doc if not (isinstance(e, str) and not e.strip())]
    else:
        entries = [k.strip() for k in value.replace("\n", ",").split(",") if k.strip()]
    try:
        return [ApiKey.parse(e) for e in entries]
    except (ValidationError, ValueError) as exc:
        raise UsageError(f"invalid API key entry: {exc}",
                         "each key is a plain key, sha256:<64 hex digits>, or {id, sha256|key, not_after}") from exc


def new_key() -> tuple[str, str]:
    """A fresh key and the `sha256:` line to configure instead of it."""
    key = "xops_" + secrets.token_urlsafe(32)
    return key, f"sha256:{key_hash(key)}"


class KeyRing:
    """The valid keys; re-read from the key file when it changes. `match` is constant-time over all keys."""

    def __init__(self, keys: list[ApiKey], path: Path | None = None) -> None:
        self._keys = list(keys)
        self._path = path
        self._mtime = path.stat().st_mtime_ns if path and path.exists() else None
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @property
    def keys(self) -> list[ApiKey]:
        self._reload()
        return list(self._keys)

    def _reload(self) -> None:
        if self._path is None or time.monotonic() - self._checked < RELOAD_SECONDS:
            return
        with self._lock:
            self._checked = time.monotonic()
            try:
                mtime = self._path.stat().st_mtime_ns
                if mtime == self._mtime:
                    return
                keys = parse_keys(self._path.read_text())
            except (OSError, UsageError):
                return  # keep the keys we have: a half-written or missing file must not lock everyone out
            if keys:
                self._keys, self._mtime = keys, mtime

    def match(self, token: str) -> ApiKey | None:
        """The key this token is (expired or not: the caller says which), or None."""
        digest = hashlib.sha256(token.encode()).digest()
        found: ApiKey | None = None
        for key in self.keys:  # every key is compared: the time taken does not say which one matched
            if hmac.compare_digest(digest, bytes.fromhex(key.sha256)) and found is None:
                found = key
        return found
