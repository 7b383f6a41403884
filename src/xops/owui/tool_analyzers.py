"""
title: xOps analyzers
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: List, describe and run the read-only xOps AWS analyzers (FinOps, CloudOps, DevSecOps) through the xOps Runbooks API, as the chatting user.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, Field

from xops.owui.shared import XopsApi, XopsApiError, identity_headers, split_list, status_text, user_groups
from xops.security.untrusted import clip, data_block

MAX_ROWS = 25


async def _api(valves: Any, user: dict[str, Any] | None) -> XopsApi:
    return XopsApi(valves.api_url, valves.api_key, identity_headers(user, await user_groups(user)),
                   timeout=valves.timeout_seconds)


class Tools:
    class Valves(BaseModel):
        api_url: str = Field("http://127.0.0.1:8700", description="The xOps Runbooks API")
        api_key: str = Field("", description="An xOps API key (XOPS_API_KEYS on the API)")
        accounts: str = Field("", description="Default accounts when the model gives none ('all', ids, or empty)")
        regions: str = Field("", description="Default regions when the model gives none")
        timeout_seconds: float = Field(900, ge=5, description="Longest wait for one run")

    def __init__(self) -> None:
        self.valves = self.Valves()

    async def list_analyzers(self, query: str = "", pillar: str = "", service: str = "",
                             __user__: dict | None = None) -> str:
        """
        Search the xOps AWS analyzers: their id, pillar, service, severity and title.
        :param query: Words to look for in the title, risk or service, e.g. "unattached volumes" (empty for all).
        :param pillar: Only this pillar: finops, cloudops or devsecops (empty for all).
        :param service: Only this AWS service, e.g. s3, ec2, iam, rds (empty for all).
        """
        try:
            rows = await (await _api(self.valves, __user__)).get_json(
                "/v1/analyzers", q=query or None, pillar=pillar or None, service=service or None)
        except XopsApiError as exc:
            return exc.user_message()
        lines = [f"{len(rows)} analyzers" + (f" (the first {MAX_ROWS})" if len(rows) > MAX_ROWS else "") + ":"]
        lines += [f"- {a['id']} ({a['service']}, {a['severity']}): {a['title']}" for a in rows[:MAX_ROWS]]
        return "\n".join(lines)

    async def describe_analyzer(self, analyzer_id: str, __user__: dict | None = None) -> str:
        """
        Describe one xOps analyzer: the risk it checks, its parameters and the fix.
        :param analyzer_id: The analyzer id, e.g. finops.ebs_volume_unattached.
        """
        try:
            meta = await (await _api(self.valves, __user__)).get_json(f"/v1/analyzers/{analyzer_id}")
        except XopsApiError as exc:
            return exc.user_message()
        fix = meta.get("remediation") or {}
        params = ", ".join(f"{k} (default {v.get('default')!r})"
                           for k, v in (meta.get("params") or {}).get("properties", {}).items()) or "none"
        return (f"{meta['id']}: {meta['title']}\nPillar: {meta['pillar']}; service: {meta['service']}; "
                f"severity: {meta['severity']}\nRisk: {meta.get('risk', '')}\nParameters: {params}\n"
                f"Fix: {fix.get('summary', '')}\nCLI: {fix.get('cli', '')}")

    async def run_analyzers(self, analyzer_ids: str, accounts: str = "", regions: str = "",
                            __user__: dict | None = None,
                            __event_emitter__: Callable[[dict], Awaitable[None]] | None = None) -> str:
        """
        Run xOps analyzers on AWS (read-only) and return their failed findings with estimated monthly cost.
        :param analyzer_ids: Comma-separated analyzer ids (see list_analyzers), or a pillar: finops, cloudops, devsecops.
        :param accounts: Comma-separated AWS account ids, or 'all' (empty: the default).
        :param regions: Comma-separated regions (empty: the default).
        """
        ids = split_list(analyzer_ids)
        body: dict[str, Any] = {"scope": {"accounts": split_list(accounts or self.valves.accounts),
                                          "regions": split_list(regions or self.valves.regions)},
                                "mode": "deterministic"}
        if len(ids) == 1 and ids[0] in ("finops", "cloudops", "devsecops"):
            body["pillar"] = ids[0]
        else:
            body["analyzers"] = ids

        async def status(text: str, done: bool = False) -> None:
            if __event_emitter__ is not None:
                await __event_emitter__({"type": "status", "data": {"description": text, "done": done}})

        try:
            api = await _api(self.valves, __user__)
            await status(f"Starting xOps: {', '.join(ids)}")
            run_id = await api.start_run(body)
            finished: dict[str, Any] = {}
            async for kind, data in api.events(run_id):
                text = status_text(kind, data)
                if text:
                    await status(text, done=kind == "run.finished")
                if kind == "run.failed":
                    return f"xOps: the run failed: {data.get('message')} ({data.get('hint')})"
                if kind == "run.finished":
                    finished = data
            fails = await api.findings(run_id, status="FAIL")
        except XopsApiError as exc:
            await status(exc.title, done=True)
            return exc.user_message()
        counts = finished.get("counts") or {}
        head = (f"xOps run `{run_id}`: {len(fails)} failed findings, est. "
                f"${counts.get('est_monthly_usd', 0):,.2f}/month, {counts.get('ERROR', 0)} errors.")
        ranked = sorted(fails, key=lambda f: -(f.get("est_monthly_usd") or 0))
        rows = []
        for f in ranked[:MAX_ROWS]:
            usd = f" ${f['est_monthly_usd']:,.2f}/month" if f.get("est_monthly_usd") else ""
            rows.append(f"- [{f['severity']}] {f['analyzer_id']} {f['account_id']}/{f['region']} "
                        f"{clip(f['resource_id'])}{usd}: {clip(f['message'])}")
        if len(fails) > MAX_ROWS:
            rows.append(f"… and {len(fails) - MAX_ROWS} more (see the run's evidence).")
        # the model reads this: resource names and messages come from the AWS account, so they are data
        return head + ("\n" + data_block("\n".join(rows), "findings") if rows else "")
