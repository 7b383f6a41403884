"""Every AWS call a full scan of the sandbox estate makes is granted by the generated least-privilege policy.

The scan runs in this process with a recorder on botocore's API call; each call is mapped to its IAM
action and looked up in the committed policy (infra/modules/ecs/policies/analyzer-readonly.json).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.client
import pytest

from tests.harness.sandbox import RunningSandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sandbox")]

POLICY = Path(__file__).resolve().parents[2] / "infra/modules/ecs/policies/analyzer-readonly.json"


def iam_action(client: Any, operation: str) -> str:
    from xops.resources.ops import iam_action as action

    return action(client.meta.service_model.service_name, operation)


def test_a_full_scan_calls_only_actions_the_policy_grants(sandbox: RunningSandbox,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from xops.core.aws import AwsContext, AwsSettings
    from xops.core.scan import ScanRequest, scan

    for key, value in sandbox.env.items():
        if key.startswith(("AWS_", "XOPS_")):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("XOPS_PRICING", "auto")  # the Pricing API call too (moto answers 500: offline table)
    called: set[str] = set()
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        called.add(iam_action(self, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    aws = AwsContext(AwsSettings(accounts=["all"], max_workers=8))
    result = scan(aws, ScanRequest())
    assert len({f.analyzer_id for f in result.findings}) >= 30

    granted = {a for s in json.loads(POLICY.read_text())["Statement"] for a in s["Action"]}
    assert called - granted == set(), "the scan called actions the policy does not grant"
    assert {"sts:GetCallerIdentity", "sts:AssumeRole", "organizations:ListAccounts", "ec2:DescribeVolumes",
            "iam:GetCredentialReport"} <= called
    # Granted but not called here: regions are given (no DescribeRegions), and moto's certificate list
    # already carries the expiry date (DescribeCertificate is the fallback when it does not); the tag reads
    # are the Runbooks API's cost-centre lookup (src/xops/api/tags.py, exercised by tests/api).
    assert granted - called <= {"ec2:DescribeRegions", "acm:DescribeCertificate", "tag:GetResources",
                                "ec2:DescribeTags"}
