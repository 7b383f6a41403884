"""Contract: the tools scale with the catalogue. Featured analyzers are tools of their own with their Params
schema + scope; every analyzer is reachable through the generic tools; no server lists more than MAX_TOOLS
tools, even with a catalogue of 300 analyzers."""

from __future__ import annotations

import json

import pytest

from xops.core import registry
from xops.core.analyzer import Pass
from xops.core.catalogue import Catalogue
from xops.core.checks import each
from xops.core.models import PILLARS, AnalyzerMeta, Remediation, Severity
from xops.core.scope import Scope
from xops.mcp.runner import Runner
from xops.mcp.tools import (
    DIRECT_PER_PILLAR,
    GENERIC_DESCRIPTIONS,
    MAX_TOOLS,
    SERVERS,
    direct_analyzers,
    input_schema,
    tool_name,
    tool_specs,
    validate_arguments,
)
from xops.resources.ec2 import Volume

GENERIC = set(GENERIC_DESCRIPTIONS)


def expected_schema(analyzer_id: str) -> tuple[dict, set[str]]:
    params = registry.get(analyzer_id).Params.model_json_schema()
    scope = Scope.model_json_schema()
    props = {**scope["properties"], **params.get("properties", {})}
    return props, set(params.get("required", [])) | set(scope.get("required", []))


@pytest.mark.parametrize("server", list(SERVERS))
def test_featured_analyzers_are_tools_with_their_schema(server: str) -> None:
    pillars = SERVERS[server]
    specs = {s.name: s for s in tool_specs(server)}
    featured = {tool_name(a.meta.id): a.meta.id for a in registry.all_analyzers()
                if a.meta.pillar in pillars and a.meta.featured}
    assert featured and set(specs) == set(featured) | GENERIC
    for name, analyzer_id in featured.items():
        spec = specs[name]
        assert spec.analyzer_id == analyzer_id and spec.read_only
        schema = input_schema(spec.model)
        props, required = expected_schema(analyzer_id)
        assert schema["properties"] == props, name
        assert set(schema.get("required", [])) == required
        assert schema["additionalProperties"] is False
        meta = registry.get(analyzer_id).meta
        assert meta.title in spec.description and meta.risk in spec.description


def test_featured_is_a_few_per_pillar() -> None:
    per_pillar = {p: sum(a.meta.featured for a in registry.all_analyzers() if a.meta.pillar == p) for p in PILLARS}
    assert all(1 <= n <= DIRECT_PER_PILLAR for n in per_pillar.values()), per_pillar


def synthetic_catalogue(n: int) -> Catalogue:
    """`n` generated analyzers, every one asking to be featured."""
    analyzers = []
    for i in range(n):
        pillar = PILLARS[i % 3]
        a = each(Volume)(lambda v, p, ctx: Pass("fine"))
        a.meta = AnalyzerMeta(
            id=f"{pillar}.generated_check_{i:03d}", title=f"Generated check number {i}", pillar=pillar,
            severity=list(Severity)[i % 5], resource_type="AWS::EC2::Volume", permissions=("ec2:DescribeVolumes",),
            risk=f"generated risk {i} for the tool-count test", service="ec2", kind="each", featured=True,
            remediation=Remediation(summary="nothing to do here", cli="aws ec2 help", terraform="# none"))
        analyzers.append(a)
    return Catalogue(analyzers)


@pytest.mark.parametrize("server", list(SERVERS))
def test_no_server_lists_more_than_max_tools_with_300_analyzers(server: str) -> None:
    big = synthetic_catalogue(300)
    specs = tool_specs(server, big)
    assert len(specs) <= MAX_TOOLS
    assert len([s for s in specs if s.analyzer_id]) == DIRECT_PER_PILLAR * len(SERVERS[server])
    # the generic schemas do not grow with the catalogue (no enum of ids)
    sizes = {len(json.dumps(input_schema(s.model))) for s in specs if s.analyzer_id is None}
    assert max(sizes) < 4000
    # and every one of the 300 is reachable: list_analyzers finds it, run_scan accepts its id
    runner = Runner(server, catalogue=big)
    listing = {s.name: s for s in specs}
    out = runner.call(listing["list_analyzers"], validate_arguments(listing["list_analyzers"], {"limit": 1000}))
    assert out.structured["total"] == 100 * len(SERVERS[server])


def test_any_analyzer_of_the_catalogue_is_found_by_its_words_in_one_call() -> None:
    """Call 1: list_analyzers with words of the title; call 2 is run_scan with the id (test_stdio runs one)."""
    runner = Runner("xops")
    spec = next(s for s in tool_specs("xops") if s.name == "list_analyzers")
    scan = next(s for s in tool_specs("xops") if s.name == "run_scan")
    for a in registry.all_analyzers():
        out = runner.call(spec, validate_arguments(spec, {"query": a.meta.title, "limit": 3}))
        assert a.meta.id in [r["id"] for r in out.structured["analyzers"]], a.meta.id
        validate_arguments(scan, {"analyzer_ids": [a.meta.id]})


def test_mcpo_schema_keeps_structure_and_adds_allowed_values() -> None:
    spec = next(s for s in tool_specs("finops") if s.name == "finops_ebs_snapshot_old")
    plain, bridged = input_schema(spec.model), input_schema(spec.model, for_mcpo=True)
    assert plain["properties"]["max_age_days"]["maximum"] == bridged["properties"]["max_age_days"]["maximum"] == 3650
    assert bridged["properties"]["max_age_days"]["description"].endswith("Allowed: an integer from 1 to 3650.")
    assert "Allowed" not in plain["properties"]["max_age_days"]["description"]


def test_direct_tools_are_the_most_severe_featured_first() -> None:
    chosen = direct_analyzers("finops", synthetic_catalogue(30))
    ranks = [a.meta.severity.rank for a in chosen]
    assert ranks == sorted(ranks, reverse=True) and len(chosen) == DIRECT_PER_PILLAR
