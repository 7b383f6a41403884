"""Real mcpo from .venv-mcpo (`xops mcpo serve`): OpenAPI per server, calls, errors as 4xx, API key."""

from __future__ import annotations

import httpx
import pytest

from tests.harness.aws import SandboxAws
from tests.mcp.conftest import MCPO_KEY, RunningServer
from tests.mcp.planted import plant, server_tools
from xops.core import registry
from xops.mcp.tools import direct_analyzers, tool_name

AUTH = {"Authorization": f"Bearer {MCPO_KEY}"}


@pytest.mark.parametrize("server", ["finops", "cloudops", "devsecops"])
def test_openapi_lists_the_tools_with_our_descriptions(mcpo: RunningServer, server: str) -> None:
    spec = httpx.get(f"{mcpo.url}/{server}/openapi.json", timeout=10).json()
    analyzers = direct_analyzers(server)
    paths = {p.strip("/") for p in spec["paths"]}
    assert paths == server_tools(server)
    for a in analyzers:
        op = spec["paths"][f"/{tool_name(a.meta.id)}"]["post"]
        assert a.meta.risk in op["description"]
        form = spec["components"]["schemas"][f"{tool_name(a.meta.id)}_form_model"]["properties"]
        assert set(form) == set(a.Params.model_fields) | {"regions", "accounts"}
        for field in form.values():  # mcpo drops enums and bounds: the descriptions carry them
            assert "Allowed: " in field["description"]


def test_post_returns_findings(mcpo: RunningServer, sandbox_aws: SandboxAws) -> None:
    want = plant(sandbox_aws)
    r = httpx.post(f"{mcpo.url}/cloudops/cloudops_s3_bucket_versioning_disabled", headers=AUTH, timeout=60,
                   json={"regions": [sandbox_aws.region]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {f["resource_id"] for f in body["findings"]} == want["cloudops_s3_bucket_versioning_disabled"]
    assert body["counts"]["FAIL"] == 1 and body["text"].startswith("cloudops.s3_bucket_versioning_disabled in")


def test_bad_input_is_a_4xx_with_a_useful_message(mcpo: RunningServer) -> None:
    out_of_range = httpx.post(f"{mcpo.url}/finops/finops_ebs_snapshot_old", headers=AUTH, timeout=30,
                              json={"max_age_days": 0})
    assert out_of_range.status_code == 422
    detail = out_of_range.json()["detail"]
    assert "max_age_days: Input should be greater than or equal to 1" in detail["message"]
    assert detail["data"]["fields"] == {"max_age_days": "an integer from 1 to 3650"}
    bad_enum = httpx.post(f"{mcpo.url}/devsecops/list_analyzers", headers=AUTH, timeout=30,
                          json={"severity": "huge"})
    assert bad_enum.status_code == 422
    assert "one of 'info', 'low', 'medium', 'high', 'critical'" in bad_enum.json()["detail"]["message"]
    wrong_type = httpx.post(f"{mcpo.url}/finops/finops_ebs_snapshot_old", headers=AUTH, timeout=30,
                            json={"max_age_days": "old"})
    assert wrong_type.status_code == 422
    assert wrong_type.json()["detail"][0]["loc"] == ["body", "max_age_days"]  # mcpo's own check


def test_missing_key_is_401_and_wrong_key_403(mcpo: RunningServer) -> None:
    missing = httpx.post(f"{mcpo.url}/finops/list_analyzers", json={}, timeout=10)
    assert missing.status_code == 401
    wrong = httpx.post(f"{mcpo.url}/finops/list_analyzers", json={}, timeout=10,
                       headers={"Authorization": "Bearer not-the-key"})
    assert wrong.status_code == 403
    ok = httpx.post(f"{mcpo.url}/finops/list_analyzers", json={"severity": "high"}, headers=AUTH, timeout=30)
    assert ok.status_code == 200
    assert {a["id"] for a in ok.json()["analyzers"]} == {  # severity: that severity or higher, as everywhere
        a.meta.id for a in registry.all_analyzers() if a.meta.pillar == "finops" and a.meta.severity.rank >= 3}
