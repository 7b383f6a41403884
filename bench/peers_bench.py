"""Peers side by side, in one run: xOps, Prowler, Cloud Custodian and a plain sequential boto3 script run
the same ten checks against the same AWS-like sandbox (every call after --latency-ms, from many threads),
each as a whole process. Prints wall time, API calls (as the sandbox counted them) and peak RSS of each,
and the ratios.

    python bench/peers_bench.py [--scale 3] [--latency-ms 50] [--skip-install]

Prowler 5.46 and Cloud Custodian 0.9.53 are installed on first use into their own venvs under
tmp/peers/ (never into the product's: they pin other boto3 versions); that takes minutes once.
All traffic goes to the sandbox on 127.0.0.1 (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_bench import start_sandbox  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "tmp" / "peers"
XOPS_IDS = [
    "finops.ebs_volume_unattached", "finops.eip_unassociated", "finops.ebs_snapshot_old",
    "finops.ec2_instance_stopped", "devsecops.ec2_sg_admin_port_open_to_world",
    "devsecops.iam_user_console_without_mfa", "devsecops.iam_access_key_older_than_90_days",
    "devsecops.s3_bucket_no_default_encryption", "devsecops.s3_bucket_no_public_access_block",
    "devsecops.iam_user_admin_policy_attached",
]
# The equivalent Prowler checks (the anchors of ../shared/catalogue/CATALOGUE.md); Prowler has none for
# unattached volumes and old snapshots.
PROWLER_CHECKS = [
    "ec2_elastic_ip_unassigned", "ec2_instance_stopped_older_than_specific_days",
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389", "iam_user_mfa_enabled_console_access",
    "iam_rotate_access_key_90_days", "s3_bucket_default_encryption", "s3_bucket_level_public_access_block",
    "iam_user_administrator_access_policy",
]
CUSTODIAN_POLICIES = textwrap.dedent("""\
    policies:
      - name: ebs-unattached
        resource: aws.ebs
        filters: [{Attachments: []}]
      - name: eip-unassociated
        resource: aws.network-addr
        filters: [{AssociationId: absent}]
      - name: sg-admin-ports-open
        resource: aws.security-group
        filters:
          - or:
            - {type: ingress, Ports: [22], Cidr: {value: 0.0.0.0/0}}
            - {type: ingress, Ports: [3389], Cidr: {value: 0.0.0.0/0}}
      - name: iam-keys-older-than-90-days
        resource: aws.iam-user
        filters: [{type: access-key, key: CreateDate, value_type: age, value: 90, op: gt}]
    """)
SEQUENTIAL = textwrap.dedent('''\
    """The ten checks as a plain boto3 script: every call one after another."""
    import os
    import boto3
    regions = os.environ["XOPS_REGIONS"].split(",")
    found = 0
    iam = boto3.client("iam")
    users = [u["UserName"] for p in iam.get_paginator("list_users").paginate() for u in p["Users"]]
    for user in users:
        found += len(iam.list_access_keys(UserName=user)["AccessKeyMetadata"])
        found += len(iam.list_attached_user_policies(UserName=user)["AttachedPolicies"])
        found += len(iam.list_user_policies(UserName=user)["PolicyNames"])
    iam.generate_credential_report()
    found += len(iam.get_credential_report()["Content"])
    s3 = boto3.client("s3")
    for b in s3.list_buckets()["Buckets"]:
        for call in (s3.get_bucket_encryption, s3.get_public_access_block):
            try:
                call(Bucket=b["Name"])
            except Exception:
                pass
            found += 1
    for region in regions:
        ec2 = boto3.client("ec2", region_name=region)
        found += len(ec2.describe_volumes()["Volumes"]) + len(ec2.describe_addresses()["Addresses"])
        found += len(ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"])
        found += len(ec2.describe_instances()["Reservations"]) + len(ec2.describe_security_groups()["SecurityGroups"])
    print(found)
''')


def venv(name: str, packages: list[str], skip: bool) -> Path:
    """A peer's own venv under tmp/peers/, created once."""
    folder = PEERS / name
    python = folder / "bin" / "python"
    if python.exists() or skip:
        return folder
    print(f"installing {' '.join(packages)} into {folder} (once; minutes)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    return folder


def counted(endpoint: str) -> int:
    s = httpx.get(f"{endpoint}/xops-sandbox/stats", timeout=10).json()
    return int(s["replayed"] + s["forwarded"] + s["throttled"])


def run(name: str, argv: list[str], env: dict[str, str], endpoint: str, cwd: Path) -> dict[str, object]:
    before = counted(endpoint)
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")[-400:] if proc.stderr else ""
    return {"name": name, "seconds": seconds, "calls": counted(endpoint) - before, "rss_mb": usage.ru_maxrss / 1024,
            "exit": code, "stderr": err if code not in (0, 3) else ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--skip-install", action="store_true", help="run only the peers already installed")
    args = ap.parse_args()
    prowler = venv("prowler", ["prowler==5.46.0"], args.skip_install)
    custodian = venv("custodian", ["c7n==0.9.53"], args.skip_install)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        proc, truth, _ = start_sandbox(args.scale, 42, tmp, args.latency_ms)
        try:
            account = truth.accounts["management"]
            env = {**os.environ, "AWS_ENDPOINT_URL": truth.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "ap-southeast-2",
                   "XOPS_REGIONS": ",".join(truth.regions), "XOPS_PRICING": "offline", "XOPS_DATA_DIR": str(tmp)}
            (tmp / "policies.yml").write_text(CUSTODIAN_POLICIES)
            (tmp / "sequential.py").write_text(SEQUENTIAL)
            xops = str(Path(sys.executable).with_name("xops"))
            runs = [run("xops", [xops, "scan", "--accounts", account, "--no-evidence", "--format", "json",
                                 *[a for i in XOPS_IDS for a in ("-a", i)]], env, truth.endpoint, tmp),
                    run("boto3 sequential", [sys.executable, str(tmp / "sequential.py")], env, truth.endpoint, tmp)]
            if (custodian / "bin" / "custodian").exists():
                runs.append(run("Cloud Custodian (4 of the checks)",
                                [str(custodian / "bin" / "custodian"), "run", "-s", str(tmp / "c7n"),
                                 *[a for r in truth.regions for a in ("--region", r)], str(tmp / "policies.yml")],
                                env, truth.endpoint, tmp))
            if (prowler / "bin" / "prowler").exists():
                runs.append(run("Prowler (9 equivalent checks)",
                                [str(prowler / "bin" / "prowler"), "aws", "-f", *truth.regions, "-c", *PROWLER_CHECKS,
                                 "--no-banner", "-o", str(tmp / "prowler"), "-M", "json-ocsf"],
                                env, truth.endpoint, tmp))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    base = runs[0]["seconds"]
    print(f"scale {args.scale}, {args.latency_ms:g} ms a call, account {account}, regions {', '.join(truth.regions)}")
    for r in runs:
        ratio = "" if r is runs[0] else f"  {r['seconds'] / base:5.1f}x xOps"  # type: ignore[operator]
        print(f"  {r['name']:<36} {r['seconds']:7.2f} s  {r['calls']:6} calls  {r['rss_mb']:7.1f} MB peak RSS"
              f"{ratio}{'  exit ' + str(r['exit']) + ': ' + str(r['stderr']) if r['stderr'] else ''}")
    print(json.dumps({"runs": runs}, default=str))


if __name__ == "__main__":
    main()
