"""The tools of each MCP server, built from the analyzer registry (no per-analyzer code here).

Every analyzer is a tool named from its id (`finops.ebs_volume_unattached` -> `finops_ebs_volume_unattached`:
dots are not allowed in OpenAI/Anthropic function names, which Open WebUI and mcpo clients map tools to),
described by its metadata, with input schema = its Params model plus the scope (regions, accounts).
Four generic tools sit next to them: list_analyzers, describe_analyzer, run_scan and get_run.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from xops.core import registry
from xops.core.analyzer import Analyzer
from xops.core.errors import UsageError
from xops.core.models import PILLARS, Pillar, Severity

SERVERS: dict[str, tuple[Pillar, ...]] = {
    "finops": ("finops",),
    "cloudops": ("cloudops",),
    "devsecops": ("devsecops",),
    "xops": PILLARS,
}
SCOPE_FIELDS = ("regions", "accounts")
RUN_ID_PATTERN = r"^\d{8}T\d{6}Z-[0-9a-f]{6}$"
REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
ACCOUNT_PATTERN = r"^(\d{12}|all)$"


def server_pillars(name: str) -> tuple[Pillar, ...]:
    try:
        return SERVERS[name]
    except KeyError:
        raise UsageError(f"unknown MCP server {name!r}", f"use one of: {', '.join(SERVERS)}") from None


def tool_name(analyzer_id: str) -> str:
    return analyzer_id.replace(".", "_")


def server_analyzers(name: str) -> list[Analyzer]:
    pillars = server_pillars(name)
    return [a for a in registry.all_analyzers() if a.meta.pillar in pillars]


Region = Annotated[str, Field(pattern=REGION_PATTERN, examples=["ap-southeast-2"])]
Account = Annotated[str, Field(pattern=ACCOUNT_PATTERN, examples=["123456789012", "all"])]


class Scope(BaseModel):
    """Where to look: the scope arguments every analyzer tool and run_scan take."""

    model_config = ConfigDict(extra="forbid")

    regions: list[Region] = Field(
        default_factory=list,
        description="AWS regions to scan, e.g. [\"ap-southeast-2\"]; empty: XOPS_REGIONS or every enabled region",
    )
    accounts: list[Account] = Field(
        default_factory=list,
        description="12-digit AWS account ids, or [\"all\"] for every Organization member; empty: the caller's account",
    )

    @model_validator(mode="after")
    def _all_alone(self) -> Scope:
        if "all" in self.accounts and len(self.accounts) > 1:
            raise ValueError("accounts: 'all' cannot be combined with account ids")
        return self

    def key(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(self.regions), tuple(self.accounts)


@functools.cache
def analyzer_input_model(analyzer_id: str) -> type[BaseModel]:
    """The analyzer's Params plus the scope fields: what its tool accepts."""
    analyzer = registry.get(analyzer_id)
    clash = set(analyzer.Params.model_fields) & set(SCOPE_FIELDS)
    if clash:
        raise ValueError(f"{analyzer_id}: parameter name(s) {sorted(clash)} clash with the MCP scope arguments")
    return create_model(f"{type(analyzer).__name__}Input", __base__=(analyzer.Params, Scope))


def _literal(values: list[str]) -> Any:
    return Literal[tuple(values)]  # type: ignore[valid-type]


@functools.cache
def generic_models(server: str) -> dict[str, type[BaseModel]]:
    """Input models of the generic tools, with enums limited to what this server serves."""
    from xops.compliance.mapping import list_frameworks

    pillars = list(server_pillars(server))
    ids = [a.meta.id for a in server_analyzers(server)]
    pillar_t, id_t, fw_t = _literal(pillars), _literal(ids), _literal(list_frameworks())
    forbid = ConfigDict(extra="forbid")
    list_args = create_model(
        "ListAnalyzersArgs", __config__=forbid,
        pillar=(pillar_t | None, Field(None, description="Only analyzers of this pillar")),
        severity=(Severity | None, Field(None, description="Only analyzers of this severity")),
        framework=(fw_t | None, Field(None, description="Only analyzers mapped to this compliance framework")),
    )
    describe_args = create_model(
        "DescribeAnalyzerArgs", __config__=forbid,
        analyzer_id=(id_t, Field(description="The analyzer id, e.g. " + ids[0])),
    )
    scan_args = create_model(
        "RunScanArgs", __base__=Scope,
        pillar=(pillar_t | None, Field(None, description="Scan every analyzer of this pillar")),
        analyzer_ids=(list[id_t], Field(default_factory=list, description="Scan these analyzers (ids)")),
        framework=(fw_t | None, Field(None, description="Scan the analyzers mapped to this framework and "
                                                        "report per requirement")),
        params=(dict[str, dict[str, Any]], Field(
            default_factory=dict, description="Parameters per analyzer id, e.g. "
                                              "{\"finops.ebs_snapshot_old\": {\"max_age_days\": 30}}")),
    )
    run_args = create_model(
        "GetRunArgs", __config__=forbid,
        run_id=(str, Field(pattern=RUN_ID_PATTERN, examples=["20261201T101500Z-a1b2c3"],
                           description="A run id returned by run_scan")),
    )
    return {"list_analyzers": list_args, "describe_analyzer": describe_args, "run_scan": scan_args,
            "get_run": run_args}


GENERIC_DESCRIPTIONS = {
    "list_analyzers": "List the read-only AWS analyzers this server offers (id, tool name, title, severity, "
                      "scope), optionally filtered by pillar, severity or compliance framework.",
    "describe_analyzer": "Everything about one analyzer: what it checks, why it matters, the IAM permissions it "
                         "needs, its parameters, the compliance requirements it maps to, and the CLI and "
                         "Terraform fix.",
    "run_scan": "Run several analyzers at once (a pillar, a list of analyzer ids or a compliance framework) "
                "across accounts and regions, write an evidence folder (findings JSON/CSV, summary, signed "
                "manifest) and return the run id, totals and the FAIL/ERROR findings. Read-only against "
                "AWS; it writes evidence files locally.",
    "get_run": "Read a previous run's summary and findings by run id; its evidence files are MCP resources "
               "xops://runs/{run_id}/{name}.",
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
def tool_specs(server: str) -> tuple[ToolSpec, ...]:
    specs = [ToolSpec(tool_name(a.meta.id), a.meta.title, analyzer_description(a), analyzer_input_model(a.meta.id),
                      a.meta.id) for a in server_analyzers(server)]
    for name, model in generic_models(server).items():
        specs.append(ToolSpec(name, name.replace("_", " "), GENERIC_DESCRIPTIONS[name], model, None,
                              read_only=name != "run_scan"))
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


class InvalidArguments(UsageError):
    """Tool arguments that do not validate; `fields` maps each bad field to what it accepts."""

    def __init__(self, message: str, hint: str, fields: dict[str, str]) -> None:
        super().__init__(message, hint)
        self.fields = fields


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
