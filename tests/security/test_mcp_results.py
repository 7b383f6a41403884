"""MCP results leave the server masked: a secret in a finding's message or evidence, or in an error, never goes
out; the findings' identifiers (an IAM check names an access key by its id) stay as they are."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.security.leaks import leaks
from xops.mcp.runner import ToolOutput
from xops.mcp.server import XopsMcp

PASSWORD = "Falcon61+orbit48-Tango"  # fake
GITHUB = "ghp_Q7w3E5r7T9y1U3i5O7p9A1s3D5f7G9h1J3k5"  # fake
KEY_ID = "AKIAZ7QW3ER5TY2UI4OP"  # the resource an IAM finding is about


class PlantedRunner:
    """A runner whose tool answers carry planted secrets (what a careless analyzer would return)."""

    def __init__(self, error: bool = False) -> None:
        self.error = error

    def call(self, spec: Any, args: Any) -> ToolOutput:
        if self.error:
            return ToolOutput({}, f"failed: postgres://admin:{PASSWORD}@db.internal/app refused", is_error=True)
        finding = {"analyzer_id": "devsecops.iam_access_key_older_than_90_days", "resource_id": KEY_ID,
                   "account_id": "123456789012", "region": "global",
                   "message": f"active access key {KEY_ID} is old; user data has DB_PASSWORD={PASSWORD}",
                   "evidence": {"user_data": f"export GITHUB_TOKEN={GITHUB}"}}
        return ToolOutput({"findings": [finding]}, f"1 finding: {KEY_ID}: DB_PASSWORD={PASSWORD} {GITHUB}")


def call(server: XopsMcp) -> Any:
    """Call the first tool that takes no required argument."""
    for name, spec in server.specs.items():
        try:
            spec.model.model_validate({})
        except ValueError:
            continue
        return asyncio.run(server.call_tool(name, {}))
    raise AssertionError("no tool of this server takes empty arguments")


def test_mcp_results_are_masked_but_keep_identifiers() -> None:
    for for_mcpo in (False, True):
        result = call(XopsMcp("devsecops", for_mcpo=for_mcpo, runner=PlantedRunner()))  # type: ignore[arg-type]
        blob = json.dumps(result.model_dump(mode="json"))
        assert not leaks(blob, [PASSWORD, GITHUB]), blob[:500]
        assert "[REDACTED:password]" in blob and "[REDACTED:github-token]" in blob
        assert result.structuredContent["findings"][0]["resource_id"] == KEY_ID
        assert KEY_ID in result.content[0].text  # the identifier, named in the text too


def test_mcp_errors_are_masked() -> None:
    result = call(XopsMcp("devsecops", runner=PlantedRunner(error=True)))  # type: ignore[arg-type]
    assert result.isError and not leaks(json.dumps(result.model_dump(mode="json")), [PASSWORD])
