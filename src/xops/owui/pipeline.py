"""
title: xOps pipelines
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: xOps FinOps, CloudOps and DevSecOps models for the Open WebUI Pipelines server: each question starts a run through the xOps Runbooks API and streams status and answer. Secrets come from the environment (the Pipelines server's valve routes are unauthenticated): XOPS_API_URL, XOPS_API_KEY, XOPS_PIPELINES_SECRET.
"""

import asyncio
import os
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field

from xops.owui.chart import finops_chart_markdown
from xops.owui.shared import (
    PILLARS,
    XopsApi,
    XopsApiError,
    identity_headers,
    split_list,
    status_text,
    tidy_answer,
)
from xops.owui.signed import verify_identity
from xops.security.untrusted import clip, inert_markdown


def inert(text: object) -> str:
    """The API's words (a refusal, a failure) for the chat: as written, minus HTML, images and hidden links."""
    return inert_markdown(clip(text, 2000), code_urls=False)


class Pipeline:
    class Valves(BaseModel):
        # No secrets and no URL here: anyone who reaches the Pipelines server can read and change valves.
        accounts: str = Field(os.environ.get("XOPS_ACCOUNTS", ""),
                              description="Default accounts: comma list of ids, 'all', or empty (env XOPS_ACCOUNTS)")
        regions: str = Field(os.environ.get("XOPS_REGIONS", ""),
                             description="Default regions (comma list); empty = the API's own (env XOPS_REGIONS)")
        chart: bool = Field(True, description="Add the cost and savings chart to FinOps answers")

    def __init__(self) -> None:
        self.type = "manifold"
        self.id = "xops_pipelines"
        self.name = "xOps "
        self.pipelines = [{"id": pillar, "name": name} for pillar, name in PILLARS.items()]
        self.valves = self.Valves()

    async def on_startup(self) -> None:
        pass

    async def on_shutdown(self) -> None:
        pass

    def pipe(self, user_message: str, model_id: str, messages: list[dict[str, Any]],
             body: dict[str, Any]) -> Iterator[Any]:
        """Sync generator (the Pipelines server runs it in a thread): drives the async run in its own loop."""
        loop = asyncio.new_event_loop()
        agen = self._run(model_id.rsplit(".", 1)[-1], user_message, body)
        try:
            while True:
                try:
                    yield loop.run_until_complete(agen.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            loop.run_until_complete(agen.aclose())
            loop.close()

    async def _run(self, pillar: str, question: str, body: dict[str, Any]):  # noqa: ANN202
        def status(text: str, done: bool = False) -> dict[str, Any]:
            return {"event": {"type": "status", "data": {"description": text, "done": done}}}

        if pillar not in PILLARS:
            yield f"xOps: unknown model {pillar!r}"
            return
        try:
            claims = verify_identity(os.environ.get("XOPS_PIPELINES_SECRET", ""), body.get("xops"))
        except ValueError as exc:
            yield f"xOps refused this request: {exc}"
            return
        yield status(f"Starting an xOps {PILLARS[pillar]} run")
        try:
            api = XopsApi(os.environ.get("XOPS_API_URL", "http://127.0.0.1:8700"), os.environ.get("XOPS_API_KEY", ""),
                          identity_headers(claims, claims.get("groups") or []))
            run_id = await api.start_run({"pillar": pillar, "question": question[:4000] or None,
                                          "scope": {"accounts": split_list(self.valves.accounts),
                                                    "regions": split_list(self.valves.regions)}})
            answer, sent, hold = "", 0, 800
            async for kind, data in api.events(run_id):
                text = status_text(kind, data)
                if text:
                    yield status(text, done=kind == "run.finished")
                if kind == "answer.delta":
                    answer += data.get("text", "")
                    if len(answer) - hold > sent:
                        yield answer[sent:len(answer) - hold]
                        sent = len(answer) - hold
                elif kind in ("run.failed", "run.cancelled"):
                    yield status("The run did not finish", done=True)
                    yield (f"xOps: the run {kind.split('.')[1]}: {inert(data.get('message', ''))} "
                           f"{inert(data.get('hint', ''))}")
                    return
            final = tidy_answer(answer, run_id)
            yield final[sent:] if final.startswith(answer[:sent]) else "\n\n" + final
            if pillar == "finops" and self.valves.chart:
                chart = finops_chart_markdown(await api.findings(run_id))
                if chart:
                    yield "\n" + chart
        except XopsApiError as exc:
            yield status(exc.title, done=True)
            yield inert(exc.user_message())
