"""Contract tests that walk every registered analyzer and every framework mapping."""

import re
from collections import Counter
from pathlib import Path

import pytest

from xops.compliance.mapping import list_frameworks, load_framework
from xops.core import registry
from xops.core.models import PILLARS

TESTS = Path(__file__).resolve().parents[1] / "analyzers"
PUBLIC_IDS = [
    "finops.ebs_volume_unattached", "finops.eip_unassociated", "finops.ebs_snapshot_old",
    "finops.ec2_instance_stopped", "devsecops.ec2_sg_admin_port_open_to_world",
    "devsecops.iam_user_console_without_mfa", "devsecops.iam_access_key_older_than_90_days",
    "devsecops.s3_bucket_no_default_encryption", "devsecops.s3_bucket_no_public_access_block",
    "devsecops.iam_user_admin_policy_attached",
]
ANALYZERS = registry.all_analyzers()
IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")


def test_catalogue_size_and_public_ids() -> None:
    ids = [a.meta.id for a in ANALYZERS]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 30
    per_pillar = Counter(a.meta.pillar for a in ANALYZERS)
    assert all(per_pillar[p] >= 8 for p in PILLARS), per_pillar
    assert set(PUBLIC_IDS) <= set(ids)


@pytest.mark.parametrize("analyzer", ANALYZERS, ids=lambda a: a.meta.id)
def test_analyzer_contract(analyzer) -> None:
    meta = analyzer.meta
    assert (TESTS / meta.pillar / f"test_{meta.name}.py").is_file(), f"{meta.id} has no test file"
    assert meta.permissions and all(IAM_ACTION.match(p) for p in meta.permissions), meta.permissions
    assert all(not p.split(":")[1].startswith(("Create", "Delete", "Put", "Update", "Modify", "Attach"))
               for p in meta.permissions), "analyzers are read-only"
    assert len(meta.remediation.summary) >= 10 and meta.remediation.cli.strip() and meta.remediation.terraform.strip()
    assert "aws " in meta.remediation.cli, "the CLI remediation is an AWS CLI command"
    for name, field in analyzer.Params.model_fields.items():
        assert field.description, f"{meta.id}: parameter {name} has no description"
    schema = analyzer.Params.model_json_schema()
    assert all("description" in p for p in schema.get("properties", {}).values())
    if meta.pillar == "finops":
        assert meta.cost_impact or meta.id == "finops.s3_bucket_no_lifecycle"


def test_run_is_implemented_by_each_analyzer() -> None:
    from xops.core.analyzer import Analyzer

    assert all(type(a).run is not Analyzer.run for a in ANALYZERS)


@pytest.mark.parametrize("framework_id", list_frameworks())
def test_framework_entries_name_real_analyzers(framework_id: str) -> None:
    fw = load_framework(framework_id)
    known = {a.meta.id for a in ANALYZERS}
    assert fw.requirements
    for req in fw.requirements:
        assert req.text and req.title
        assert set(req.analyzers) <= known, f"{framework_id} {req.id}: {set(req.analyzers) - known}"
    assert len({r.id for r in fw.requirements}) == len(fw.requirements)


def test_frameworks_shipped() -> None:
    assert {"apra-cps-234", "cis-aws-foundations"} <= set(list_frameworks())
