"""The generated least-privilege policy: read-only, exactly the registry's actions, committed copy current."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xops.core import registry
from xops.core.errors import UsageError
from xops.identity.iam_policy import (
    MANAGED_POLICY_MAX_CHARS,
    SCANNER_ACTIONS,
    build_policies,
    render,
    write_policies,
)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "infra/modules/ecs/policies/analyzer-readonly.json"
XOPS = str(Path(sys.executable).with_name("xops"))
# Verbs that change an account. Written out here, independently of the generator's own read-verb list.
WRITE_VERBS = re.compile(
    r"^(Create|Delete|Put|Update|Modify|Attach|Detach|Run|Start|Stop|Terminate|Tag|Untag|Set|Enable|Disable|"
    r"Reboot|Reset|Restore|Revoke|Authorize|Associate|Disassociate|Import|Copy|Register|Deregister|Send|"
    r"Invoke|Pass|Add|Remove|Upload|Replace|Accept|Reject|Cancel|Assume|Apply|Execute|Publish|Purge|Rotate|"
    r"Schedule|Change|Allocate|Release|Request|Restore|Upgrade)"
)


def actions_of(documents: list[dict]) -> list[str]:
    return [a for d in documents for s in d["Statement"] for a in s["Action"]]


def test_committed_policy_equals_a_fresh_generation(tmp_path: Path) -> None:
    proc = subprocess.run([XOPS, "iam", "policy", "--out", str(tmp_path / "analyzer-readonly.json")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    fresh = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in COMMITTED.parent.glob("analyzer-readonly*.json"))
    assert fresh == committed == ["analyzer-readonly.json"]
    assert (tmp_path / "analyzer-readonly.json").read_text() == COMMITTED.read_text(), (
        "the committed policy is stale: run `xops iam policy --out infra/modules/ecs/policies/analyzer-readonly.json`")
    stdout = subprocess.run([XOPS, "iam", "policy"], capture_output=True, text=True, timeout=60)
    assert stdout.returncode == 0 and stdout.stdout == COMMITTED.read_text()


def test_policy_grants_only_read_actions_and_one_scoped_assume_role() -> None:
    document = json.loads(COMMITTED.read_text())
    assert document["Version"] == "2012-10-17"
    assert all(s["Effect"] == "Allow" for s in document["Statement"])
    for statement in document["Statement"]:
        for action in statement["Action"]:
            service, _, name = action.partition(":")
            assert "*" not in action and re.fullmatch(r"[a-z0-9-]+", service), action
            if action == "sts:AssumeRole":
                # The one non-read action: only into the member accounts' read-only role, never "*".
                assert statement["Resource"] == "arn:aws:iam::*:role/xops-readonly"
                assert statement["Action"] == ["sts:AssumeRole"]
                continue
            assert statement["Resource"] == "*"
            assert name.startswith(("Describe", "Get", "List")) or action == "iam:GenerateCredentialReport", action
            assert not WRITE_VERBS.match(name), action
    assert len(json.dumps(document, separators=(",", ":"))) <= MANAGED_POLICY_MAX_CHARS


def test_policy_covers_exactly_the_registry_and_the_scanner() -> None:
    declared = {p for a in registry.all_analyzers() for p in a.meta.permissions}
    granted = actions_of([json.loads(COMMITTED.read_text())])
    assert len(granted) == len(set(granted)), "no action is granted twice"
    assert set(granted) == declared | set(SCANNER_ACTIONS) | {"sts:AssumeRole"}
    assert {"ec2:DescribeVolumes", "iam:GetCredentialReport", "sts:GetCallerIdentity", "organizations:ListAccounts",
            "ec2:DescribeRegions", "pricing:GetProducts"} <= set(granted)
    for statement in json.loads(COMMITTED.read_text())["Statement"]:
        assert statement["Action"] == sorted(statement["Action"])


def test_chunking_keeps_every_action_and_each_document_under_the_limit(tmp_path: Path) -> None:
    whole = build_policies()
    assert len(whole) == 1
    chunks = build_policies(max_chars=600)
    assert len(chunks) >= 3
    assert all(len(json.dumps(d, separators=(",", ":"))) <= 600 for d in chunks)
    assert actions_of(chunks) == actions_of(whole)  # same actions, same order, none twice
    assert build_policies(max_chars=600) == chunks  # deterministic
    out = tmp_path / "p.json"
    paths = write_policies(out, chunks)
    assert [p.name for p in paths] == ["p.json"] + [f"p-{i}.json" for i in range(2, len(chunks) + 1)]
    assert [json.loads(p.read_text()) for p in paths] == chunks
    (tmp_path / "p-99.json").write_text("{}")
    (tmp_path / "p-notes.json").write_text("{}")
    assert write_policies(out, whole) == [out]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p-notes.json", "p.json"]  # stale chunks removed
    assert out.read_text() == render(whole[0])


def test_bad_input_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="invalid member role name"):
        build_policies(member_role="no spaces allowed")
    with pytest.raises(UsageError, match="must end in .json"):
        write_policies(tmp_path / "policy.txt", build_policies())
    proc = subprocess.run([XOPS, "iam", "policy", "--member-role", "a/b"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "invalid member role name 'a/b'" in proc.stderr and "hint:" in proc.stderr
    many = subprocess.run([XOPS, "iam", "policy", "--max-chars", "900"], capture_output=True, text=True, timeout=60)
    assert many.returncode == 2 and "give --out FILE.json" in many.stderr
    custom = json.loads(subprocess.run([XOPS, "iam", "policy", "--member-role", "audit-ro"], capture_output=True,
                                       text=True, timeout=60).stdout)
    assert custom["Statement"][1]["Resource"] == "arn:aws:iam::*:role/audit-ro"
