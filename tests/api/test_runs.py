"""A run over the real API process: its SSE stream, findings, evidence, and reconnecting with Last-Event-ID."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from collections import Counter
from typing import Any

import pytest

from tests.api.conftest import finding_keys
from tests.harness.api import ApiServer
from tests.harness.sandbox import XOPS, RunningSandbox

pytestmark = pytest.mark.xdist_group("api")


def test_stream_is_ordered_complete_and_matches_xops_scan(api: ApiServer, reference: dict[str, Any],
                                                          api_sandbox: RunningSandbox) -> None:
    run_id = api.start_run({"pillar": "finops", "scope": {"accounts": ["all"]}, "question": "what is wasting money?"})
    evs = list(api.events(run_id))

    assert [e.id for e in evs] == list(range(1, len(evs) + 1))  # ids: a gapless per-run sequence
    assert evs[0].type == "run.queued" and evs[1].type == "run.started" and evs[-1].type == "run.finished"
    started = evs[1].data
    assert started["question"] == "what is wasting money?"
    assert sorted(started["accounts"]) == sorted(api_sandbox.truth.accounts.values())
    total = started["total"]
    with api.client() as c:
        scopes = {a["id"]: a["scope"] for a in c.get("/v1/analyzers", params={"pillar": "finops"}).json()}
    assert sorted(scopes) == sorted(started["analyzers"])
    per_account = sum(len(started["regions"]) if s == "regional" else 1 for s in scopes.values())
    assert total == per_account * len(started["accounts"])

    progress = [e.data for e in evs if e.type == "step.progress"]
    assert [p["done"] for p in progress] == list(range(0, total + 1))  # one tick per step, in order
    assert {p["total"] for p in progress} == {total}
    kinds = Counter(e.type for e in evs)
    assert kinds["step.finished"] == total and kinds["step.started"] == total + 1  # + the summarise step
    first_answer = next(i for i, e in enumerate(evs) if e.type == "answer.delta")
    assert all(e.type in ("answer.delta", "run.finished") for e in evs[first_answer:])

    expected = [f for f in reference["findings"] if f["analyzer_id"].startswith("finops.")]
    got = api.all_findings(run_id)
    assert finding_keys(got) == finding_keys(expected)
    streamed = [f for e in evs if e.type == "finding" for f in e.data["findings"]]
    assert finding_keys(streamed) == finding_keys([f for f in expected if f["status"] != "PASS"])

    answer = "".join(e.data["text"] for e in evs if e.type == "answer.delta")
    fail_usd = round(sum(f["est_monthly_usd"] or 0 for f in expected if f["status"] == "FAIL"), 2)
    assert evs[-1].data["counts"]["est_monthly_usd"] == pytest.approx(fail_usd)
    assert f"{fail_usd:,.2f}" in answer and "what is wasting money?" in answer
    costliest = max((f for f in expected if f["status"] == "FAIL"), key=lambda f: f["est_monthly_usd"] or 0)
    assert costliest["resource_id"] in answer

    with api.client() as c:
        run = c.get(f"/v1/runs/{run_id}").json()
        assert run["state"] == "finished" and run["progress"] == {"done": total, "total": total}
        assert run["answer"] == answer
        assert {"findings.json", "findings.csv", "summary.md", "manifest.json", "evidence.zip"} <= set(run["evidence"])
        manifest = c.get(f"/v1/runs/{run_id}/evidence/manifest.json").json()
        csv = c.get(f"/v1/runs/{run_id}/evidence/findings.csv")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        zipped = zipfile.ZipFile(io.BytesIO(c.get(f"/v1/runs/{run_id}/evidence/evidence.zip").content))
        names = {n.split("/", 1)[1] for n in zipped.namelist()}
        assert names == {"findings.json", "findings.csv", "summary.md", "manifest.json"}
        assert json.loads(zipped.read(f"{run_id}/manifest.json")) == manifest
        assert manifest["counts"]["FAIL"] == sum(1 for f in expected if f["status"] == "FAIL")
    verify = subprocess.run([XOPS, "evidence", "verify", str(api.data_dir / "runs" / run_id)],
                            capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_reconnect_with_last_event_id_continues_without_gap_or_duplicate(api: ApiServer) -> None:
    run_id = api.start_run({"pillar": "cloudops", "scope": {"accounts": ["all"], "regions": ["ap-southeast-2"]}})
    first = list(api.events(run_id, stop=lambda e: e.id >= 7))
    assert [e.id for e in first] == list(range(1, 8))
    rest = list(api.events(run_id, last_event_id=first[-1].id))
    whole = first + rest
    assert [e.id for e in whole] == list(range(1, len(whole) + 1))
    assert whole[-1].type == "run.finished"
    again = list(api.events(run_id))  # a late reader replays the whole stream
    assert [(e.id, e.type) for e in again] == [(e.id, e.type) for e in whole]
    assert list(api.events(run_id, last_event_id=whole[-1].id)) == []  # nothing after the end


def test_filters_and_paging_of_findings(api: ApiServer, reference: dict[str, Any]) -> None:
    run_id = api.start_run({"pillar": "devsecops", "scope": {"accounts": ["all"]}})
    list(api.events(run_id))
    expected = [f for f in reference["findings"] if f["analyzer_id"].startswith("devsecops.")]
    fails = [f for f in expected if f["status"] == "FAIL"]
    with api.client() as c:
        page = c.get(f"/v1/runs/{run_id}/findings", params={"status": "FAIL", "limit": 5}).json()
        assert page["total"] == len(fails) and len(page["findings"]) == 5
        ranks = ["info", "low", "medium", "high", "critical"]
        assert [ranks.index(f["severity"]) for f in page["findings"]] == sorted(
            (ranks.index(f["severity"]) for f in page["findings"]), reverse=True)
        high = c.get(f"/v1/runs/{run_id}/findings", params={"status": "FAIL", "severity": "high", "limit": 1000}).json()
        assert high["total"] == sum(1 for f in fails if ranks.index(f["severity"]) >= 3)
        one = fails[0]
        by_analyzer = c.get(f"/v1/runs/{run_id}/findings", params={"analyzer": one["analyzer_id"],
                                                                   "account": one["account_id"], "limit": 1000}).json()
        assert by_analyzer["total"] == sum(1 for f in expected if f["analyzer_id"] == one["analyzer_id"]
                                           and f["account_id"] == one["account_id"])
        bad = c.get(f"/v1/runs/{run_id}/findings", params={"status": "BROKEN"})
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        assert "status" in bad.json()["detail"]


def test_cancel_skips_pending_steps(api: ApiServer) -> None:
    run_id = api.start_run({"scope": {"accounts": ["all"]}})
    evs = []
    with api.client() as c:
        for e in api.events(run_id):
            evs.append(e)
            if e.type == "step.finished" and sum(x.type == "step.finished" for x in evs) == 2:
                assert c.post(f"/v1/runs/{run_id}/cancel").json()["state"] == "cancelled"
        run = c.get(f"/v1/runs/{run_id}", params={"steps": "true"}).json()
    assert evs[-1].type == "run.cancelled"
    assert run["state"] == "cancelled" and run["progress"]["done"] < run["progress"]["total"]
    assert any(s["state"] == "skipped" for s in run["steps"])
    assert not any(e.type == "run.finished" for e in evs)
