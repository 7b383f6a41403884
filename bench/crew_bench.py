"""Crew latency over the Runbooks API, with a scripted LLM on 127.0.0.1 that takes --llm-seconds per reply.

    python bench/crew_bench.py [--llm-seconds 2] [--runs 2]

Starts the sandbox and the LLM stub, then `xops api serve` twice: with 1 step worker (the crews' steps
one after another) and with 3 (the routed crews' steps at once, as the crew Flow runs them). Each asks a
question routed to all three pillars and reports, per run, the crew phase (first crew step.started to the
answer's step.finished) and the whole run (run.queued to run.finished). As in production, the knowledge
warm-up has finished before the first question, which is reported apart from the timed runs. Each analyst
makes two LLM requests (tool call, report) and the answer writer one, so the crew phase should be about 7
replies one after another and about 3 at once: the ratio printed is sequential / concurrent (goal: >= 2).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.api import ApiServer, Event, api_env  # noqa: E402
from tests.harness.llm_stub import LlmStub, analysts  # noqa: E402
from tests.harness.sandbox import start_running_sandbox  # noqa: E402

QUESTION = "Full review: cost waste, reliability and backups, and security exposure"


def crew_seconds(evs: list[Event], stamps: dict[int, float]) -> tuple[float, float]:
    crew = [e for e in evs if e.type in ("step.started", "step.finished") and e.data.get("kind") == "crew"]
    return stamps[crew[-1].id] - stamps[crew[0].id], stamps[evs[-1].id] - stamps[evs[0].id]


def measure(workers: int, sandbox_env: dict[str, str], stub: LlmStub, tmp: Path, runs: int) -> list[tuple[float, float]]:
    env = {**api_env(sandbox_env, tmp / f"data-{workers}", XOPS_LLM_PROVIDER="openai", XOPS_LLM_MODEL="stub",
                     XOPS_LLM_BASE_URL=stub.url + "/v1", XOPS_LLM_API_KEY="bench", XOPS_KNOWLEDGE="on"),
           "XOPS_API_WORKERS": str(workers)}
    api = ApiServer(env, tmp / f"api-{workers}.log").start()
    out = []
    try:
        t0 = time.monotonic()
        with api.client() as c:  # as in production: the knowledge warm-up has finished
            while c.get("/readyz").json().get("knowledge") != "ready":
                time.sleep(0.5)
        print(f"  {workers} worker(s): knowledge ready {time.monotonic() - t0:.1f} s after the API answered")
        for n in range(runs + 1):  # the first question is reported apart (first use of CrewAI's code paths)
            before = len(stub.chat_requests())
            run_id = api.start_run({"question": QUESTION, "scope": {"regions": ["ap-southeast-2"]}})
            evs, stamps = [], {}
            for ev in api.events(run_id):
                stamps[ev.id] = time.monotonic()
                evs.append(ev)
            if evs[-1].type != "run.finished":
                raise SystemExit(f"run {run_id} ended with {evs[-1].type}: {evs[-1].data}")
            started = next(e for e in evs if e.type == "run.started")
            if started.data.get("crew") != ["finops_analysis", "cloudops_analysis", "devsecops_analysis",
                                            "compose_answer"]:
                raise SystemExit(f"the question was not routed to the three crews: {started.data}")
            crew, whole = crew_seconds(evs, stamps)
            print(f"  {workers} worker(s), {'first question' if n == 0 else f'run {n}'}: crew phase {crew:.1f} s, "
                  f"whole run {whole:.1f} s, {len(stub.chat_requests()) - before} LLM requests")
            if n:
                out.append((crew, whole))
    finally:
        api.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm-seconds", type=float, default=2.0, help="the stub's latency per reply")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xops-crew-bench-"))
    proc, sandbox = start_running_sandbox(tmp)
    stub = LlmStub(analysts([], delay=args.llm_seconds)).start()
    try:
        results = {w: measure(w, sandbox.env, stub, tmp, args.runs) for w in (1, 3)}
    finally:
        stub.stop()
        proc.terminate()
        proc.wait(timeout=30)
    print(f"crew bench: question routed to 3 crews, LLM stub {args.llm_seconds:.1f} s per reply, {args.runs} runs each")
    crew_p50 = {}
    for w, rows in results.items():
        crew_p50[w] = statistics.median(c for c, _ in rows)
        whole = statistics.median(t for _, t in rows)
        print(f"  {w} worker(s): crew phase p50 {crew_p50[w]:.1f} s "
              f"({crew_p50[w] / args.llm_seconds:.1f} replies), whole run p50 {whole:.1f} s")
    ratio = crew_p50[1] / crew_p50[3]
    print(f"  sequential / concurrent crew phase: {ratio:.2f} (goal >= 2)")


if __name__ == "__main__":
    main()
