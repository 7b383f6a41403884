"""The deterministic mode over the real API: a question alone is routed, scanned and answered without an LLM."""

from __future__ import annotations

import pytest

from tests.harness.api import ApiServer, run_started
from tests.harness.sandbox import RunningSandbox
from xops.core import registry

pytestmark = pytest.mark.xdist_group("api")


def test_question_alone_is_routed_and_answered_with_the_planted_issues(api: ApiServer,
                                                                       api_sandbox: RunningSandbox) -> None:
    question = "Where are we wasting money?"
    run_id = api.start_run({"question": question, "scope": {"accounts": ["all"]}})
    evs = list(api.events(run_id))
    assert evs[-1].type == "run.finished", [e.type for e in evs[-3:]]
    started = run_started(evs).data
    assert started["mode"] == "deterministic"
    assert started["routing"]["pillars"] == ["finops"] and started["routing"]["method"] == "keywords+similarity"
    finops = sorted(a.meta.id for a in registry.all_analyzers() if a.meta.pillar == "finops")
    assert sorted(started["analyzers"]) == finops

    answer = "".join(e.data["text"] for e in evs if e.type == "answer.delta")
    truth = api_sandbox.truth
    planted = [i for i in truth.issues if i.analyzer_id.startswith("finops.")]
    missing = [i.resource_id for i in planted if f"`{i.resource_id}`" not in answer]
    assert not missing, f"planted FinOps issues not named in the answer: {missing[:5]}"
    assert f"**${truth.expected_usd_total('finops'):,.2f}/month**" in answer
    assert f"**{len(planted)} issue(s) found" in answer
    for a in registry.all_analyzers():  # every FinOps remediation that applies, and nothing of other pillars
        if a.meta.pillar == "finops":
            assert a.meta.title in answer
        else:
            assert a.meta.title not in answer
    assert "Routed to finops (by keywords and similarity)" in answer
    for name in ("summary.md", "findings.csv", "findings.json", "manifest.json", "evidence.zip"):
        assert f"](/v1/runs/{run_id}/evidence/{name})" in answer
    with api.client() as c:
        assert c.get(f"/v1/runs/{run_id}").json()["answer"] == answer


def test_security_question_ranks_by_severity(api: ApiServer, api_sandbox: RunningSandbox) -> None:
    run_id = api.start_run({"question": "Is anything exposed to the internet?",
                            "scope": {"accounts": ["all"], "regions": ["ap-southeast-2"]}})
    evs = list(api.events(run_id))
    assert run_started(evs).data["routing"]["pillars"] == ["devsecops"]
    answer = "".join(e.data["text"] for e in evs if e.type == "answer.delta")
    top = answer.split("### Top findings", 1)[1].split("### What to do next", 1)[0]
    severities = [line.split("|")[1].strip() for line in top.splitlines() if line.startswith("| ") and "`" in line]
    assert severities and set(severities) <= {"high", "critical"}, severities
    planted = {i.resource_id for i in api_sandbox.truth.issues
               if i.analyzer_id.startswith("devsecops.") and i.region in ("ap-southeast-2", "global")}
    assert planted and all(f"`{rid}`" in answer for rid in planted)


def test_answer_lists_related_playbooks_once_the_knowledge_is_warm(api_sandbox: RunningSandbox, tmp_path) -> None:
    """With knowledge on (the product default), the API fills Chroma with the built-in playbooks at start,
    and the deterministic answer then cites the playbooks of the question's pillar."""
    import time

    from tests.harness.api import api_env

    server = ApiServer(api_env(api_sandbox.env, tmp_path / "data", XOPS_KNOWLEDGE="on"), tmp_path / "api.log").start()
    try:
        with server.client() as c:
            for _ in range(600):
                state = c.get("/readyz").json()["knowledge"]
                if state != "warming":
                    break
                time.sleep(0.5)
        assert state == "ready", (tmp_path / "api.log").read_text()[-2000:]
        run_id = server.start_run({"question": "which idle or stopped EC2 instances waste money?",
                                   "scope": {"accounts": ["all"]}})
        answer = "".join(e.data["text"] for e in server.events(run_id) if e.type == "answer.delta")
        section = answer.split("### Related playbooks", 1)[1].split("###", 1)[0]
        titles = [line for line in section.splitlines() if line.startswith("- ")]
        assert titles and all(t.startswith("- finops-") for t in titles), titles  # the question's pillar only
        assert any("finops-compute.md" in t for t in titles), titles
        assert (tmp_path / "data" / "chroma").is_dir()
    finally:
        server.stop()
