"""`xops audit verify`: recompute the audit log's hash chain (the store's records, and the JSON-lines copy) and
say which record was edited, deleted or reordered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from xops.api.store import Store, audit_body
from xops.evidence.chain import GENESIS, broken_links, link


class AuditVerification(BaseModel):
    ok: bool
    records: int = Field(description="Records in the store")
    chained: int = Field(description="Records on the hash chain (older stores have unchained ones first)")
    head: int = Field(description="The chain head's position: the last record written")
    problems: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def verify_audit(store: Store, jsonl: Path | None = None) -> AuditVerification:
    rows, (head_seq, head_hash) = store.audit_chain()
    chained = [r for r in rows if r["seq"] is not None]
    problems: list[str] = []
    notes: list[str] = []
    if len(chained) < len(rows):
        notes.append(f"{len(rows) - len(chained)} record(s) were written before the audit log was chained")
    expected = 1
    for r in chained:  # a missing position is a deleted record (positions are allocated under the head's lock)
        if r["seq"] != expected:
            problems.append(f"record {expected}" + (f"-{r['seq'] - 1}" if r["seq"] - 1 > expected else "")
                            + ": missing (deleted)")
        expected = r["seq"] + 1
    problems += broken_links(((f"record {r['seq']}", audit_body(r), r["prev"] or "", r["hash"] or "")
                              for r in chained), GENESIS)
    last = chained[-1] if chained else None
    if (last["seq"] if last else 0) < head_seq:
        problems.append(f"record(s) {(last['seq'] if last else 0) + 1}-{head_seq}: missing (the newest records "
                        "were deleted)")
    elif last is not None and (last["seq"], last["hash"]) != (head_seq, head_hash):
        problems.append(f"the chain head says record {head_seq} with another hash: the store was rewritten")
    if jsonl is not None and jsonl.exists():
        problems += _compare_copy(jsonl, {r["seq"]: r for r in chained})
    elif jsonl is not None:
        notes.append(f"no JSON-lines copy at {jsonl} (another replica's data dir?)")
    return AuditVerification(ok=not problems, records=len(rows), chained=len(chained), head=head_seq,
                             problems=problems, notes=notes)


def _compare_copy(jsonl: Path, by_seq: dict[int, dict[str, Any]]) -> list[str]:
    """This replica's JSON-lines copy: each line's own hash holds, and the store's record of that position hashes
    to it (so a store rewritten with a fresh, consistent chain is still caught)."""
    problems = []
    for n, line in enumerate(jsonl.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            problems.append(f"{jsonl.name} line {n}: not JSON")
            continue
        if rec.get("seq") is None:
            continue  # written before the chain
        if link(audit_body(rec), rec.get("prev", "")) != rec.get("hash"):
            problems.append(f"{jsonl.name} line {n} (record {rec['seq']}): content changed (hash differs)")
        elif rec["seq"] not in by_seq:
            problems.append(f"record {rec['seq']}: in {jsonl.name} line {n} but not in the store (deleted)")
        elif link(audit_body(by_seq[rec["seq"]]), by_seq[rec["seq"]]["prev"] or "") != rec["hash"]:
            problems.append(f"record {rec['seq']}: the store's copy differs from {jsonl.name} line {n} (edited)")
    return problems
