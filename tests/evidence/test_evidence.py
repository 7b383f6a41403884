"""Evidence folders: written whole, hashed, anchored in a ledger; any change is detected."""

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xops.core.models import Finding, Severity, Status
from xops.core.scan import ScanResult
from xops.evidence.store import EvidenceStore
from xops.evidence.verify import verify_run


def result(run_id: str = "20261127T000000Z-abcdef") -> ScanResult:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    findings = [
        Finding(analyzer_id="finops.ebs_volume_unattached", account_id="123456789012", region="us-east-1",
                resource_id="vol-1", status=Status.FAIL, severity=Severity.medium, message="100 GiB unattached",
                evidence={"arithmetic": "100 × 0.08"}, est_monthly_usd=8.0),
        Finding(analyzer_id="devsecops.ebs_volume_unencrypted", account_id="123456789012", region="us-east-1",
                resource_id="vol-2", status=Status.PASS, severity=Severity.high, message="encrypted"),
    ]
    return ScanResult(run_id=run_id, started_at=now, finished_at=now, caller={"account_id": "123456789012",
                      "arn": "arn:aws:iam::123456789012:user/auditor"}, accounts=["123456789012"],
                      regions=["us-east-1"], analyzer_ids=["finops.ebs_volume_unattached"], steps=1, api_calls=1,
                      findings=findings)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return EvidenceStore(tmp_path).write(result())


def test_folder_contents_and_manifest(run_dir: Path) -> None:
    assert sorted(p.name for p in run_dir.iterdir()) == ["findings.csv", "findings.json", "manifest.json", "summary.md"]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["run_id"] == run_dir.name and manifest["xops_version"]
    assert manifest["caller"]["arn"].endswith("user/auditor")
    assert manifest["scope"]["regions"] == ["us-east-1"] and manifest["counts"] == {"FAIL": 1, "PASS": 1, "ERROR": 0}
    assert set(manifest["files"]) == {"findings.json", "findings.csv", "summary.md"}
    body = json.loads((run_dir / "findings.json").read_text())
    assert body["findings"][0]["est_monthly_usd"] == 8.0 and body["run"]["run_id"] == run_dir.name
    rows = list(csv.DictReader((run_dir / "findings.csv").open()))
    assert rows[0]["resource_id"] == "vol-1" and rows[0]["est_monthly_usd"] == "8.00"
    assert "vol-1" in (run_dir / "summary.md").read_text()
    assert not list(run_dir.parent.glob(".partial-*"))
    assert verify_run(run_dir).ok


@pytest.mark.parametrize("tamper", ["edit", "delete", "add"])
def test_any_file_change_is_detected(run_dir: Path, tamper: str) -> None:
    if tamper == "edit":
        path = run_dir / "findings.csv"
        path.write_text(path.read_text().replace("8.00", "0.00"))
    elif tamper == "delete":
        (run_dir / "summary.md").unlink()
    else:
        (run_dir / "notes.txt").write_text("added later")
    check = verify_run(run_dir)
    assert not check.ok
    expected = {"edit": "findings.csv: content changed", "delete": "summary.md: missing",
                "add": "notes.txt: not in the manifest"}[tamper]
    assert any(expected in p for p in check.problems), check.problems


def test_rewriting_file_and_manifest_together_is_caught_by_the_ledger(run_dir: Path) -> None:
    import hashlib

    path = run_dir / "findings.json"
    data = path.read_text().replace('"est_monthly_usd": 8.0', '"est_monthly_usd": 0.0').encode()
    path.write_bytes(data)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["files"]["findings.json"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    check = verify_run(run_dir)
    assert not check.ok and any("changed since the run" in p for p in check.problems)


def test_editing_the_ledger_breaks_its_chain(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    first = store.write(result("20261127T000000Z-000001"))
    store.write(result("20261127T000000Z-000002"))
    lines = store.ledger_path.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["manifest_sha256"] = "0" * 64
    store.ledger_path.write_text("\n".join([json.dumps(entry, sort_keys=True), lines[1]]) + "\n")
    check = verify_run(first)
    assert any("hash chain broken" in p for p in check.problems)


def test_hmac_signature(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_EVIDENCE_KEY", "s3cret")
    run = EvidenceStore(tmp_path).write(result())
    assert json.loads((run / "manifest.json").read_text())["signature"]["alg"] == "HMAC-SHA256"
    assert verify_run(run).ok
    monkeypatch.setenv("XOPS_EVIDENCE_KEY", "wrong")
    assert any("HMAC signature does not match" in p for p in verify_run(run).problems)


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xops.evidence.store as store_mod

    def boom(_):
        raise OSError("disk full")

    monkeypatch.setattr(store_mod, "summary_markdown", boom)
    with pytest.raises(OSError):
        EvidenceStore(tmp_path).write(result())
    assert list((tmp_path / "runs").iterdir()) == []


def test_concurrent_runs_keep_one_unbroken_ledger_chain(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = EvidenceStore(tmp_path)
    ids = [f"20261127T000000Z-{i:06d}" for i in range(32)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        runs = list(pool.map(lambda rid: store.write(result(rid)), ids))
    entries = [json.loads(line) for line in store.ledger_path.read_text().splitlines()]
    assert sorted(e["run_id"] for e in entries) == ids
    assert all(later["prev"] == earlier["entry_sha256"] for earlier, later in zip(entries, entries[1:], strict=False))
    assert all(verify_run(run).ok for run in runs)
