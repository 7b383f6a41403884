from datetime import UTC, date, datetime
from typing import Any

import requests
from tests.harness.aws import SandboxAws, failed_ids, fails

from xops.analyzers.finops.cost_spike_by_service.analyzer import cost_request
from xops.core.aws import AwsContext, AwsSettings
from xops.core.models import Status
from xops.core.scan import ScanRequest, scan

NOW = datetime(2026, 7, 15, 9, 30, tzinfo=UTC)
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def inject(sandbox_aws: SandboxAws, series: dict[str, list[float]]) -> None:
    """Queue one GetCostAndUsage answer: monthly UnblendedCost by SERVICE for MONTHS."""
    periods = [{"TimePeriod": {"Start": f"{m}-01", "End": (f"{MONTHS[i + 1]}-01" if i + 1 < len(MONTHS)
                                                            else "2026-07-01")},
                "Total": {}, "Estimated": False,
                "Groups": [{"Keys": [s], "Metrics": {"UnblendedCost": {"Amount": f"{v[i]:.4f}", "Unit": "USD"}}}
                           for s, v in series.items() if v[i] is not None]}
               for i, m in enumerate(MONTHS)]
    body: dict[str, Any] = {"account_id": sandbox_aws.account_id,
                            "results": [{"ResultsByTime": periods, "DimensionValueAttributes": []}]}
    requests.post(f"{sandbox_aws.server.endpoint}/moto-api/static/ce/cost-and-usage-results", json=body,
                  timeout=10).raise_for_status()


def test_request_depends_on_the_day_only() -> None:
    req = cost_request(date(2026, 1, 31))
    assert req["TimePeriod"] == {"Start": "2025-07-01", "End": "2026-01-01"}
    assert req == cost_request(date(2026, 1, 1))
    assert req["Granularity"] == "MONTHLY" and req["Metrics"] == ["UnblendedCost"]
    assert req["GroupBy"] == [{"Type": "DIMENSION", "Key": "SERVICE"}]


def test_no_cost_data_no_fail(sandbox_aws: SandboxAws) -> None:
    assert sandbox_aws.run(now=NOW) == []


def test_steady_costs_pass(sandbox_aws: SandboxAws) -> None:
    inject(sandbox_aws, {"Amazon EC2": [1000, 1010, 990, 1005, 1000, 1040],
                         "AWS KMS": [4, 4, 4, 4, 4, 9]})  # +125%, but only +$5
    findings = sandbox_aws.run(now=NOW)
    assert fails(findings) == []
    assert {f.resource_id for f in findings} == {"Amazon EC2", "AWS KMS"}
    assert all(f.region == "global" for f in findings)


def test_spike_fails_with_increase_and_series(sandbox_aws: SandboxAws) -> None:
    inject(sandbox_aws, {"Amazon EC2": [1000, 1010, 990, 1005, 1000, 1040],
                         "Amazon RDS": [400, 410, 405, 395, 400, 900.25],
                         "Amazon SageMaker": [None, None, None, None, None, 120],  # new spend
                         "Tax": [10, 10, 10, 10, 10, 100]})
    findings = fails(sandbox_aws.run(now=NOW))
    assert {f.resource_id for f in findings} == {"Amazon RDS", "Amazon SageMaker"}
    rds = next(f for f in findings if f.resource_id == "Amazon RDS")
    assert rds.est_monthly_usd == 500.25
    assert rds.evidence["monthly_usd"] == dict(zip(MONTHS, [400, 410, 405, 395, 400, 900.25], strict=True))
    assert rds.evidence["growth_pct"] == 125.1 and rds.evidence["last_month"] == "2026-06"
    assert "$900.25 (2026-06) − $400.00 (2026-05) = $500.25/month" in rds.evidence["arithmetic"]
    new = next(f for f in findings if f.resource_id == "Amazon SageMaker")
    assert new.est_monthly_usd == 120.0 and new.evidence["growth_pct"] is None


def test_thresholds(sandbox_aws: SandboxAws) -> None:
    inject(sandbox_aws, {"Amazon EC2": [1000, 1000, 1000, 1000, 1000, 1200]})  # +20%, +$200
    assert failed_ids(sandbox_aws.run(now=NOW)) == set()
    assert failed_ids(sandbox_aws.run(now=NOW, params={"growth_pct": 10})) == {"Amazon EC2"}
    assert failed_ids(sandbox_aws.run(now=NOW, params={"growth_pct": 10, "min_usd": 500})) == set()


def test_one_identical_request_per_account_and_scan(sandbox_aws: SandboxAws) -> None:
    inject(sandbox_aws, {"Amazon RDS": [400, 410, 405, 395, 400, 900]})
    runs = []
    for _ in range(2):  # moto answers the queued result to the first body, and the same to the same body
        aws = AwsContext(AwsSettings(regions=[sandbox_aws.region], max_workers=2), now=NOW)
        result = scan(aws, ScanRequest(analyzer_ids=["finops.cost_spike_by_service"]))
        ce_calls = [c for c in aws.inventory.calls if c.service == "ce"]
        assert len(ce_calls) == 1 and ce_calls[0].operation == "get_cost_and_usage"
        runs.append((ce_calls[0].params, {f.resource_id for f in result.findings if f.status == Status.FAIL}))
    assert runs[0] == runs[1] and runs[0][1] == {"Amazon RDS"}
