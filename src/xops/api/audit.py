"""Append-only audit records: in the store (for `GET /v1/audit`) and as JSON lines under the data dir.

Actions: run.created, run.cancelled, step.run, findings.read, evidence.read, chat (the audit filter), approval.requested,
approval.refused, and refusals (auth.refused, scope.refused, evidence.refused). Never updated or deleted.
"""

from __future__ import annotations

import fcntl
import json
import logging
from pathlib import Path
from typing import Any

from xops.api.auth import Identity
from xops.api.store import Store, now
from xops.security.secrets import redact_value

log = logging.getLogger("xops.api.audit")


class Audit:
    def __init__(self, store: Store, data_dir: Path) -> None:
        self.store = store
        self.path = data_dir / "audit" / "audit.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, action: str, ident: Identity | None, *, run_id: str | None = None,
               detail: dict[str, Any] | None = None, user: str | None = None) -> None:
        rec = self.entry(action, ident, run_id=run_id, detail=detail, user=user)
        self.store.add_audit(rec)
        self.append_line(rec)

    @staticmethod
    def entry(action: str, ident: Identity | None, *, run_id: str | None = None,
              detail: dict[str, Any] | None = None, user: str | None = None) -> dict[str, Any]:
        """One record (for callers that write it inside their own transaction, then call `append_line`)."""
        return {
            "at": now(), "action": action,
            "user": user or (ident.user if ident else "anonymous"),
            "role": ident.role if ident else "anonymous",
            "run_id": run_id,
            "scope": ident.audit_scope() if ident else {},
            "detail": redact_value(detail or {}),
        }

    def append_line(self, rec: dict[str, Any]) -> None:
        line = json.dumps({**rec, "at": rec["at"].isoformat()}, sort_keys=True, default=str)
        with self.path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                fh.write(line + "\n")
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
