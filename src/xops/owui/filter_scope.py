"""
title: xOps cost-centre scope
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: Passes the user and their Open WebUI groups to the xOps API (signed for the Pipelines server), whose cost-centre mapping decides what they may see; a user with no cost centre gets a clear refusal before any run starts.
"""

from typing import Any

from pydantic import BaseModel, Field

from xops.owui.shared import XopsApi, XopsApiError, identity_headers, user_groups
from xops.owui.signed import sign_identity


class Filter:
    class Valves(BaseModel):
        priority: int = Field(-50, description="Runs after redaction, before the model")
        api_url: str = Field("http://127.0.0.1:8700", description="The xOps Runbooks API")
        api_key: str = Field("", description="An xOps API key (XOPS_API_KEYS on the API)")
        pipelines_secret: str = Field("", description="Shared with the Pipelines server (XOPS_PIPELINES_SECRET): "
                                                      "signs the user and groups sent to the xOps pipelines")

    def __init__(self) -> None:
        self.valves = self.Valves()

    async def inlet(self, body: dict[str, Any], __user__: dict[str, Any] | None = None) -> dict[str, Any]:
        groups = await user_groups(__user__)
        api = XopsApi(self.valves.api_url, self.valves.api_key, identity_headers(__user__, groups), timeout=30)
        try:  # the API decides: a user without a cost centre gets 403 "no cost centre for this user"
            await api.get_json("/v1/runs", limit=1)
        except XopsApiError as exc:
            raise Exception(exc.user_message()) from None
        # The Pipelines server cannot look users up and takes anyone's request: it gets a signed identity.
        if self.valves.pipelines_secret:
            body["xops"] = sign_identity(self.valves.pipelines_secret, __user__ or {}, groups)
        return body
