"""One MCP server (low-level SDK `Server`) per name: its tools, the evidence resources and the prompts.

Errors never crash the server: bad arguments and AWS failures come back as `isError` results whose text
names the field and what it accepts, or the service, region and what to check. With `for_mcpo` (how
mcp_servers/mcpo.json starts the servers) invalid arguments are JSON-RPC "invalid params" errors instead,
which mcpo turns into HTTP 422 with our message (it turns isError into 500), and each field's description
lists its allowed values (mcpo's OpenAPI drops enums and bounds). See docs/mcp.md.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.shared.exceptions import McpError

from xops import __version__
from xops.core.errors import UsageError, XopsError
from xops.evidence.store import EVIDENCE_FILES
from xops.mcp.prompts import prompt_arguments, render_prompt, server_prompts
from xops.mcp.runner import Runner, ToolOutput, read_evidence, recent_runs, resource_uri
from xops.mcp.tools import (
    InvalidArguments,
    ToolSpec,
    input_schema,
    server_pillars,
    tool_specs,
    validate_arguments,
)
from xops.security.secrets import identifiers, redact, redact_keeping_ids

log = logging.getLogger("xops.mcp")

INSTRUCTIONS = (
    "xOps {name}: read-only AWS analyzers ({pillars}). Each analyzer is a tool (e.g. {example}) that takes "
    "its parameters plus regions and accounts and returns FAIL/ERROR findings with resource, account, region, "
    "estimated $/month and evidence. list_analyzers and describe_analyzer explain them; run_scan runs many "
    "at once and writes auditable evidence (resources xops://runs/{{run_id}}/{{file}}); get_run reads a run."
)


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=redact(text)[0])], isError=True)


def _masked(out: ToolOutput) -> ToolOutput:
    """A tool's answer with every secret masked (findings' identifiers kept): what leaves the server."""
    ids = identifiers(out.structured)
    structured = redact_keeping_ids(out.structured, ids)
    return replace(out, structured=structured, text=redact(out.text, ids)[0])  # type: ignore[arg-type]


def _invalid_params(exc: UsageError) -> McpError:
    data: dict[str, Any] = {"hint": exc.hint}
    if isinstance(exc, InvalidArguments):
        data["fields"] = exc.fields
    return McpError(types.ErrorData(code=types.INVALID_PARAMS, message=str(exc), data=data))


class XopsMcp:
    """The tools, resources and prompts of one server, independent of the transport."""

    def __init__(self, name: str, for_mcpo: bool = False, runner: Runner | None = None) -> None:
        self.name = name
        self.pillars = server_pillars(name)
        self.for_mcpo = for_mcpo
        self.runner = runner or Runner(name)
        self.specs: dict[str, ToolSpec] = {s.name: s for s in tool_specs(name)}
        self.prompts = {p.name: p for p in server_prompts(self.pillars)}

    def tools(self) -> list[types.Tool]:
        return [
            types.Tool(
                name=s.name, title=s.title, description=s.description,
                inputSchema=input_schema(s.model, for_mcpo=self.for_mcpo),
                annotations=types.ToolAnnotations(title=s.title, readOnlyHint=s.read_only, destructiveHint=False,
                                                  idempotentHint=s.read_only, openWorldHint=True),
            )
            for s in self.specs.values()
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        spec = self.specs.get(name)
        if spec is None:
            return _error(f"unknown tool {name!r} on the xops {self.name} server; its tools: "
                          f"{', '.join(self.specs)}")
        try:
            args = validate_arguments(spec, arguments)
            out: ToolOutput = await anyio.to_thread.run_sync(self.runner.call, spec, args)
        except UsageError as exc:
            if self.for_mcpo:
                raise _invalid_params(exc) from None
            return _error(str(exc))
        except XopsError as exc:  # credentials, endpoint, evidence: message + what to do
            return _error(str(exc))
        except Exception as exc:  # a bug: say so, keep serving
            log.exception("tool %s failed", name)
            return _error(f"internal error in {name}: {type(exc).__name__}: {exc} (the server keeps running; "
                          "the server log has the traceback)")
        if out.is_error:
            return _error(out.text)
        out = _masked(out)
        if self.for_mcpo:  # mcpo returns the text blocks, parsed as JSON, and ignores structuredContent
            body = json.dumps({**out.structured, "text": out.text})
            return types.CallToolResult(content=[types.TextContent(type="text", text=body)],
                                        structuredContent=out.structured)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=out.text),
                     types.TextContent(type="text", text=json.dumps(out.structured))],
            structuredContent=out.structured,
        )

    # -- resources ----------------------------------------------------------------------------------
    def resources(self) -> list[types.Resource]:
        mime = {"json": "application/json", "csv": "text/csv", "md": "text/markdown"}
        return [types.Resource(uri=resource_uri(run, n), name=f"{run}/{n}", mimeType=mime[n.rsplit('.', 1)[1]],
                               description=f"evidence file {n} of run {run}")
                for run in recent_runs() for n in EVIDENCE_FILES]

    def read_resource(self, uri: str) -> list[ReadResourceContents]:
        try:
            text, mime = read_evidence(uri)
        except UsageError as exc:
            raise _invalid_params(exc) from None
        return [ReadResourceContents(content=text, mime_type=mime)]

    # -- prompts ------------------------------------------------------------------------------------
    def prompt_list(self) -> list[types.Prompt]:
        return [types.Prompt(name=p.name, title=p.title, description=p.description,
                             arguments=[types.PromptArgument(name=k, description=v, required=k == "framework")
                                        for k, v in prompt_arguments(p).items()])
                for p in self.prompts.values()]

    def get_prompt(self, name: str, arguments: dict[str, str] | None) -> types.GetPromptResult:
        spec = self.prompts.get(name)
        if spec is None:
            raise _invalid_params(UsageError(f"unknown prompt {name!r}", f"use one of: {', '.join(self.prompts)}"))
        try:
            text = render_prompt(spec, arguments or {})
        except UsageError as exc:
            raise _invalid_params(exc) from None
        return types.GetPromptResult(description=spec.description, messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])


def build_server(name: str, for_mcpo: bool = False, runner: Runner | None = None) -> Server[Any, Any]:
    """The MCP server `name` (finops, cloudops, devsecops or xops) over any transport."""
    app = XopsMcp(name, for_mcpo=for_mcpo, runner=runner)
    example = next(iter(app.specs))
    server: Server[Any, Any] = Server(
        f"xops-{name}", version=__version__,
        instructions=INSTRUCTIONS.format(name=name, pillars=", ".join(app.pillars), example=example),
    )
    tools = app.tools()

    @server.list_tools()
    async def _list_tools() -> list[types.Tool]:
        return tools

    async def _call_tool(req: types.CallToolRequest) -> types.ServerResult:
        # Registered directly (not with @server.call_tool) so that McpError reaches the client as a JSON-RPC
        # error in mcpo mode; the SDK's wrapper would turn every exception into isError.
        return types.ServerResult(await app.call_tool(req.params.name, req.params.arguments or {}))

    server.request_handlers[types.CallToolRequest] = _call_tool

    @server.list_resources()
    async def _list_resources() -> list[types.Resource]:
        return await anyio.to_thread.run_sync(app.resources)

    @server.list_resource_templates()
    async def _templates() -> list[types.ResourceTemplate]:
        return [types.ResourceTemplate(uriTemplate="xops://runs/{run_id}/{name}", name="run evidence",
                                       description=f"Evidence of a run_scan run; name is one of {', '.join(EVIDENCE_FILES)}")]

    @server.read_resource()
    async def _read_resource(uri: Any) -> list[ReadResourceContents]:
        return await anyio.to_thread.run_sync(app.read_resource, str(uri))

    @server.list_prompts()
    async def _list_prompts() -> list[types.Prompt]:
        return app.prompt_list()

    @server.get_prompt()
    async def _get_prompt(name: str, arguments: dict[str, str] | None) -> types.GetPromptResult:
        return app.get_prompt(name, arguments)

    return server


async def serve_stdio(server: Server[Any, Any]) -> None:
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())
