"""The tools of each MCP server, built from the catalogue (no per-analyzer code here).

Tools scale with the catalogue: no server lists more than MAX_TOOLS, whatever its size. Five generic tools
reach every analyzer of the server: list_analyzers (search by pillar, service, resource type, framework,
severity or free text), describe_analyzer, run_scan (a selection by ids, pillar, service or framework, over
a scope, with parameters; returns findings and the evidence), get_run and get_findings (a run's summary and
its findings, filtered and paged). Next to them, the catalogue's featured analyzers (at most
DIRECT_PER_PILLAR per pillar) are tools of their own, named from the id (`finops.ebs_volume_unattached` ->
`finops_ebs_volume_unattached`: dots are not allowed in OpenAI/Anthropic function names), with input
schema = the analyzer's Params plus the scope. Any analyzer is at most two calls away: list_analyzers,
then run_scan.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from xops.core import registry
from xops.core.analyzer import Analyzer
from xops.core.catalogue import Catalogue
from xops.core.errors import InvalidArguments, UsageError
from xops.core.models import PILLARS, Pillar, Severity
from xops.core.scope import Scope

SERVERS: dict[str, tuple[Pillar, ...]] = {
    "finops": ("finops",),
    "cloudops": ("cloudops",),
    "devsecops": ("devsecops",),
    "xops": PILLARS,
}
MAX_TOOLS = 64  # whatever the catalogue's size (OpenAI-style function calling allows 128 per request)
DIRECT_PER_PILLAR = 8
SCOPE_FIELDS = ("regions", "accounts")
RUN_ID_PATTERN = r"^\d{8}T\d{6}Z-[0-9a-f]{6}$"
ANALYZER_ID_PATTERN = r"^(finops|cloudops|devsecops)\.[a-z0-9_]+$"
AnalyzerId = Field(pattern=ANALYZER_ID_PATTERN, examples=["finops.ebs_volume_unattached"])


def server_pillars(name: str) -> tuple[Pillar, ...]:
    try:
        return SERVERS[name]
    except KeyError:
        raise UsageError(f"unknown MCP server {name!r}", f"use one of: {', '.join(SERVERS)}") from None


def tool_name(analyzer_id: str) -> str:
    return analyzer_id.replace(".", "_")


def server_analyzers(name: str, catalogue: Catalogue | None = None) -> list[Analyzer]:
    """Every analyzer the server reaches (through its generic tools)."""
    pillars = server_pillars(name)
    return [a for a in (catalogue or registry.catalogue()).all() if a.meta.pillar in pillars]


def direct_analyzers(name: str, catalogue: Catalogue | None = None) -> list[Analyzer]:
    """The featured analyzers that are tools of their own: at most DIRECT_PER_PILLAR per pillar, the most
    severe first."""
    out: list[Analyzer] = []
    for pillar in server_pillars(name):
        featured = [a for a in server_analyzers(name, catalogue) if a.meta.pillar == pillar and a.meta.featured]
        featured.sort(key=lambda a: (-a.meta.severity.rank, a.meta.id))
        out += featured[:DIRECT_PER_PILLAR]
    return out


def served(name: str, analyzer_ids: list[str], catalogue: Catalogue | None = None) -> None:
    """UsageError unless every id is an analyzer this server reaches."""
    catalogue = catalogue or registry.catalogue()
    pillars = server_pillars(name)
    for analyzer_id in analyzer_ids:
        a = catalogue.get(analyzer_id)
        if a.meta.pillar not in pillars:
            raise UsageError(f"analyzer {analyzer_id} is not on the xops {name} server (it serves "
                             f"{', '.join(pillars)})", f"use the xops {a.meta.pillar} or xops server, or list_analyzers")


@functools.cache
def analyzer_input_model(analyzer_id: str) -> type[BaseModel]:
    """The analyzer's Params plus the scope fields: what its tool accepts."""
    analyzer = registry.get(analyzer_id)
    return input_model(analyzer)


def input_model(analyzer: Analyzer) -> type[BaseModel]:
    clash = set(analyzer.Params.model_fields) & set(SCOPE_FIELDS)
    if clash:
        raise ValueError(f"{analyzer.meta.id}: parameter name(s) {sorted(clash)} clash with the MCP scope arguments")
    return create_model(f"{type(analyzer).__name__}Input", __base__=(analyzer.Params, Scope))


def _literal(values: list[str]) -> Any:
    return Literal[tuple(values)]  # type: ignore[valid-type]


