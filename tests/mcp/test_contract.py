"""Contract: every registry analyzer is a tool of each server it belongs to, with its Params schema + scope."""

from __future__ import annotations

import pytest

from xops.core import registry
from xops.mcp.tools import SERVERS, Scope, input_schema, tool_name, tool_specs

GENERIC = {"list_analyzers", "describe_analyzer", "run_scan", "get_run"}


def expected_schema(analyzer_id: str) -> tuple[dict, set[str]]:
    params = registry.get(analyzer_id).Params.model_json_schema()
    scope = Scope.model_json_schema()
    props = {**scope["properties"], **params.get("properties", {})}
    return props, set(params.get("required", [])) | set(scope.get("required", []))


@pytest.mark.parametrize("server", list(SERVERS))
def test_every_analyzer_of_the_server_is_a_tool_with_its_schema(server: str) -> None:
    pillars = SERVERS[server]
    specs = {s.name: s for s in tool_specs(server)}
    wanted = {tool_name(a.meta.id): a.meta.id for a in registry.all_analyzers() if a.meta.pillar in pillars}
    assert set(specs) == set(wanted) | GENERIC
    for name, analyzer_id in wanted.items():
        spec = specs[name]
        assert spec.analyzer_id == analyzer_id and spec.read_only
        schema = input_schema(spec.model)
        props, required = expected_schema(analyzer_id)
        assert schema["properties"] == props, name
        assert set(schema.get("required", [])) == required
        assert schema["additionalProperties"] is False
        meta = registry.get(analyzer_id).meta
        assert meta.title in spec.description and meta.risk in spec.description


def test_each_analyzer_is_in_its_pillar_server_and_xops_only() -> None:
    for a in registry.all_analyzers():
        holders = {s for s in SERVERS if tool_name(a.meta.id) in {t.name for t in tool_specs(s)}}
        assert holders == {a.meta.pillar, "xops"}
    assert len([s for s in tool_specs("xops") if s.analyzer_id]) == len(registry.all_analyzers()) == 37


def test_mcpo_schema_keeps_structure_and_adds_allowed_values() -> None:
    spec = next(s for s in tool_specs("finops") if s.name == "finops_ebs_snapshot_old")
    plain, bridged = input_schema(spec.model), input_schema(spec.model, for_mcpo=True)
    assert plain["properties"]["max_age_days"]["maximum"] == bridged["properties"]["max_age_days"]["maximum"] == 3650
    assert bridged["properties"]["max_age_days"]["description"].endswith("Allowed: an integer from 1 to 3650.")
    assert "Allowed" not in plain["properties"]["max_age_days"]["description"]
