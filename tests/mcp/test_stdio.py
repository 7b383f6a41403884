"""A real MCP ClientSession over stdio: `xops mcp serve NAME --transport stdio` in a subprocess on moto."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
from mcp import types
from mcp.shared.exceptions import McpError

from tests.harness.aws import SandboxAws
from tests.mcp.conftest import server_env, stdio_session
from tests.mcp.planted import plant, server_tools
from xops.mcp.tools import MAX_TOOLS, SERVERS
from xops.sandbox.moto_server import free_port


def text(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


def test_each_server_lists_its_featured_analyzers_and_the_generic_tools(moto_server: object, tmp_path: Path) -> None:
    async def main() -> dict[str, list[types.Tool]]:
        out = {}
        for name in SERVERS:
            async with stdio_session(name, server_env(tmp_path)) as session:
                out[name] = (await session.list_tools()).tools
        return out

    listed = anyio.run(main)
    for name in SERVERS:
        tools = {t.name: t for t in listed[name]}
        assert set(tools) == server_tools(name), name
        assert len(tools) <= MAX_TOOLS
        for t in tools.values():
            assert t.annotations is not None and t.annotations.destructiveHint is False
            assert t.annotations.readOnlyHint is (t.name != "run_scan")
            assert t.description and t.inputSchema["type"] == "object"
    assert len(listed["xops"]) == 19 + 5  # 19 featured analyzers, 5 generic tools


def test_three_analyzers_return_the_planted_findings(sandbox_aws: SandboxAws, tmp_path: Path) -> None:
    want = plant(sandbox_aws)

    async def main() -> dict[str, types.CallToolResult]:
        async with stdio_session("xops", server_env(tmp_path)) as session:
            return {tool: await session.call_tool(tool, {"regions": [sandbox_aws.region]}) for tool in want}

    results = anyio.run(main)
    for tool, ids in want.items():
        r = results[tool]
        assert not r.isError, text(r)
        assert r.structuredContent is not None
        fails = {f["resource_id"] for f in r.structuredContent["findings"] if f["status"] == "FAIL"}
        assert fails == ids, tool
        assert r.structuredContent["counts"]["FAIL"] == len(ids)
        assert r.content[0].text.startswith(f"{r.structuredContent['analyzer_id']} in accounts 123456789012")
        assert json.loads(r.content[1].text) == r.structuredContent  # the JSON text, for clients without it
    unattached = results["finops_ebs_volume_unattached"].structuredContent
    assert unattached is not None and unattached["est_monthly_usd"] == 10.37  # 100 + 8 GiB gp3 x $0.096


def test_bad_argument_is_an_error_naming_the_field_and_allowed_values(moto_server: object, tmp_path: Path) -> None:
    async def main() -> list[types.CallToolResult]:
        async with stdio_session("finops", server_env(tmp_path)) as session:
            return [await session.call_tool("finops_ebs_snapshot_old", {"max_age_days": 99999}),
                    await session.call_tool("list_analyzers", {"severity": "huge"}),
                    await session.call_tool("finops_ebs_snapshot_old", {"regions": "ap-southeast-2"}),
                    await session.call_tool("devsecops_rds_instance_public", {}),
                    await session.call_tool("list_analyzers", {})]  # the server is still up

    bad_max, bad_sev, bad_regions, unknown, fine = anyio.run(main)
    assert bad_max.isError and "max_age_days: Input should be less than or equal to 3650" in text(bad_max)
    assert "(allowed: an integer from 1 to 3650)" in text(bad_max)
    assert bad_sev.isError and "severity" in text(bad_sev)
    assert "one of 'info', 'low', 'medium', 'high', 'critical'" in text(bad_sev)
    assert bad_regions.isError and "regions: Input should be a valid list" in text(bad_regions)
    assert unknown.isError and "unknown tool 'devsecops_rds_instance_public' on the xops finops server" in text(unknown)
    assert not fine.isError and len(fine.structuredContent["analyzers"]) == 11  # type: ignore[index]


def test_aws_failure_is_an_error_saying_what_to_check(moto_server: object, tmp_path: Path) -> None:
    env = server_env(tmp_path, AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}", AWS_MAX_ATTEMPTS="1")

    async def main() -> types.CallToolResult:
        async with stdio_session("finops", env) as session:
            return await session.call_tool("finops_ebs_volume_unattached", {"regions": ["eu-west-1"]})

    r = anyio.run(main)
    assert r.isError
    assert "cannot reach the AWS endpoint http://127.0.0.1:" in text(r)
    assert "hint: check AWS_ENDPOINT_URL" in text(r)


def test_run_scan_evidence_resources_and_prompts(sandbox_aws: SandboxAws, tmp_path: Path) -> None:
    want = plant(sandbox_aws)

    async def main() -> tuple:
        async with stdio_session("finops", server_env(tmp_path)) as session:
            scan = await session.call_tool("run_scan", {"regions": [sandbox_aws.region]})
            run_id = scan.structuredContent["run_id"]  # type: ignore[index]
            run = await session.call_tool("get_run", {"run_id": run_id})
            missing = await session.call_tool("get_run", {"run_id": "20200101T000000Z-000000"})
            listed = await session.list_resources()
            manifest = await session.read_resource(f"xops://runs/{run_id}/manifest.json")
            try:
                await session.read_resource(f"xops://runs/{run_id}/ledger.jsonl")
                refused = ""
            except McpError as exc:
                refused = exc.error.message
            prompts = await session.list_prompts()
            prompt = await session.get_prompt("finops_monthly_review", {"regions": "ap-southeast-2"})
            page = await session.call_tool("get_findings", {"run_id": run_id, "analyzer_id": "finops.ebs_volume_unattached"})
            return scan, run, missing, listed, manifest, refused, prompts, prompt, page

    scan, run, missing, listed, manifest, refused, prompts, prompt, page = anyio.run(main)
    assert not scan.isError, text(scan)
    body = scan.structuredContent
    assert body["summary"]["analyzers"] == 11 and body["summary"]["fail"] >= 2
    fails = {(f["analyzer_id"], f["resource_id"]) for f in body["findings"] if f["status"] == "FAIL"}
    assert {("finops.ebs_volume_unattached", v) for v in want["finops_ebs_volume_unattached"]} <= fails
    run_dir = Path(body["evidence_dir"])
    assert run_dir.parent == tmp_path / "runs" and (run_dir / "manifest.json").is_file()
    assert not run.isError and run.structuredContent["manifest"]["run_id"] == body["run_id"]
    assert text(run).startswith(f"# xOps scan {body['run_id']}")
    assert missing.isError and "no run 20200101T000000Z-000000" in text(missing)
    uris = {str(r.uri) for r in listed.resources}
    assert f"xops://runs/{body['run_id']}/findings.csv" in uris
    assert json.loads(manifest.contents[0].text)["run_id"] == body["run_id"]
    assert "unknown evidence file 'ledger.jsonl'" in refused
    assert [p.name for p in prompts.prompts] == ["finops_monthly_review", "compliance_report"]
    assert 'run_scan with pillar "finops", regions ["ap-southeast-2"]' in prompt.messages[0].content.text
    assert not page.isError and page.structuredContent["total"] == len(want["finops_ebs_volume_unattached"])
    assert {f["resource_id"] for f in page.structuredContent["findings"]} == want["finops_ebs_volume_unattached"]


def test_any_analyzer_is_two_calls_away(sandbox_aws: SandboxAws, tmp_path: Path) -> None:
    """An analyzer with no tool of its own: found by words, then run by id."""
    ddb = sandbox_aws.client("dynamodb")
    ddb.create_table(TableName="carts", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

    async def main() -> tuple[types.CallToolResult, types.CallToolResult]:
        async with stdio_session("cloudops", server_env(tmp_path)) as session:
            found = await session.call_tool("list_analyzers", {"query": "dynamodb point-in-time recovery"})
            first = found.structuredContent["analyzers"][0]["id"]  # type: ignore[index]
            return found, await session.call_tool("run_scan", {"analyzer_ids": [first],
                                                               "regions": [sandbox_aws.region]})

    found, scan = anyio.run(main)
    assert found.structuredContent["analyzers"][0]["id"] == "cloudops.dynamodb_pitr_disabled"  # type: ignore[index]
    assert "cloudops_dynamodb_pitr_disabled" not in server_tools("cloudops")
    assert not scan.isError, text(scan)
    assert [f["resource_id"] for f in scan.structuredContent["findings"]] == ["carts"]  # type: ignore[index]