@functools.cache
def generic_models(server: str, catalogue: Catalogue | None = None) -> dict[str, type[BaseModel]]:
    """Input models of the generic tools. Enums stay small (pillars, frameworks, severities); analyzer ids
    are patterns checked against the catalogue, so the schemas do not grow with it."""
    from xops.compliance.mapping import list_frameworks

    catalogue = catalogue or registry.catalogue()
    pillars = list(server_pillars(server))
    pillar_t, fw_t = _literal(pillars), _literal(list_frameworks())
    services = sorted({a.meta.service for a in server_analyzers(server, catalogue)})
    forbid = ConfigDict(extra="forbid")
    id_list = (list[str], Field(default_factory=list, description="Analyzer ids, e.g. "
                                                                  "[\"finops.ebs_volume_unattached\"] (see list_analyzers)"))
    list_args = create_model(
        "ListAnalyzersArgs", __config__=forbid,
        query=(str | None, Field(None, max_length=200, description="Free text: words of the title, risk, service or "
                                                                  "resource type, e.g. \"unattached volumes\"")),
        pillar=(pillar_t | None, Field(None, description="Only analyzers of this pillar")),
        service=(str | None, Field(None, max_length=64, description="Only this AWS service (boto3 name): "
                                                                    + ", ".join(services))),
        resource_type=(str | None, Field(None, max_length=128, description="Only this resource type, e.g. "
                                                                           "AWS::S3::Bucket")),
        severity=(Severity | None, Field(None, description="Only analyzers of this severity or higher")),
        framework=(fw_t | None, Field(None, description="Only analyzers mapped to this compliance framework")),
        limit=(int, Field(100, ge=1, le=1000, description="At most this many analyzers")),
    )
    describe_args = create_model(
        "DescribeAnalyzerArgs", __config__=forbid,
        analyzer_id=(str, Field(pattern=ANALYZER_ID_PATTERN, description="The analyzer id, e.g. "
                                                                          "finops.ebs_volume_unattached")),
    )
    scan_args = create_model(
        "RunScanArgs", __base__=Scope,
        pillar=(pillar_t | None, Field(None, description="Scan every analyzer of this pillar")),
        service=(str | None, Field(None, max_length=64, description="Scan every analyzer of this AWS service")),
        analyzer_ids=id_list,
        framework=(fw_t | None, Field(None, description="Scan the analyzers mapped to this framework and "
                                                        "report per requirement")),
        params=(dict[str, dict[str, Any]], Field(
            default_factory=dict, description="Parameters per analyzer id, e.g. "
                                              "{\"finops.ebs_snapshot_old\": {\"max_age_days\": 30}}")),
    )
    run_id = (str, Field(pattern=RUN_ID_PATTERN, examples=["20261201T101500Z-a1b2c3"],
                         description="A run id returned by run_scan"))
    run_args = create_model("GetRunArgs", __config__=forbid, run_id=run_id)
    findings_args = create_model(
        "GetFindingsArgs", __config__=forbid, run_id=run_id,
        status=(Literal["FAIL", "ERROR", "PASS"] | None, Field(None, description="Only findings of this status "
                                                                                 "(default: FAIL and ERROR)")),
        severity=(Severity | None, Field(None, description="Only findings of this severity or higher")),
        analyzer_id=(str | None, Field(None, pattern=ANALYZER_ID_PATTERN, description="Only this analyzer")),
        account_id=(str | None, Field(None, pattern=r"^\d{12}$", description="Only this account")),
        region=(str | None, Field(None, max_length=32, description="Only this region (or \"global\")")),
        offset=(int, Field(0, ge=0, description="Skip this many findings (paging)")),
        limit=(int, Field(100, ge=1, le=500, description="At most this many findings")),
    )
    return {"list_analyzers": list_args, "describe_analyzer": describe_args, "run_scan": scan_args,
            "get_run": run_args, "get_findings": findings_args}


GENERIC_DESCRIPTIONS = {
    "list_analyzers": "Search the read-only AWS analyzers this server offers (id, tool name, title, service, "
                      "resource type, severity, scope): by free text, pillar, service, resource type, compliance "
                      "framework or minimum severity. Every analyzer can then be run with run_scan.",
    "describe_analyzer": "Everything about one analyzer: what it checks, why it matters, the IAM permissions it "
                         "needs, its parameters, the compliance requirements it maps to, and the CLI and "
                         "Terraform fix.",
    "run_scan": "Run analyzers (a list of ids, a pillar, a service or a compliance framework) across accounts and "
                "regions, write an evidence folder (findings JSON/CSV, summary, signed manifest) and return the "
                "run id, totals and the FAIL/ERROR findings. Read-only against AWS; it writes evidence files "
                "locally.",
    "get_run": "Read a previous run's summary and first findings by run id; its evidence files are MCP resources "
               "xops://runs/{run_id}/{name}.",
    "get_findings": "Read a run's findings, filtered by status, severity, analyzer, account or region, a page at "
                    "a time.",
}


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    model: type[BaseModel]
    analyzer_id: str | None  # None for a generic tool
    read_only: bool = True


