"""Crew runs over the real API with the scripted LLM stub on 127.0.0.1: tool calls, grounding, knowledge in
the prompt, the fallback to the deterministic answer, and SIGTERM in the middle of the crew steps."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.api import ApiServer, Event, api_env, run_started
from tests.harness.llm_stub import LlmStub, Reply, analysts
from tests.harness.sandbox import RunningSandbox
from xops.sandbox.moto_server import free_port

pytestmark = pytest.mark.xdist_group("api")
SECRET = "sk-test-secret-4f9a1c"
WANTED = ["finops_ebs_volume_unattached", "finops_ec2_instance_stopped",
          "devsecops_ec2_sg_admin_port_open_to_world"]


def analyst_script(delay: float = 0.0, opening: threading.Barrier | None = None) -> Any:
    return analysts(WANTED, delay, opening)


@pytest.fixture
def stub() -> Iterator[LlmStub]:
    s = LlmStub(analyst_script()).start()
    yield s
    s.stop()


def llm_env(sb: RunningSandbox, data: Path, base_url: str) -> dict[str, str]:
    return api_env(sb.env, data, XOPS_LLM_PROVIDER="openai", XOPS_LLM_MODEL="stub", XOPS_LLM_BASE_URL=base_url,
                   XOPS_LLM_API_KEY=SECRET)


def answer_of(evs: list[Event]) -> str:
    return "".join(e.data["text"] for e in evs if e.type == "answer.delta")


def test_finops_question_calls_the_analyzers_and_answers_from_their_findings(
        stub: LlmStub, api_sandbox: RunningSandbox, tmp_path: Path) -> None:
    api = ApiServer(llm_env(api_sandbox, tmp_path / "data", stub.url + "/v1"), tmp_path / "api.log").start()
    try:
        run_id = api.start_run({"question": "Where are we wasting money?", "scope": {"accounts": ["all"]}})
        evs = list(api.events(run_id))
    finally:
        api.stop()
    assert evs[-1].type == "run.finished", [e.type for e in evs[-4:]]
    started = run_started(evs).data
    assert started["mode"] == "crew" and started["crew"] == ["finops_analysis", "compose_answer"]
    crew_done = [e.data for e in evs if e.type == "step.finished" and e.data.get("kind") == "crew"]
    assert [d["task"] for d in crew_done] == ["finops_analysis", "compose_answer"]
    assert sorted(crew_done[0]["tool_calls"]) == ["finops.ebs_volume_unattached", "finops.ec2_instance_stopped"]

    # what the LLM was sent: the FinOps tools, the knowledge chunks for the topic, the tool results
    chats = stub.chat_requests()
    first = chats[0].body
    assert {t["function"]["name"] for t in first["tools"]} >= {"finops_ebs_volume_unattached", "finops_nat_gateway_idle"}
    assert not any(t["function"]["name"].startswith("devsecops") for t in first["tools"])
    shown = json.dumps(first["messages"])
    assert "A volume in state `available` is attached to nothing" in shown  # playbook: unattached EBS volumes
    assert "Stopped instances still paying for EBS" in shown
    assert all(r.headers["authorization"] == f"Bearer {SECRET}" for r in chats)

    truth = api_sandbox.truth
    answer = answer_of(evs)
    for analyzer in ("finops.ebs_volume_unattached", "finops.ec2_instance_stopped"):
        planted = [i for i in truth.issues if i.analyzer_id == analyzer]
        assert all(i.resource_id in answer for i in planted), analyzer
        usd = round(sum(i.expected_usd or 0 for i in planted), 2)
        assert f"${usd:,.2f}/month" in answer
    assert "all come from this run's findings" in answer
    assert f"](/v1/runs/{run_id}/evidence/findings.csv)" in answer
    log = (tmp_path / "api.log").read_text()
    assert SECRET not in log and SECRET not in json.dumps([e.data for e in evs])


def test_unreachable_llm_falls_back_to_the_deterministic_answer(api_sandbox: RunningSandbox, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    api = ApiServer(llm_env(api_sandbox, tmp_path / "data", dead), tmp_path / "api.log").start()
    try:
        run_id = api.start_run({"question": "Where are we wasting money?",
                                "scope": {"accounts": ["all"], "regions": ["ap-southeast-2"]}})
        evs = list(api.events(run_id))
        with api.client() as c:
            run = c.get(f"/v1/runs/{run_id}").json()
    finally:
        api.stop()
    assert run["state"] == "finished" and evs[-1].type == "run.finished"
    assert run_started(evs).data["mode"] == "deterministic" and "unreachable" in run_started(evs).data["note"]
    answer = answer_of(evs)
    assert answer.startswith("> **Note:** the LLM endpoint http://127.0.0.1:")
    assert "This is the deterministic answer." in answer and "### What to do next" in answer


def test_llm_failing_during_a_crew_step_falls_back(api_sandbox: RunningSandbox, tmp_path: Path) -> None:
    def broken(body: dict[str, Any]) -> Reply:
        raise RuntimeError("model overloaded")

    stub = LlmStub(broken).start()
    api = ApiServer(llm_env(api_sandbox, tmp_path / "data", stub.url + "/v1"), tmp_path / "api.log").start()
    try:
        run_id = api.start_run({"question": "Is anything exposed to the internet?",
                                "scope": {"accounts": ["all"], "regions": ["ap-southeast-2"]}})
        evs = list(api.events(run_id))
        with api.client() as c:
            run = c.get(f"/v1/runs/{run_id}", params={"steps": "true"}).json()
    finally:
        api.stop()
        stub.stop()
    assert run["state"] == "finished" and run_started(evs).data["mode"] == "crew"
    crew_steps = {s["analyzer_id"]: s["state"] for s in run["steps"] if s["kind"] == "crew"}
    assert crew_steps == {"devsecops_analysis": "done", "compose_answer": "skipped"}
    failed = next(e.data for e in evs if e.type == "step.finished" and e.data.get("kind") == "crew")
    assert "error" in failed
    answer = answer_of(evs)
    assert "failed during the crew task devsecops_analysis" in answer and "This is the deterministic answer." in answer
    assert "### Top findings" in answer


def test_sigterm_during_crew_steps_resumes_without_rerunning_a_task(api_sandbox: RunningSandbox,
                                                                     tmp_path: Path) -> None:
    stub = LlmStub(analyst_script(delay=1.0)).start()
    env = llm_env(api_sandbox, tmp_path / "data", stub.url + "/v1")
    first = ApiServer(env, tmp_path / "api-1.log").start()
    try:
        run_id = first.start_run({"question": "What is wasting money and is anything exposed to the internet?",
                                  "scope": {"accounts": ["all"], "regions": ["ap-southeast-2"]}})
        seen: list[Event] = []
        stream = first.events(run_id)
        for ev in stream:
            seen.append(ev)
            if ev.type == "step.started" and ev.data.get("kind") == "crew":
                break
        assert first.sigterm(timeout=120) == 0
        seen.extend(stream)
    finally:
        first.stop()
    assert seen[-1].type == "run.interrupted"
    assert run_started(seen).data["crew"] == ["finops_analysis", "devsecops_analysis", "compose_answer"]
    done_before = {e.data["task"] for e in seen if e.type == "step.finished" and e.data.get("kind") == "crew"}
    # the crew steps in flight (one or both analyses, which run at once) finished during the drain
    assert done_before and done_before <= {"finops_analysis", "devsecops_analysis"}

    second = ApiServer(env, tmp_path / "api-2.log").start()
    try:
        rest = list(second.events(run_id, last_event_id=seen[-1].id))
    finally:
        second.stop()
        stub.stop()
    whole = seen + rest
    assert [e.id for e in whole] == list(range(1, len(whole) + 1))
    assert whole[-1].type == "run.finished"
    started = Counter(e.data["task"] for e in whole if e.type == "step.started" and e.data.get("kind") == "crew")
    assert started == {"finops_analysis": 1, "devsecops_analysis": 1, "compose_answer": 1}
    # the LLM saw each task's opening request exactly once (no task ran twice)
    openings = Counter(r.body["messages"][0]["content"].split("\n", 1)[0] for r in stub.chat_requests()
                       if not any(m["role"] == "tool" for m in r.body["messages"]))
    assert sorted(openings.values()) == [1, 1, 1], openings
    answer = answer_of(whole)
    assert "Security groups allowing SSH/RDP from the internet" in answer and "EBS volumes not attached" in answer


def test_routed_crews_run_at_once_and_the_answer_waits_for_them(api_sandbox: RunningSandbox, tmp_path: Path) -> None:
    stub = LlmStub(analyst_script(opening=threading.Barrier(2, timeout=60))).start()
    env = {**llm_env(api_sandbox, tmp_path / "data", stub.url + "/v1"), "XOPS_API_WORKERS": "2"}
    api = ApiServer(env, tmp_path / "api.log").start()
    try:
        run_id = api.start_run({"question": "What is wasting money and is anything exposed to the internet?",
                                "scope": {"accounts": ["all"], "regions": ["ap-southeast-2"]}})
        evs = list(api.events(run_id))
    finally:
        api.stop()
        stub.stop()
    assert evs[-1].type == "run.finished"
    crew = [(e.type, e.data["task"], e.data.get("error")) for e in evs
            if e.type in ("step.started", "step.finished") and e.data.get("kind") == "crew"]
    assert [c for c in crew if c[2]] == []  # both analysts got past the barrier: they ran at the same time
    compose = crew.index(("step.started", "compose_answer", None))
    finished_before = {task for kind, task, _ in crew[:compose] if kind == "step.finished"}
    assert finished_before == {"finops_analysis", "devsecops_analysis"}  # the answer waited for both
    answer = answer_of(evs)
    assert "Security groups allowing SSH/RDP from the internet" in answer and "EBS volumes not attached" in answer
