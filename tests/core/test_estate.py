"""The estate composes the planters: a subset of analyzers, an Organization of several members, seeded in
this process's moto and scanned over HTTP: exactly the planted issues, in every member account."""

from __future__ import annotations

import pytest

from xops.core.aws import AwsContext, AwsSettings
from xops.core.scan import ScanRequest, scan
from xops.sandbox.estate import seed_estate
from xops.sandbox.moto_server import MotoServer

IDS = ["devsecops.iam_password_policy_weak", "finops.ebs_volume_unattached", "devsecops.cloudtrail_not_multi_region"]


def test_an_organization_of_several_members_is_found_exactly(moto_server: MotoServer,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    moto_server.reset()
    truth = seed_estate(moto_server, analyzer_ids=IDS, members=3)
    assert len(truth.accounts) == 4 and len(set(truth.accounts.values())) == 4
    assert {i.analyzer_id for i in truth.issues} == set(IDS)
    assert {i.account_id for i in truth.issues} == set(truth.accounts.values())  # every member is planted
    monkeypatch.setenv("XOPS_REGIONS", ",".join(truth.regions))
    result = scan(AwsContext(AwsSettings(accounts=["all"], max_workers=8)), ScanRequest(analyzer_ids=IDS))
    assert sorted(result.accounts) == sorted(truth.accounts.values())
    assert {f.key for f in result.findings if f.status == "FAIL"} == {i.key for i in truth.issues}
    assert [f.message for f in result.findings if f.status == "ERROR"] == []
    moto_server.reset()