def analyzer_description(a: Analyzer) -> str:
    m = a.meta
    parts = [f"{m.title} ({m.id}; {m.pillar}, severity {m.severity.value}, {m.scope}, {m.resource_type}).",
             f"Why it matters: {m.risk}"]
    if m.cost_impact:
        parts.append(f"Cost: {m.cost_impact}.")
    parts.append(f"Fix: {m.remediation.summary}")
    parts.append("Returns the FAIL and ERROR findings (resource, account, region, message, est. $/month, "
                 f"evidence) and PASS counts. Read-only; needs {', '.join(m.permissions)}.")
    return " ".join(parts)


@functools.cache
def tool_specs(server: str, catalogue: Catalogue | None = None) -> tuple[ToolSpec, ...]:
    specs = [ToolSpec(tool_name(a.meta.id), a.meta.title, analyzer_description(a), input_model(a), a.meta.id)
             for a in direct_analyzers(server, catalogue)]
    for name, model in generic_models(server, catalogue).items():
        specs.append(ToolSpec(name, name.replace("_", " "), GENERIC_DESCRIPTIONS[name], model, None,
                              read_only=name != "run_scan"))
    if len(specs) > MAX_TOOLS:
        raise ValueError(f"the {server} server would list {len(specs)} tools (> {MAX_TOOLS})")
    return tuple(specs)


def input_schema(model: type[BaseModel], for_mcpo: bool = False) -> dict[str, Any]:
    """The JSON schema of a tool's input. `for_mcpo`: also write the allowed values into each field's
    description, because mcpo's OpenAPI drops enums, patterns and bounds (see docs/mcp.md)."""
    schema = model.model_json_schema()
    schema.pop("title", None)
    if for_mcpo:
        schema = copy.deepcopy(schema)
        defs = schema.get("$defs", {})
        for prop in schema.get("properties", {}).values():
            allowed = allowed_values(prop, defs)
            if allowed:
                prop["description"] = f"{prop.get('description', '').rstrip('.')}. Allowed: {allowed}."
    return schema


def allowed_values(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    """Human words for what a JSON-schema property accepts ('' when it is an unconstrained string)."""
    if "$ref" in prop:
        prop = defs.get(prop["$ref"].split("/")[-1], {})
    if "anyOf" in prop:
        options = [allowed_values(p, defs) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(o for o in options if o)
    if "enum" in prop:
        return "one of " + ", ".join(repr(v) for v in prop["enum"])
    if "const" in prop:
        return repr(prop["const"])
    kind = prop.get("type")
    if kind in ("integer", "number"):
        lo, hi = prop.get("minimum", prop.get("exclusiveMinimum")), prop.get("maximum", prop.get("exclusiveMaximum"))
        word = "an integer" if kind == "integer" else "a number"
        if lo is not None and hi is not None:
            return f"{word} from {lo} to {hi}"
        if lo is not None:
            return f"{word} >= {lo}"
        return f"{word} <= {hi}" if hi is not None else word
    if kind == "array":
        inner = allowed_values(prop.get("items", {}), defs)
        return f"a list; each item {inner}" if inner else "a list of strings"
    if kind == "string" and "pattern" in prop:
        examples = ", ".join(str(e) for e in prop.get("examples", []))
        return f"a string matching {prop['pattern']}" + (f" (e.g. {examples})" if examples else "")
    if kind == "boolean":
        return "true or false"
    if kind == "object":
        return "an object"
    return ""


def validate_arguments(spec: ToolSpec, arguments: dict[str, Any]) -> BaseModel:
    """The tool's arguments as its model, or InvalidArguments naming each bad field and what it accepts."""
    try:
        return spec.model.model_validate(arguments)
    except ValidationError as exc:
        schema = spec.model.model_json_schema()
        props, defs = schema.get("properties", {}), schema.get("$defs", {})
        problems: list[str] = []
        fields: dict[str, str] = {}
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else "(arguments)"
            where = ".".join(str(p) for p in e["loc"]) or "(arguments)"
            if e["type"] == "extra_forbidden":
                allowed = "known arguments: " + ", ".join(props)
            else:
                allowed = allowed_values(props.get(field, {}), defs)
            fields[field] = allowed
            problems.append(f"{where}: {e['msg']}" + (f" (allowed: {allowed})" if allowed else ""))
        raise InvalidArguments(f"invalid arguments for {spec.name}: " + "; ".join(problems),
                               f"fix the argument(s) {', '.join(fields)} and call {spec.name} again",
                               fields) from None
