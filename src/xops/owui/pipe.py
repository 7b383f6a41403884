"""
title: xOps
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: xOps FinOps, CloudOps and DevSecOps as models: each question starts a run of read-only AWS analyzers through the xOps Runbooks API and streams its progress and answer.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from pydantic import BaseModel, Field

from xops.owui.chart import finops_chart_markdown
from xops.owui.shared import (
    PILLARS,
    XopsApi,
    XopsApiError,
    identity_headers,
    last_user_message,
    split_list,
    status_text,
    tidy_answer,
    user_groups,
)
from xops.security.untrusted import clip, inert_markdown


def inert(text: object) -> str:
    """The API's words (a refusal, a failure) for the chat: as written, minus HTML, images and hidden links
    (they may quote a request's input or an AWS error)."""
    return inert_markdown(clip(text, 2000), code_urls=False)


HOLD_BACK = 800  # characters: the evidence links at the end of the API's answer
Emitter = Callable[[dict[str, Any]], Awaitable[None]] | None


class Pipe:
    class Valves(BaseModel):
        api_url: str = Field("http://127.0.0.1:8700", description="The xOps Runbooks API")
        api_key: str = Field("", description="An xOps API key (XOPS_API_KEYS on the API)")
        accounts: str = Field("", description="Default accounts: comma list of ids, 'all', or empty for the "
                                              "API's own account")
        regions: str = Field("", description="Default regions (comma list); empty = the API's XOPS_REGIONS")
        chart: bool = Field(True, description="Add the cost and savings chart to FinOps answers")
        timeout_seconds: float = Field(900, ge=5, description="Longest wait for one run")

    def __init__(self) -> None:
        self.type = "manifold"
        self.id = "xops"
        self.name = "xOps "
        self.valves = self.Valves()

    def pipes(self) -> list[dict[str, str]]:
        return [{"id": pillar, "name": name} for pillar, name in PILLARS.items()]

    async def pipe(self, body: dict[str, Any], __user__: dict[str, Any] | None = None,
                   __event_emitter__: Emitter = None, __metadata__: dict[str, Any] | None = None
                   ) -> AsyncIterator[str]:
        pillar = str(body.get("model", "")).rsplit(".", 1)[-1]
        async for chunk in run_pillar(self.valves, pillar, body, __user__, __event_emitter__):
            yield chunk


async def emit_status(emitter: Emitter, text: str, done: bool = False) -> None:
    if emitter is not None:
        await emitter({"type": "status", "data": {"description": text, "done": done}})


async def run_pillar(valves: Any, pillar: str, body: dict[str, Any], user: dict[str, Any] | None,
                     emitter: Emitter) -> AsyncIterator[str]:
    """Start a run of one pillar for the chat's last question and stream its answer (status via emitter)."""
    if pillar not in PILLARS:
        yield f"xOps: unknown model {body.get('model')!r}; pick xOps FinOps, CloudOps or DevSecOps."
        return
    question = last_user_message(body).strip()
    await emit_status(emitter, f"Starting an xOps {PILLARS[pillar]} run")
    try:
        api = XopsApi(valves.api_url, valves.api_key, identity_headers(user, await user_groups(user)),
                      timeout=valves.timeout_seconds)
        run_id = await api.start_run({"pillar": pillar, "question": question[:4000] or None,
                                      "scope": {"accounts": split_list(valves.accounts),
                                                "regions": split_list(valves.regions)}})
        answer, sent = "", 0  # the answer streams as it arrives, less a tail that tidy_answer rewrites
        async for kind, data in api.events(run_id):
            text = status_text(kind, data)
            if text:
                await emit_status(emitter, text, done=kind == "run.finished")
            if kind == "answer.delta":
                answer += data.get("text", "")
                if len(answer) - HOLD_BACK > sent:
                    yield answer[sent:len(answer) - HOLD_BACK]
                    sent = len(answer) - HOLD_BACK
            elif kind == "run.failed":
                await emit_status(emitter, "The run failed", done=True)
                yield f"xOps: the run failed: {inert(data.get('message'))} ({inert(data.get('hint'))})"
                return
            elif kind == "run.cancelled":
                await emit_status(emitter, "The run was cancelled", done=True)
                yield "xOps: the run was cancelled."
                return
        final = tidy_answer(answer, run_id)
        yield final[sent:] if final.startswith(answer[:sent]) else "\n\n" + final
        if pillar == "finops" and valves.chart:
            chart = finops_chart_markdown(await api.findings(run_id))
            if chart:
                yield "\n" + chart
    except XopsApiError as exc:
        await emit_status(emitter, exc.title, done=True)
        yield inert(exc.user_message())
