"""Keys, identity, cost-centre scoping (ABAC), evidence name checks and the audit trail, over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.harness.api import KEY, ApiServer, api_env
from tests.harness.sandbox import RunningSandbox

pytestmark = pytest.mark.xdist_group("api")

MAPPING = {"users": {"alice@example.com": ["platform"]}, "groups": {"payments-team": ["payments"]}}


def user(email: str, role: str = "user", groups: str = "") -> dict[str, str]:
    h = {"X-OpenWebUI-User-Id": email.split("@")[0], "X-OpenWebUI-User-Email": email,
         "X-OpenWebUI-User-Name": email.split("@")[0].title(), "X-OpenWebUI-User-Role": role}
    return h | ({"X-OpenWebUI-User-Groups": groups} if groups else {})


ALICE, BOB, ADMIN, MALLORY = (user("alice@example.com"), user("bob@example.com", groups="payments-team,staff"),
                              user("root@example.com", role="admin"), user("mallory@example.com"))


@pytest.fixture
def abac_api(api_sandbox: RunningSandbox, tmp_path: Path) -> ApiServer:
    env = api_env(api_sandbox.env, tmp_path / "data", XOPS_COST_CENTRES=json.dumps(MAPPING))
    server = ApiServer(env, tmp_path / "api.log").start()
    yield server
    server.stop()


def test_keys_are_required_and_checked(api: ApiServer) -> None:
    for key in (None, "wrong-key"):
        with api.client(key=key) as c:
            r = c.get("/v1/analyzers")
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        assert "Bearer" in r.json()["detail"] or "key" in r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Basic {KEY}"}) as c:
        assert c.get("/v1/runs").status_code == 401
    # user headers without a key are not trusted either
    with api.client(headers=ADMIN, key=None) as c:
        assert c.post("/v1/runs", json={"pillar": "finops"}).status_code == 401
    assert httpx.get(f"{api.url}/healthz").status_code == 200  # health needs no key
    with api.client() as c:
        assert len(c.get("/v1/analyzers").json()) == 37


def test_cost_centres_give_disjoint_findings_and_admins_see_all(abac_api: ApiServer) -> None:
    body = {"pillar": "finops", "scope": {"accounts": ["all"]}}
    runs = {name: abac_api.start_run(body, headers=h) for name, h in (("alice", ALICE), ("bob", BOB), ("admin", ADMIN))}
    for name, h in (("alice", ALICE), ("bob", BOB), ("admin", ADMIN)):
        events = list(abac_api.events(runs[name], headers=h))
        assert events[-1].type == "run.finished"
    alice = abac_api.all_findings(runs["alice"], headers=ALICE)
    bob = abac_api.all_findings(runs["bob"], headers=BOB)
    admin = abac_api.all_findings(runs["admin"], headers=ADMIN)
    assert alice and bob
    assert {f["cost_centre"] for f in alice} == {"platform"}
    assert {f["cost_centre"] for f in bob} == {"payments"}
    key = lambda f: (f["analyzer_id"], f["account_id"], f["region"], f["resource_id"])  # noqa: E731
    assert not {key(f) for f in alice} & {key(f) for f in bob}
    by_centre = {c: {key(f) for f in admin if f["cost_centre"] == c} for c in ("platform", "payments")}
    assert {key(f) for f in alice} == by_centre["platform"] and {key(f) for f in bob} == by_centre["payments"]
    assert len(admin) > len(alice) + len(bob)  # untagged resources (IAM, account settings) are admin-only

    with abac_api.client(headers=BOB) as c:  # bob cannot read alice's run, nor its evidence
        assert c.get(f"/v1/runs/{runs['alice']}").status_code == 404
        assert c.get(f"/v1/runs/{runs['alice']}/evidence/findings.csv").status_code == 404
        csv = c.get(f"/v1/runs/{runs['bob']}/evidence/findings.csv").text
    assert all(f["resource_id"] not in csv for f in alice if f["resource_id"])
    with abac_api.client(headers=ADMIN) as c:
        assert c.get(f"/v1/runs/{runs['alice']}").json()["counts"]["FAIL"] == sum(f["status"] == "FAIL" for f in alice)
    with abac_api.client(headers=MALLORY) as c:
        r = c.post("/v1/runs", json=body)
    assert r.status_code == 403 and "cost centre" in r.json()["detail"] and "XOPS_COST_CENTRES" in r.json()["detail"]

    with abac_api.client(headers=ADMIN) as c:
        assert c.get("/v1/audit", headers=ALICE).status_code == 403
        audit = c.get("/v1/audit", params={"limit": 1000}).json()
    actions = [(r["action"], r["user"]) for r in audit["records"]]
    assert ("run.created", "alice@example.com") in actions and ("run.created", "bob@example.com") in actions
    assert ("scope.refused", "mallory@example.com") in actions and ("audit.refused", "alice@example.com") in actions
    assert ("step.run", "alice@example.com") in actions
    created = next(r for r in audit["records"] if r["action"] == "run.created" and r["user"] == "bob@example.com")
    assert created["scope"]["cost_centres"] == ["payments"] and created["scope"]["groups"] == ["payments-team", "staff"]
    lines = (abac_api.data_dir / "audit" / "audit.jsonl").read_text().splitlines()
    assert len(lines) == audit["total"]  # the JSON lines mirror the table


def test_evidence_names_are_checked_and_reads_audited(api: ApiServer) -> None:
    run_id = api.start_run({"analyzers": ["finops.eip_unassociated"], "scope": {"accounts": ["all"]}})
    list(api.events(run_id))
    run_dir = api.data_dir / "runs" / run_id
    secret = api.data_dir / "secret.txt"
    secret.write_text("not evidence")
    (run_dir / "link.txt").symlink_to(secret)
    with api.client() as c:
        for name in ("..%2F..%2Fsecret.txt", "../secret.txt", ".hidden", "a%00b", "sub/dir.json", "%2E%2E"):
            r = c.get(f"/v1/runs/{run_id}/evidence/{name}")
            assert r.status_code in (400, 404), (name, r.status_code)
            assert r.headers["content-type"] == "application/problem+json"
            assert "not evidence" not in r.text
        r = c.get(f"/v1/runs/{run_id}/evidence/link.txt")
        assert r.status_code == 404 and "not evidence" not in r.text
        assert c.get(f"/v1/runs/{run_id}/evidence/summary.md").status_code == 200
        assert c.get("/v1/runs/20990101T000000Z-000000").status_code == 404
        audit = c.get("/v1/audit", params={"run_id": run_id, "limit": 1000}).json()["records"]
    actions = [r["action"] for r in audit]
    assert actions.count("evidence.refused") >= 3 and "evidence.read" in actions
    with httpx.Client(base_url=api.url) as c:
        c.get("/v1/runs")
    with api.client() as c:
        refused = c.get("/v1/audit", params={"action": "auth.refused"}).json()
    assert refused["total"] >= 1 and refused["records"][0]["detail"]["path"] == "/v1/runs"


def test_bad_bodies_name_the_field(api: ApiServer) -> None:
    cases = [
        ({"pillar": "money"}, "pillar"),
        ({"analyzers": ["finops.nope"]}, "finops.nope"),
        ({"framework": "sox"}, "framework"),
        ({"scope": {"accounts": ["12"]}}, "scope.accounts"),
        ({"scope": {"regions": ["mars"]}}, "scope.regions"),
        ({"mode": "magic"}, "mode"),
        ({"params": {"finops.ebs_snapshot_old": {"max_age_days": -3}}}, "max_age_days"),
        ({"pilar": "finops"}, "pilar"),
    ]
    with api.client() as c:
        for body, field in cases:
            r = c.post("/v1/runs", json={**body, "scope": body.get("scope", {"accounts": ["all"]})})
            assert r.status_code == 422, (body, r.text)
            doc = r.json()
            assert r.headers["content-type"] == "application/problem+json"
            assert field in doc["detail"] and doc["hint"], doc
        r = c.post("/v1/runs", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["title"] == "invalid request"
        assert c.get("/v1/runs").json() == []  # nothing was half-created


def test_approvals_are_refused_unless_writes_are_enabled(api: ApiServer, api_sandbox: RunningSandbox,
                                                         tmp_path: Path) -> None:
    body = {"analyzers": ["finops.eip_unassociated"], "scope": {"accounts": ["all"]}}
    run_id = api.start_run(body, headers=ADMIN)
    list(api.events(run_id, headers=ADMIN))
    eip = api.all_findings(run_id, headers=ADMIN, status="FAIL")[0]
    approval = {"run_id": run_id, "analyzer_id": eip["analyzer_id"], "resource_id": eip["resource_id"]}
    with api.client(headers=ADMIN) as c:
        r = c.post("/v1/approvals", json=approval)
        assert r.status_code == 403 and "XOPS_ALLOW_WRITES" in r.json()["hint"]
        assert c.get("/v1/audit", params={"action": "approval.refused"}).json()["total"] == 1

    writable = ApiServer(api_env(api_sandbox.env, tmp_path / "w", XOPS_ALLOW_WRITES="true"), tmp_path / "w.log").start()
    try:
        run_id = writable.start_run(body, headers=ADMIN)
        list(writable.events(run_id, headers=ADMIN))
        with writable.client(headers=ADMIN) as c:
            ok = c.post("/v1/approvals", json={**approval, "run_id": run_id, "note": "release it"})
            missing = c.post("/v1/approvals", json={**approval, "run_id": run_id, "resource_id": "eipalloc-nope"})
            records = c.get("/v1/audit", params={"action": "approval.requested"}).json()["records"]
        assert ok.status_code == 201, ok.text
        assert ok.json()["by"] == "root@example.com" and eip["resource_id"] in ok.json()["remediation"]
        assert missing.status_code == 404 and "eipalloc-nope" in missing.json()["detail"]
        assert len(records) == 1 and records[0]["detail"]["note"] == "release it"
    finally:
        writable.stop()
