"""OpenTelemetry spans (request, run, step, AWS call) and JSON logs, in-process against moto."""

from __future__ import annotations

import json
import logging
import sys
import time

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.harness.aws import SandboxAws
from xops.api import telemetry
from xops.api.app import create_app
from xops.api.settings import ApiSettings
from xops.core.errors import UsageError


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    assert trace.get_tracer_provider() is provider, "another test set a tracer provider first"
    return exporter


def test_spans_cover_request_run_step_and_aws_calls(sandbox_aws: SandboxAws, spans: InMemorySpanExporter,
                                                    tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOPS_REGIONS", sandbox_aws.region)
    eip = sandbox_aws.client("ec2").allocate_address(Domain="vpc")["AllocationId"]
    app = create_app(ApiSettings(data_dir=tmp_path, api_keys=["k"], workers=1))
    with TestClient(app, headers={"Authorization": "Bearer k"}) as client:
        run_id = client.post("/v1/runs", json={"analyzers": ["finops.eip_unassociated"]}).json()["run_id"]
        for _ in range(300):
            if client.get(f"/v1/runs/{run_id}").json()["state"] == "finished":
                break
            time.sleep(0.05)
        found = client.get(f"/v1/runs/{run_id}/findings", params={"status": "FAIL"}).json()["findings"]
    assert [f["resource_id"] for f in found] == [eip]
    got = spans.get_finished_spans()
    names = {s.name for s in got}
    assert {"http.request", "run.plan", "run.step", "run.summarise", "aws.call"} <= names
    step = next(s for s in got if s.name == "run.step")
    assert step.attributes["xops.analyzer_id"] == "finops.eip_unassociated"
    assert step.attributes["xops.run_id"] == run_id
    calls = [s for s in got if s.name == "aws.call" and s.parent and s.parent.span_id == step.context.span_id]
    assert any(s.attributes["aws.operation"] == "describe_addresses" for s in calls)
    post = next(s for s in got if s.name == "http.request" and s.attributes["http.method"] == "POST")
    assert post.attributes["http.status_code"] == 201


def test_exporter_is_chosen_by_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telemetry, "_configured", False)
    monkeypatch.setattr(trace, "set_tracer_provider", lambda p: None)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "jaeger-thrift")
    with pytest.raises(UsageError, match="not supported"):
        telemetry.setup_tracing()
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)  # not installed
    with pytest.raises(UsageError, match="opentelemetry-exporter-otlp"):
        telemetry.setup_tracing()
    monkeypatch.delenv("OTEL_TRACES_EXPORTER")
    telemetry.setup_tracing()  # the default: a provider with no exporter (nothing leaves the process)
    assert telemetry._configured


def test_logs_are_json_lines_with_fields_and_trace_id(spans: InMemorySpanExporter) -> None:
    record = logging.LogRecord("xops.api", logging.INFO, __file__, 1, "drained %s", ("ok",), None)
    record.run_id = "r-1"
    with trace.get_tracer("t").start_as_current_span("s") as span:
        line = telemetry.JsonFormatter().format(record)
    doc = json.loads(line)
    assert doc["msg"] == "drained ok" and doc["level"] == "info" and doc["run_id"] == "r-1"
    assert doc["trace_id"] == f"{span.get_span_context().trace_id:032x}"
