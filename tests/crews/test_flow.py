"""The crew Flow against the scripted LLM stub on 127.0.0.1: routing a question to one or more crews (the
routed crews at once), the answer composed from their reports, checkpoints (a task done is never run
again), and a failing crew routed to the fallback without raising."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tests.harness.llm_stub import LlmStub, Reply, analysts
from xops.core.models import Finding, Severity, Status
from xops.crews.runner import TaskOutput
from xops.crews.tools import RunSource
from xops.llm.settings import LlmSettings

FINDINGS = [
    Finding(analyzer_id="finops.ebs_volume_unattached", account_id="111111111111", region="ap-southeast-2",
            resource_id="vol-0flow00000000001", status=Status.FAIL, severity=Severity.low,
            message="unattached for 40 days", est_monthly_usd=8.0),
    Finding(analyzer_id="devsecops.ec2_sg_admin_port_open_to_world", account_id="111111111111",
            region="ap-southeast-2", resource_id="sg-0flow00000000002", status=Status.FAIL,
            severity=Severity.high, message="22/tcp open to 0.0.0.0/0"),
]
WANTED = ["finops_ebs_volume_unattached", "devsecops_ec2_sg_admin_port_open_to_world"]


def flow_for(stub: LlmStub, key: str = "sk-flow-test") -> Any:
    from xops.crews.flow import CrewFlow

    settings = LlmSettings(provider="openai", model="stub", base_url=stub.url + "/v1", api_key=key)
    return CrewFlow(RunSource(FINDINGS), settings)


def tool_names(body: dict[str, Any]) -> set[str]:
    return {t["function"]["name"] for t in body.get("tools", [])}


def test_a_two_pillar_question_runs_both_crews_at_once_then_composes(data_dir: Path) -> None:
    stub = LlmStub(analysts(WANTED, opening=threading.Barrier(2, timeout=30))).start()
    try:
        flow = flow_for(stub)
        flow.kickoff(inputs={"question": "What is wasting money and is anything exposed to the internet?"})
    finally:
        stub.stop()
    state = flow.state
    assert state.pillars == ["finops", "devsecops"]  # routed by the flow itself
    assert {k: o.error for k, o in state.done.items()} == {
        "finops_analysis": None, "devsecops_analysis": None, "compose_answer": None}
    assert state.done["finops_analysis"].tool_calls == ["finops.ebs_volume_unattached"]
    assert state.done["devsecops_analysis"].tool_calls == ["devsecops.ec2_sg_admin_port_open_to_world"]

    chats = [r.body for r in stub.chat_requests()]
    openings = [b for b in chats if b.get("tools") and not any(m["role"] == "tool" for m in b["messages"])]
    pillars_seen = sorted({n.split("_", 1)[0] for b in openings for n in tool_names(b)})
    assert pillars_seen == ["devsecops", "finops"]  # each crew saw only its pillar's tools; no CloudOps crew
    assert all(len({n.split("_", 1)[0] for n in tool_names(b)}) == 1 for b in openings)
    compose = [b for b in chats if not b.get("tools")]
    assert len(compose) == 1
    answer = state.done["compose_answer"].text
    assert answer.startswith("## Answer") and "vol-0flow00000000001" in answer and "sg-0flow00000000002" in answer


def test_a_resumed_flow_runs_only_the_task_not_done(data_dir: Path) -> None:
    stub = LlmStub(analysts(WANTED)).start()
    stored = TaskOutput(task="finops_analysis", text="stored report: vol-0stored", tool_calls=["finops.x"])
    try:
        again = flow_for(stub).run_one("finops_analysis", question="Where are we wasting money?",
                                       pillars=["finops"], done={"finops_analysis": stored})
        assert again == stored and stub.chat_requests() == []  # a checkpointed task is not run again
        out = flow_for(stub).run_one("compose_answer", question="Where are we wasting money?", pillars=["finops"],
                                     facts="1 FAIL finding", done={"finops_analysis": stored})
    finally:
        stub.stop()
    chats = stub.chat_requests()
    assert len(chats) == 1 and not chats[0].body.get("tools")  # only the answer writer was called
    assert "stored report: vol-0stored" in chats[0].body["messages"][-1]["content"]
    assert out.task == "compose_answer" and "stored report: vol-0stored" in out.text and out.error is None


def test_a_failing_crew_routes_to_the_fallback_without_raising(data_dir: Path) -> None:
    key = "sk-flow-secret-77"

    def broken(body: dict[str, Any]) -> Reply:
        raise RuntimeError(f"rejected key {key}")  # the error text carries the key: it must not come back

    stub = LlmStub(broken).start()
    try:
        flow = flow_for(stub, key)
        flow.kickoff(inputs={"question": "Where are we wasting money?"})
    finally:
        stub.stop()
    assert list(flow.state.done) == ["finops_analysis"]  # review routed to fallback: no answer was composed
    failed = flow.failure()
    assert failed is not None and failed.task == "finops_analysis"
    assert "rejected key ***" in (failed.error or "") and key not in (failed.error or "")
    assert all(r.body.get("tools") for r in stub.chat_requests())  # the answer writer was never called
