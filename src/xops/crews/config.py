"""The crews' YAML (agents and tasks, CrewAI's conventions), loaded and checked once."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel

from xops.core.models import PILLARS, Pillar

COMPOSE = "compose_answer"


class AgentSpec(BaseModel):
    role: str
    goal: str
    backstory: str


class TaskSpec(BaseModel):
    agent: str
    description: str
    expected_output: str
    pillar: Pillar | None = None


def _load(name: str) -> dict[str, Any]:
    text = resources.files("xops.crews").joinpath("config", name).read_text()
    return yaml.safe_load(text)


@cache
def agents() -> dict[str, AgentSpec]:
    return {k: AgentSpec.model_validate(v) for k, v in _load("agents.yaml").items()}


@cache
def tasks() -> dict[str, TaskSpec]:
    out = {k: TaskSpec.model_validate(v) for k, v in _load("tasks.yaml").items()}
    for name, t in out.items():
        if t.agent not in agents():
            raise ValueError(f"task {name}: unknown agent {t.agent!r}")
    return out


def crew_tasks(pillars: list[str]) -> list[str]:
    """The tasks the crew Flow (`xops.crews.flow`) runs for these pillars, in the order the Runbooks API
    runs them as steps: one analysis task per routed pillar's crew, then the answer. Importing this does
    not import CrewAI (the API plans crews without loading it)."""
    by_pillar = {t.pillar: name for name, t in tasks().items() if t.pillar}
    return [by_pillar[p] for p in PILLARS if p in pillars] + [COMPOSE]
