"""Evidence of a run, for auditors: findings.json, findings.csv, summary.md and manifest.json (sha256 of
every file, run id, scope, caller identity, times, xops version) in `<data dir>/runs/<run id>/`.

Secrets are masked before anything is written (`xops.security.secrets`: a finding's text says where a secret
is, never what it is), and every findings.csv cell that a spreadsheet would run as a formula is neutralised.
The folder is written under a temporary name and renamed into place, so a reader never sees half a run.
Each manifest's own sha256 is appended to a hash-chained ledger (`<data dir>/runs/ledger.jsonl`), so an
edit that rewrites both a file and the manifest is still detected. With XOPS_EVIDENCE_KEY set, the
manifest also carries an HMAC-SHA256 signature.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import hmac
import io
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xops import __version__
from xops.core.errors import EvidenceError
from xops.core.scan import ScanResult
from xops.evidence.chain import GENESIS, canonical, link, sha256_bytes
from xops.evidence.summary import summary_markdown
from xops.security.secrets import redact_finding, redact_value
from xops.security.untrusted import cell

FILES = ("findings.json", "findings.csv", "summary.md")
EVIDENCE_FILES = (*FILES, "manifest.json")  # every file of a run folder
CSV_FIELDS = ("analyzer_id", "status", "severity", "account_id", "region", "resource_id", "resource_arn",
              "est_monthly_usd", "message", "evidence")
LEDGER = "ledger.jsonl"
__all__ = ["GENESIS", "canonical", "sha256_bytes"]  # the chain's hashing, re-exported for older imports


def findings_csv(result: ScanResult) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for f in result.findings:
        row = f.model_dump(mode="json")
        row["evidence"] = json.dumps(row["evidence"], sort_keys=True)
        row["est_monthly_usd"] = "" if f.est_monthly_usd is None else f"{f.est_monthly_usd:.2f}"
        writer.writerow({k: cell(row[k]) for k in CSV_FIELDS})
    return buf.getvalue()


def masked(result: ScanResult) -> ScanResult:
    """The result with every secret in its findings (messages, evidence) and caller masked."""
    body = result.model_dump(mode="json")
    clean = {"findings": [redact_finding(f) for f in body["findings"]], "caller": redact_value(body["caller"])}
    if clean == {"findings": body["findings"], "caller": body["caller"]}:
        return result
    return type(result).model_validate({**body, **clean})  # type: ignore[arg-type]


def findings_json(result: ScanResult) -> str:
    body = result.model_dump(mode="json")
    findings = body.pop("findings")
    return json.dumps({"run": body, "findings": findings}, indent=2, sort_keys=True) + "\n"


def _sign(manifest: dict[str, Any]) -> str | None:
    key = os.environ.get("XOPS_EVIDENCE_KEY")
    if not key:
        return None
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    return hmac.new(key.encode(), canonical(unsigned), hashlib.sha256).hexdigest()


class EvidenceStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "runs"

    @property
    def ledger_path(self) -> Path:
        return self.root / LEDGER

    def write(self, result: ScanResult) -> Path:
        result = masked(result)
        final = self.root / result.run_id
        if final.exists():
            raise EvidenceError(f"evidence folder {final} already exists", "run ids are unique: scan again")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".partial-{result.run_id}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            contents = {
                "findings.json": findings_json(result).encode(),
                "findings.csv": findings_csv(result).encode(),
                "summary.md": summary_markdown(result).encode(),
            }
            for name, data in contents.items():
                (tmp / name).write_bytes(data)
            manifest: dict[str, Any] = {
                "run_id": result.run_id,
                "xops_version": __version__,
                "created_at": datetime.now(UTC).isoformat(),
                "started_at": result.started_at.isoformat(),
                "finished_at": result.finished_at.isoformat(),
                "caller": result.caller,
                "scope": {"accounts": result.accounts, "regions": result.regions,
                          "analyzers": result.analyzer_ids, "framework": result.framework},
                "counts": {s: sum(1 for f in result.findings if f.status == s) for s in ("FAIL", "PASS", "ERROR")},
                "files": {n: {"sha256": sha256_bytes(d), "bytes": len(d)} for n, d in sorted(contents.items())},
            }
            signature = _sign(manifest)
            if signature:
                manifest["signature"] = {"alg": "HMAC-SHA256", "value": signature}
            manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
            (tmp / "manifest.json").write_bytes(manifest_bytes)
            tmp.rename(final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._append_ledger(result.run_id, sha256_bytes(manifest_bytes))
        return final

    def _append_ledger(self, run_id: str, manifest_sha: str) -> None:
        """Append under an exclusive lock: concurrent runs (threads or processes) keep one unbroken chain."""
        with self.ledger_path.open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                fh.seek(0)
                lines = [line for line in fh.read().splitlines() if line.strip()]
                prev = json.loads(lines[-1])["entry_sha256"] if lines else GENESIS
                body = {"run_id": run_id, "manifest_sha256": manifest_sha}
                entry = {**body, "prev": prev, "entry_sha256": link(body, prev)}
                fh.write(json.dumps(entry, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def read_ledger(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
