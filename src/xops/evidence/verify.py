"""`xops evidence verify RUN_DIR`: recompute every hash and say exactly what changed."""

from __future__ import annotations

import hmac
import json
import os
from pathlib import Path

from pydantic import BaseModel

from xops.evidence.chain import broken_links, sha256_bytes
from xops.evidence.store import LEDGER, _sign, read_ledger


class Verification(BaseModel):
    run_dir: str
    run_id: str = ""
    ok: bool
    checked_files: int = 0
    problems: list[str] = []
    notes: list[str] = []


def verify_run(run_dir: Path, ledger: Path | None = None) -> Verification:
    problems: list[str] = []
    notes: list[str] = []
    manifest_path = run_dir / "manifest.json"
    if not manifest_path.is_file():
        return Verification(run_dir=str(run_dir), ok=False, problems=[f"no manifest.json in {run_dir}"])
    manifest_bytes = manifest_path.read_bytes()
    try:
        manifest = json.loads(manifest_bytes)
        files: dict[str, dict[str, object]] = manifest["files"]
        run_id = str(manifest["run_id"])
    except (ValueError, KeyError, TypeError) as exc:
        return Verification(run_dir=str(run_dir), ok=False, problems=[f"manifest.json is not valid: {exc}"])

    for name, meta in sorted(files.items()):
        path = run_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        data = path.read_bytes()
        if sha256_bytes(data) != meta.get("sha256"):
            problems.append(f"{name}: content changed (sha256 differs from the manifest)")
        elif len(data) != meta.get("bytes"):
            problems.append(f"{name}: size differs from the manifest")
    extra = sorted(p.name for p in run_dir.iterdir() if p.is_file() and p.name not in files and p.name != "manifest.json")
    problems.extend(f"{name}: not in the manifest (added after the run)" for name in extra)

    if "signature" in manifest:
        expected = _sign(manifest)
        if expected is None:
            notes.append("manifest is signed; set XOPS_EVIDENCE_KEY to check the signature")
        elif not hmac.compare_digest(expected, str(manifest["signature"].get("value", ""))):
            problems.append("manifest.json: HMAC signature does not match (manifest edited or wrong key)")
    elif os.environ.get("XOPS_EVIDENCE_KEY"):
        problems.append("manifest.json: not signed, but XOPS_EVIDENCE_KEY is set (signature removed?)")

    ledger_path = ledger or run_dir.parent / LEDGER
    entries = read_ledger(ledger_path)
    if not entries:
        notes.append(f"no ledger at {ledger_path}: the manifest itself is not anchored")
    else:
        bad = broken_links((f"ledger line {i}", {k: e.get(k) for k in ("run_id", "manifest_sha256")},
                            e.get("prev", ""), e.get("entry_sha256", "")) for i, e in enumerate(entries, start=1))
        if bad:
            problems.append(f"{bad[0].split(':')[0]}: hash chain broken (ledger edited)")
        mine = [e for e in entries if e["run_id"] == run_id]
        if not mine:
            problems.append(f"run {run_id} is not in the ledger {ledger_path}")
        elif mine[-1]["manifest_sha256"] != sha256_bytes(manifest_bytes):
            problems.append("manifest.json: changed since the run (sha256 differs from the ledger)")
    return Verification(run_dir=str(run_dir), run_id=run_id, ok=not problems, checked_files=len(files),
                        problems=problems, notes=notes)
