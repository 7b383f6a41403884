"""The registry against the seeded demo estate, one analyzer at a time: its planted bad resources are
exactly its FAILs, its planted clean ones PASS, and the IAM actions it called are exactly the ones it
declares (permissions proven). Each analyzer gets a fresh AwsContext, so its recorded calls are its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.harness.sandbox import RunningSandbox
from xops.core import registry
from xops.core.aws import AwsContext, AwsSettings
from xops.core.models import Finding, Status
from xops.core.scan import ScanRequest, scan
from xops.resources.ops import api_name, iam_action

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sandbox")]

ANALYZERS = registry.all_analyzers()


@dataclass
class Observed:
    findings: list[Finding]
    actions: set[str]


@pytest.fixture(scope="module")
def observed(sandbox: RunningSandbox) -> dict[str, Observed]:
    """Every analyzer scanned alone over both accounts and all regions (in this process, over HTTP)."""
    import os

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in sandbox.env.items() if k.startswith(("AWS_", "XOPS_"))})
    try:
        out = {}
        for a in ANALYZERS:
            aws = AwsContext(AwsSettings(accounts=["all"], max_workers=8))
            result = scan(aws, ScanRequest(analyzer_ids=[a.meta.id]))
            actions = {iam_action(c.service, api_name(c.service, c.operation)) for c in aws.inventory.calls}
            out[a.meta.id] = Observed(result.findings, actions)
        return out
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.parametrize("analyzer", ANALYZERS, ids=lambda a: a.meta.id)
def test_planted_bad_fail_and_planted_clean_pass(analyzer: Any, sandbox: RunningSandbox,
                                                 observed: dict[str, Observed]) -> None:
    seen = observed[analyzer.meta.id].findings
    bad = {i.key for i in sandbox.truth.issues if i.analyzer_id == analyzer.meta.id}
    clean = {c.key for c in sandbox.truth.clean if c.analyzer_id == analyzer.meta.id}
    assert bad and clean, "a planter plants at least one bad and one clean resource"
    assert [f.message for f in seen if f.status == Status.ERROR] == []
    assert {f.key for f in seen if f.status == Status.FAIL} == bad
    status = {f.key: f.status for f in seen}
    assert {k: status.get(k) for k in clean if status.get(k) != Status.PASS} == {}


@pytest.mark.parametrize("analyzer", ANALYZERS, ids=lambda a: a.meta.id)
def test_permissions_are_exactly_what_the_analyzer_calls(analyzer: Any, observed: dict[str, Observed]) -> None:
    called = observed[analyzer.meta.id].actions
    declared = set(analyzer.meta.permissions)
    fallback = {op.action for op in analyzer.declared.all_ops() if op.fallback}
    assert called - declared == set(), "called actions it does not declare"
    assert declared - fallback - called == set(), "declares actions it never called (mark fallbacks as such)"


def test_no_fix_tells_the_cli_to_use_region_global(observed: dict[str, Observed]) -> None:
    """A global analyzer's finding is in region "global": its snippet must not pass it to --region."""
    rendered = {f.analyzer_id: registry.get(f.analyzer_id).meta.remediation.cli_for(f.resource_id, f.region,
                                                                                      f.account_id)
                for o in observed.values() for f in o.findings if f.status == Status.FAIL}
    assert len(rendered) == len(ANALYZERS)
    assert {a: cli for a, cli in rendered.items() if "--region global" in cli} == {}
