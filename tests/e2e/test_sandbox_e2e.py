"""The real CLI against the real sandbox process: every planted issue found, nothing else reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.harness.sandbox import RunningSandbox, clean_env, start_sandbox_process
from xops.sandbox.estate.base import GroundTruth
from xops.sandbox.moto_server import free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sandbox")]


@pytest.fixture(scope="module")
def full_scan(sandbox: RunningSandbox) -> dict:
    out = sandbox.data_dir / "scan.json"
    proc = sandbox.xops("scan", "--accounts", "all", "--format", "json", "--out", str(out), "--all")
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def test_every_planted_issue_is_found_and_nothing_else(sandbox: RunningSandbox, full_scan: dict) -> None:
    fails = {(f["analyzer_id"], f["account_id"], f["region"], f["resource_id"]): f
             for f in full_scan["findings"] if f["status"] == "FAIL"}
    planted = {i.key: i for i in sandbox.truth.issues}
    assert set(planted) - set(fails) == set(), "planted issues not found (recall < 100%)"
    assert set(fails) - set(planted) == set(), "reported issues that were not planted (precision < 100%)"
    wrong_usd = {k: (fails[k]["est_monthly_usd"], p.expected_usd) for k, p in planted.items()
                 if p.expected_usd is not None and abs((fails[k]["est_monthly_usd"] or 0) - p.expected_usd) > 0.005}
    assert wrong_usd == {}
    assert [f["message"] for f in full_scan["findings"] if f["status"] == "ERROR"] == []
    assert {k[0].split(".")[0] for k in planted} == {"finops", "cloudops", "devsecops"}
    assert set(sandbox.truth.accounts.values()) == set(full_scan["run"]["accounts"])


def test_planted_clean_resources_are_examined_and_pass(sandbox: RunningSandbox, full_scan: dict) -> None:
    status = {(f["analyzer_id"], f["account_id"], f["region"], f["resource_id"]): f["status"]
              for f in full_scan["findings"]}
    assert sandbox.truth.clean, "the estate plants clean resources"
    assert {c.key: status.get(c.key) for c in sandbox.truth.clean if status.get(c.key) != "PASS"} == {}


def test_every_analyzer_has_planted_issues(sandbox: RunningSandbox) -> None:
    from xops.core import registry

    planted = {i.analyzer_id for i in sandbox.truth.issues}
    assert {a.meta.id for a in registry.all_analyzers()} - planted == set()


def test_dollars_and_evidence_of_the_scan(sandbox: RunningSandbox, full_scan: dict) -> None:
    summary = full_scan["summary"]
    assert summary["est_monthly_usd"] == pytest.approx(sandbox.truth.expected_usd_total(), abs=0.02)
    assert summary["by_pillar"]["finops"]["est_monthly_usd"] > 0
    run_dir = Path(full_scan["evidence_dir"])
    verify = sandbox.xops("evidence", "verify", str(run_dir))
    assert verify.returncode == 0 and "OK" in verify.stdout
    finding = next(f for f in json.loads((run_dir / "findings.json").read_text())["findings"]
                   if f["analyzer_id"] == "finops.ebs_volume_unattached")
    assert "GiB ×" in finding["evidence"]["arithmetic"]
    (run_dir / "findings.csv").write_text("tampered\n")
    tampered = sandbox.xops("evidence", "verify", str(run_dir))
    assert tampered.returncode == 5 and "findings.csv: content changed" in tampered.stdout


def test_framework_report_per_requirement(sandbox: RunningSandbox) -> None:
    proc = sandbox.xops("scan", "--accounts", "all", "--framework", "apra-cps-234", "--format", "json",
                        "--no-evidence")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    reqs = {r["requirement_id"]: r for r in body["framework"]["requirements"]}
    assert reqs["para-21-access"]["status"] == "FAIL" and reqs["para-21-access"]["fail"] > 0
    assert {f["analyzer_id"] for f in body["findings"]} <= set(body["run"]["analyzer_ids"])
    table = sandbox.xops("scan", "--accounts", "all", "--framework", "apra-cps-234", "--no-evidence")
    assert table.returncode == 0 and "para-21-access" in table.stdout and "APRA CPS 234" in table.stdout


def test_scan_one_pillar_region_and_csv(sandbox: RunningSandbox) -> None:
    proc = sandbox.xops("scan", "--pillar", "finops", "--regions", "eu-west-1", "--format", "csv", "--no-evidence")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("analyzer_id,status,severity,account_id,region")
    rows = [line.split(",") for line in lines[1:]]
    assert rows and all(r[0].startswith("finops.") for r in rows)
    assert {r[4] for r in rows} <= {"eu-west-1", "global"}
    expected = {i.resource_id for i in sandbox.truth.issues if i.analyzer_id.startswith("finops.")
                and i.region == "eu-west-1" and i.account_id == sandbox.truth.accounts["management"]}
    assert expected <= {r[5] for r in rows}


def test_same_seed_same_estate(sandbox: RunningSandbox, tmp_path: Path) -> None:
    proc, _, truth_path = start_sandbox_process(tmp_path, seed=42)
    try:
        again = GroundTruth.read(truth_path)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert [(i.key, i.expected_usd) for i in again.issues] == [(i.key, i.expected_usd) for i in sandbox.truth.issues]
    assert [c.key for c in again.clean] == [c.key for c in sandbox.truth.clean]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["scan", "--analyzer", "finops.nope"], 2, "unknown analyzer id 'finops.nope'"),
    (["scan", "--pillar", "money"], 2, "unknown pillar 'money'"),
    (["scan", "--framework", "sox"], 2, "unknown framework 'sox'"),
    (["scan", "-a", "finops.ebs_snapshot_old", "--param", "finops.ebs_snapshot_old.max_age_days=-5"], 2,
     "max_age_days"),
    (["scan", "--param", "oops"], 2, "is not ANALYZER_ID.FIELD=VALUE"),
    (["analyzers", "describe", "devsecops.nope"], 2, "unknown analyzer id"),
])
def test_cli_usage_errors(sandbox: RunningSandbox, args: list[str], code: int, message: str) -> None:
    extra = ["--no-evidence"] if args[0] == "scan" else []
    proc = sandbox.xops(*args, *extra)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr


def test_cli_unreachable_endpoint_and_no_credentials(sandbox: RunningSandbox, tmp_path: Path) -> None:
    env = sandbox.env | {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    proc = sandbox.xops("scan", "--no-evidence", env=env)
    assert proc.returncode == 4 and "cannot reach the AWS endpoint" in proc.stderr
    env = {k: v for k, v in sandbox.env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    env |= {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true"}
    proc = sandbox.xops("scan", "--no-evidence", env=env)
    assert proc.returncode == 3 and "no usable AWS credentials" in proc.stderr and "hint:" in proc.stderr


def test_analyzers_list_and_describe(sandbox: RunningSandbox) -> None:
    listed = json.loads(sandbox.xops("analyzers", "list", "--format", "json").stdout)
    assert len(listed) >= 30 and all(a["permissions"] for a in listed)
    text = sandbox.xops("analyzers", "describe", "devsecops.iam_user_console_without_mfa").stdout
    assert "apra-cps-234 para-21-access" in text and "cis-aws-foundations 1.10" in text


def test_demo_command(tmp_path: Path) -> None:
    """The README's first command, as a newcomer runs it (its own sandbox, scan, summary, verified evidence)."""
    import subprocess

    from tests.harness.sandbox import XOPS

    proc = subprocess.run([XOPS, "demo"], env=clean_env(tmp_path), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = next(line for line in proc.stdout.splitlines() if line.startswith("planted issues found"))
    n, total = found.split(":")[1].split(";")[0].strip().split("/")
    assert n == total and int(total) > 30 and "reported but not planted: 0" in found
    assert "verify: OK" in proc.stdout
    for pillar in ("finops", "cloudops", "devsecops"):
        assert pillar in proc.stdout
