"""
title: xOps budget
author: xOps
version: 0.1.0
required_open_webui_version: 0.6.0
license: Apache-2.0
description: A daily token (and dollar) budget per user or per group; once a user has spent theirs, their messages are refused with a clear message until the next UTC day.
"""

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from xops.owui.shared import last_user_message, user_groups


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)  # ~4 characters per token: the usual estimate for English text


class Filter:
    class Valves(BaseModel):
        priority: int = Field(-40, description="Runs before the model, after redaction and scope")
        tokens_per_day: int = Field(0, ge=0, description="Each user's daily token budget (0 = unlimited)")
        usd_per_day: float = Field(0.0, ge=0, description="Each user's daily dollar budget (0 = unlimited)")
        usd_per_1k_tokens: float = Field(0.01, ge=0, description="Price used to turn tokens into dollars")
        group_tokens_per_day: str = Field("{}", description='JSON {"group name": tokens}: a member gets the '
                                                            "largest of their groups' budgets and their own")
        state_file: str = Field("", description="Where usage is kept (default: $DATA_DIR/xops-budget.json)")

    def __init__(self) -> None:
        self.valves = self.Valves()

    def _path(self) -> Path:
        return Path(self.valves.state_file or os.path.join(os.environ.get("DATA_DIR", "."), "xops-budget.json"))

    def _update(self, user: str, add: int) -> int:
        """Add tokens to the user's usage today; returns the new total (locked read-modify-write)."""
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        day = time.strftime("%Y-%m-%d", time.gmtime())
        with path.open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            try:
                state = json.loads(fh.read() or "{}")
            except ValueError:
                state = {}
            today = state.get(day, {})
            today[user] = int(today.get(user, 0)) + add
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps({day: today}))
            return today[user]

    async def _limit(self, user: dict[str, Any]) -> int:
        limits = [self.valves.tokens_per_day] if self.valves.tokens_per_day else []
        if self.valves.usd_per_day and self.valves.usd_per_1k_tokens:
            limits.append(int(self.valves.usd_per_day / self.valves.usd_per_1k_tokens * 1000))
        try:
            groups = json.loads(self.valves.group_tokens_per_day or "{}")
        except ValueError:
            raise Exception("xOps budget: the group_tokens_per_day valve is not valid JSON; an admin must fix it "
                            '(e.g. {"finance": 200000})') from None
        mine = [int(groups[g]) for g in await user_groups(user) if g in groups]
        own = min(limits) if limits else 0
        return max([own, *mine]) if (own or mine) else 0

    async def inlet(self, body: dict[str, Any], __user__: dict[str, Any] | None = None) -> dict[str, Any]:
        user = __user__ or {}
        limit = await self._limit(user)
        if not limit:
            return body
        who = str(user.get("email") or user.get("id") or "anonymous")
        used = self._update(who, 0)
        if used >= limit:
            usd = used / 1000 * self.valves.usd_per_1k_tokens
            raise Exception(f"xOps budget exceeded: you have used {used:,} of your {limit:,} tokens today "
                            f"(about ${usd:,.2f}). It resets at 00:00 UTC; ask an admin to raise your budget.")
        self._update(who, _tokens(last_user_message(body)))
        return body

    async def outlet(self, body: dict[str, Any], __user__: dict[str, Any] | None = None) -> dict[str, Any]:
        user = __user__ or {}
        if not await self._limit(user):
            return body
        reply = next((m for m in reversed(body.get("messages") or []) if m.get("role") == "assistant"), {})
        content = reply.get("content")
        self._update(str(user.get("email") or user.get("id") or "anonymous"),
                     _tokens(content if isinstance(content, str) else ""))
        return body
