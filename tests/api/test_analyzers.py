"""The catalogue over HTTP: searched with the same Catalogue.select as the CLI and MCP, one analyzer described."""

from __future__ import annotations

import pytest

from tests.harness.api import ApiServer

pytestmark = pytest.mark.xdist_group("api")


def test_the_catalogue_is_searched_and_one_analyzer_described(api: ApiServer) -> None:
    with api.client() as c:
        found = c.get("/v1/analyzers", params={"q": "dynamodb point-in-time recovery"}).json()
        assert found[0]["id"] == "cloudops.dynamodb_pitr_disabled"
        assert {a["service"] for a in c.get("/v1/analyzers", params={"service": "s3"}).json()} == {"s3"}
        high = c.get("/v1/analyzers", params={"severity": "high"}).json()
        assert high and {a["severity"] for a in high} <= {"high", "critical"}  # that severity or higher
        one = c.get("/v1/analyzers/devsecops.iam_user_console_without_mfa").json()
        assert one["permissions"] == ["iam:GenerateCredentialReport", "iam:GetCredentialReport"]
        assert {"framework": "cis-aws-foundations", "requirement": "1.10"} in [
            {k: m[k] for k in ("framework", "requirement")} for m in one["frameworks"]]
        missing = c.get("/v1/analyzers/finops.nope")
        assert missing.status_code == 404 and "unknown analyzer id 'finops.nope'" in missing.json()["detail"]
        bad = c.get("/v1/analyzers", params={"service": "nope"})
        assert bad.status_code == 422 and "unknown service 'nope'" in bad.json()["detail"]
