"""Units without servers: argument validation messages, allowed values, prompts, the context pool, resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from xops.core.contexts import ContextPool
from xops.core.errors import InvalidArguments, UsageError
from xops.core.scope import Scope
from xops.mcp.prompts import PROMPTS, render_prompt, server_prompts
from xops.mcp.runner import cache_seconds, read_evidence
from xops.mcp.tools import allowed_values, tool_specs, validate_arguments


def spec(server: str, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in tool_specs(server) if s.name == name)


def test_bad_arguments_name_the_field_and_what_is_allowed() -> None:
    with pytest.raises(InvalidArguments) as exc:
        validate_arguments(spec("finops", "finops_ebs_snapshot_old"), {"max_age_days": 0, "colour": "red"})
    text = str(exc.value)
    assert "max_age_days: Input should be greater than or equal to 1 (allowed: an integer from 1 to 3650)" in text
    assert "colour: Extra inputs are not permitted (allowed: known arguments: regions, accounts, max_age_days)" in text
    assert exc.value.fields == {"max_age_days": "an integer from 1 to 3650",
                                "colour": "known arguments: regions, accounts, max_age_days"}


def test_enum_arguments_list_their_values() -> None:
    with pytest.raises(InvalidArguments) as exc:
        validate_arguments(spec("xops", "list_analyzers"), {"pillar": "money"})
    assert "pillar:" in str(exc.value) and "one of 'finops', 'cloudops', 'devsecops'" in str(exc.value)



def test_analyzers_of_another_pillar_are_refused_with_where_to_go(moto_server: object) -> None:
    from xops.mcp.runner import Runner

    s = spec("finops", "run_scan")
    with pytest.raises(UsageError) as exc:
        Runner("finops").call(s, validate_arguments(s, {"analyzer_ids": ["devsecops.rds_instance_public"]}))
    assert "devsecops.rds_instance_public is not on the xops finops server" in exc.value.message
    assert "xops devsecops or xops server" in exc.value.hint
    with pytest.raises(UsageError, match="unknown analyzer id 'finops.nope'"):
        Runner("finops").call(s, validate_arguments(s, {"analyzer_ids": ["finops.nope"]}))


def test_scope_is_checked() -> None:
    s = spec("xops", "cloudops_rds_not_multi_az")
    assert validate_arguments(s, {"regions": ["eu-west-1"], "accounts": ["all"]}).model_dump()["accounts"] == ["all"]
    for bad in ({"regions": ["Sydney"]}, {"accounts": ["12345"]}, {"accounts": ["all", "123456789012"]}):
        with pytest.raises(InvalidArguments) as exc:
            validate_arguments(s, bad)
        assert next(iter(bad)) in str(exc.value)


def test_allowed_values_words() -> None:
    assert allowed_values({"type": "integer", "minimum": 0}, {}) == "an integer >= 0"
    assert allowed_values({"anyOf": [{"enum": ["a", "b"]}, {"type": "null"}]}, {}) == "one of 'a', 'b'"
    assert allowed_values({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535}}, {}) == \
        "a list; each item an integer from 0 to 65535"
    assert allowed_values({"type": "string"}, {}) == ""


def test_prompts_per_server_and_rendering() -> None:
    assert [p.name for p in server_prompts(("finops",))] == ["finops_monthly_review", "compliance_report"]
    assert len(server_prompts(("finops", "cloudops", "devsecops"))) == len(PROMPTS) == 4
    brief = next(p for p in PROMPTS if p.name == "security_posture_brief")
    text = render_prompt(brief, {"regions": "eu-west-1, us-east-1", "accounts": "all"})
    assert 'run_scan with pillar "devsecops", regions ["eu-west-1", "us-east-1"], accounts ["all"]' in text
    report = next(p for p in PROMPTS if p.name == "compliance_report")
    with pytest.raises(UsageError, match="framework 'sox' is unknown"):
        render_prompt(report, {"framework": "sox"})
    with pytest.raises(UsageError, match="unknown argument"):
        render_prompt(brief, {"colour": "red"})


def test_context_pool_reuses_within_ttl_unless_a_read_failed_transiently(moto_server: object,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    scope = Scope(regions=["ap-southeast-2"])
    warm = ContextPool(ttl=60)
    first = warm.get(scope)
    assert warm.get(scope) is first
    assert warm.get(Scope(regions=["eu-west-1"])) is not first
    monkeypatch.setattr(first.inventory, "has_transient_errors", lambda: True)
    assert warm.get(scope) is not first
    cold = ContextPool(ttl=0)
    assert cold.get(scope) is not cold.get(scope)


def test_cache_seconds_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_MCP_CACHE_SECONDS", "5")
    assert cache_seconds() == 5.0
    monkeypatch.setenv("XOPS_MCP_CACHE_SECONDS", "soon")
    with pytest.raises(UsageError, match="XOPS_MCP_CACHE_SECONDS='soon'"):
        cache_seconds()


def test_evidence_names_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_DATA_DIR", str(tmp_path))
    run = tmp_path / "runs" / "20261201T101500Z-a1b2c3"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text('{"run_id": "20261201T101500Z-a1b2c3"}')
    (tmp_path / "secret.txt").write_text("no")
    assert read_evidence("xops://runs/20261201T101500Z-a1b2c3/manifest.json") == (
        '{"run_id": "20261201T101500Z-a1b2c3"}', "application/json")
    for uri in ("xops://runs/20261201T101500Z-a1b2c3/../../secret.txt", "xops://runs/../secret.txt/summary.md",
                "file:///etc/passwd", "xops://runs/20261201T101500Z-a1b2c4/summary.md"):
        with pytest.raises(UsageError):
            read_evidence(uri)


def test_aws_failure_names_service_region_and_what_to_check(sandbox_aws: object,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from xops.inventory.cache import Inventory
    from xops.mcp.runner import Runner
    from xops.mcp.tools import validate_arguments

    def denied(self: object, at: object, service: str, operation: str, *a: object, **k: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"},
                           "ResponseMetadata": {"HTTPStatusCode": 403}}, "DescribeVolumes")

    monkeypatch.setattr(Inventory, "list", denied)
    runner = Runner("finops", ContextPool(ttl=60))
    s = spec("finops", "finops_ebs_volume_unattached")
    out = runner.call(s, validate_arguments(s, {"regions": ["eu-west-1"]}))
    assert out.is_error
    assert "service ec2, account 123456789012, region eu-west-1: DescribeVolumes denied" in out.text
    assert "grant ec2:DescribeVolumes to the scanning role" in out.text
    assert len(runner.pool) == 1  # AccessDenied is a fact: the warm context is kept (a throttle would drop it)
