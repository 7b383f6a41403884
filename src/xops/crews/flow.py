"""The crew Flow (CrewAI): route a question to one or more crews, then compose the answer.

    route ──┬── finops_crew ─────┐
            ├── cloudops_crew ───┼── review ──"answer"──> compose
            └── devsecops_crew ──┘         └─"fallback"  (a crew failed: the deterministic answer is used)

`route` picks the pillars (the deterministic router, unless the caller already routed). Each pillar crew
runs only when its pillar is routed; the routed crews run concurrently. `review` waits for all three and
routes to `compose` only when none failed. A task that fails (LLM unreachable, refused, timed out) is
recorded with its error, never raised: the caller falls back to the deterministic answer.

Checkpoints: the state's `done` holds the output of every task that has run, and a task found there is
never run again. The Runbooks API makes each crew task one run step: the step kicks the flow off with
the outputs of the earlier steps and `only` set to its task, so the flow walks its graph, skips what is
done or not routed, runs that one task, and the step stores its output in the transaction that marks it
done. A resumed run (SIGTERM, another replica) thus continues a crew from its first task not done.
Kicked off without `only`, the flow runs every routed task in one go.
"""

from __future__ import annotations

from typing import Any

from xops.llm import offline

offline.apply()  # before crewai is imported (callers import this module inside offline.heavy_imports())

from crewai.flow.flow import Flow, FlowState, and_, listen, router, start  # noqa: E402
from pydantic import Field, PrivateAttr  # noqa: E402

from xops.core.models import Pillar  # noqa: E402
from xops.crews import config  # noqa: E402
from xops.crews.runner import TaskOutput, run_task  # noqa: E402
from xops.crews.tools import FindingSource  # noqa: E402
from xops.llm.settings import LlmSettings  # noqa: E402

COMPOSE = config.COMPOSE


def task_for(pillar: str) -> str:
    """The analysis task of a pillar's crew (tasks.yaml)."""
    return next(name for name, t in config.tasks().items() if t.pillar == pillar)


class CrewState(FlowState):
    question: str = ""
    pillars: list[Pillar] = Field(default_factory=list, description="Routed pillars; empty = route the question")
    focus: list[str] = Field(default_factory=list, description="Analyzer ids closest to the question")
    facts: str = Field("", description="Totals of the run's findings, numbers the answer may quote")
    done: dict[str, TaskOutput] = Field(default_factory=dict, description="Outputs of the tasks that have run")
    only: str | None = Field(None, description="Run just this task (one API step); None = every routed task")


class CrewFlow(Flow[CrewState]):
    _skip_auto_memory: bool = True  # no CrewAI memory store: the run's findings and the knowledge are the context
    _source: Any = PrivateAttr()
    _settings: Any = PrivateAttr()
    _llm: Any = PrivateAttr(default=None)

    def __init__(self, source: FindingSource, settings: LlmSettings, llm: Any = None) -> None:
        super().__init__(suppress_flow_events=True)
        self._source, self._settings, self._llm = source, settings, llm

    # -- the graph --------------------------------------------------------------------------------------
    @start()
    def route(self) -> list[str]:
        if not self.state.pillars:
            from xops.answer.router import route as route_question

            r = route_question(self.state.question)
            self.state.pillars, self.state.focus = list(r.pillars), list(r.focus)
        return list(self.state.pillars)

    @listen(route)
    def finops_crew(self) -> TaskOutput | None:
        return self._task(task_for("finops"))

    @listen(route)
    def cloudops_crew(self) -> TaskOutput | None:
        return self._task(task_for("cloudops"))

    @listen(route)
    def devsecops_crew(self) -> TaskOutput | None:
        return self._task(task_for("devsecops"))

    @router(and_(finops_crew, cloudops_crew, devsecops_crew))
    def review(self) -> str:
        return "fallback" if self.failure() else "answer"

    @listen("answer")
    def compose(self) -> TaskOutput | None:
        return self._task(COMPOSE)

    # -- running ----------------------------------------------------------------------------------------
    def run_one(self, task: str, **state: Any) -> TaskOutput:
        """Run one task of the flow (an API step), given the state so far. Returns its output."""
        self.kickoff(inputs={**state, "only": task})
        out = self.state.done.get(task)
        if out is None:
            raise ValueError(f"crew task {task!r} is not part of this flow's route ({self.state.pillars})")
        return out

    def failure(self) -> TaskOutput | None:
        return next((o for o in self.state.done.values() if o.error), None)

    def _task(self, name: str) -> TaskOutput | None:
        pillar = config.tasks()[name].pillar
        if pillar is not None and pillar not in self.state.pillars:
            return None  # not routed here
        if name in self.state.done:
            return self.state.done[name]  # checkpoint: ran before, never again
        if self.state.only not in (None, name):
            return None  # another step's task
        try:
            out = run_task(name, question=self.state.question, focus=self.state.focus, source=self._source,
                           reports={k: o.text for k, o in self.state.done.items() if not o.error},
                           facts=self.state.facts, settings=self._settings, llm=self._llm)
        except Exception as exc:  # the LLM failed: recorded, never raised (the answer falls back)
            # masked before it is cut short, so no part of the key is left at the cut
            out = TaskOutput(task=name, error=self._redact(f"{type(exc).__name__}: {exc}")[:320])
        self.state.done[name] = out
        return out

    def _redact(self, message: str) -> str:
        key = self._settings.api_key
        return message.replace(key.get_secret_value(), "***") if key is not None else message
