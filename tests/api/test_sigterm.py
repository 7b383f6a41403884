"""Spot interruption: SIGTERM mid-run, restart, reconnect with Last-Event-ID; on SQLite and PostgreSQL.

The run must finish with the findings of an uninterrupted run, no step may run twice, and the client must
see one continuous stream (ids 1..N, no gap, no duplicate) across the two processes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import finding_keys
from tests.harness.api import ApiServer, Event, api_env
from tests.harness.sandbox import RunningSandbox

pytestmark = pytest.mark.xdist_group("api")


def _done(evs: list[Event]) -> tuple[int, int]:
    ticks = [e.data for e in evs if e.type == "step.progress"]
    return (ticks[-1]["done"], ticks[-1]["total"]) if ticks else (0, 0)


def _at_fraction(f: float) -> Callable[[list[Event]], bool]:
    def reached(evs: list[Event]) -> bool:
        done, total = _done(evs)
        return total > 0 and done >= max(1, int(total * f))
    return reached


POINTS: dict[str, Callable[[list[Event]], bool]] = {
    "after-plan": lambda evs: evs[-1].type == "run.started",
    "first-step": lambda evs: evs[-1].type == "step.finished",
    "quarter": _at_fraction(0.25),
    "half": _at_fraction(0.5),
    "late": _at_fraction(0.8),
}
CASES = [("sqlite", p) for p in POINTS] + [("postgres", p) for p in ("first-step", "half", "late")]


@pytest.mark.parametrize(("engine", "point"), CASES)
def test_sigterm_mid_run_then_restart_resumes(engine: str, point: str, api_sandbox: RunningSandbox,
                                              reference: dict[str, Any], tmp_path: Path,
                                              request: pytest.FixtureRequest) -> None:
    extra = {"XOPS_DATABASE_URL": request.getfixturevalue("pg_schema").url} if engine == "postgres" else {}
    env = api_env(api_sandbox.env, tmp_path / "data", **extra)
    first = ApiServer(env, tmp_path / "api-1.log").start()
    try:
        run_id = first.start_run({"scope": {"accounts": ["all"]}, "question": "full posture"})
        seen: list[Event] = []
        stream = first.events(run_id)
        for ev in stream:
            seen.append(ev)
            if POINTS[point](seen):
                break
        assert first.proc is not None
        first.proc.send_signal(15)
        seen.extend(stream)  # the server drains, then ends the stream cleanly
        assert first.proc.wait(timeout=120) == 0, (tmp_path / "api-1.log").read_text()[-3000:]
    finally:
        first.stop()
    assert seen[-1].type == "run.interrupted", [e.type for e in seen[-5:]]

    second = ApiServer(env, tmp_path / "api-2.log").start()
    try:
        rest = list(second.events(run_id, last_event_id=seen[-1].id))
        whole = seen + rest
        assert [e.id for e in whole] == list(range(1, len(whole) + 1)), "gap or duplicate in the event ids"
        kinds = Counter(e.type for e in whole)
        assert kinds["run.interrupted"] == 1 and kinds["run.resumed"] == 1 and whole[-1].type == "run.finished"
        started = Counter(e.data["step"] for e in whole if e.type == "step.started")
        assert set(started.values()) == {1}, "a step ran twice"
        with second.client() as c:
            run = c.get(f"/v1/runs/{run_id}", params={"steps": "true"}).json()
        assert run["state"] == "finished"
        assert {s["attempts"] for s in run["steps"]} == {1} and {s["state"] for s in run["steps"]} == {"done"}
        assert len(started) == len(run["steps"]) - 1  # every step but the plan step announced itself once
        assert finding_keys(second.all_findings(run_id)) == finding_keys(reference["findings"])
    finally:
        second.stop()


def test_draining_replica_refuses_new_runs_and_readiness(api: ApiServer) -> None:
    """While draining: POST /v1/runs -> 503 with Retry-After, /readyz -> 503, then exit 0."""
    run_id = api.start_run({"scope": {"accounts": ["all"]}})
    stream = api.events(run_id)
    for ev in stream:
        if ev.type == "step.finished":
            break
    assert api.proc is not None
    api.proc.send_signal(15)
    refused = None
    with api.client() as c:
        for _ in range(200):  # the drain window lasts while in-flight steps finish
            try:
                r = c.post("/v1/runs", json={"pillar": "finops"})
            except Exception:
                break
            if r.status_code == 503:
                refused = r
                ready = c.get("/readyz")
                break
    assert refused is not None, "no 503 seen while draining"
    assert refused.headers["retry-after"] == "30"
    assert refused.headers["content-type"] == "application/problem+json" and refused.json()["title"] == "draining"
    assert ready.status_code == 503
    list(stream)
    assert api.proc.wait(timeout=60) == 0


def test_two_replicas_share_runs_and_a_survivor_finishes_an_interrupted_one(
        api_sandbox: RunningSandbox, reference: dict[str, Any], tmp_path: Path, pg_schema: Any) -> None:
    """PostgreSQL, two replicas: a run started on A and streamed from B; A gets SIGTERM mid-run; B (still
    up, no restart) resumes it; the stream read from B is one continuous sequence."""
    env = api_env(api_sandbox.env, tmp_path / "data", XOPS_DATABASE_URL=pg_schema.url)
    a = ApiServer(env, tmp_path / "a.log").start()
    b = ApiServer(env, tmp_path / "b.log").start()
    try:
        run_id = a.start_run({"scope": {"accounts": ["all"]}})
        evs: list[Event] = []
        for ev in b.events(run_id):
            evs.append(ev)
            if ev.type == "step.progress" and ev.data["done"] == 20:
                assert a.sigterm() == 0
        assert [e.id for e in evs] == list(range(1, len(evs) + 1))
        assert evs[-1].type == "run.finished"
        with b.client() as c:
            steps = c.get(f"/v1/runs/{run_id}", params={"steps": "true"}).json()["steps"]
        replicas = {s["claimed_by"].rsplit("-", 1)[0] for s in steps}
        assert len(replicas) == 2, "both replicas should have run steps"
        assert {s["attempts"] for s in steps} == {1}
        assert finding_keys(b.all_findings(run_id)) == finding_keys(reference["findings"])
    finally:
        a.stop()
        b.stop()
