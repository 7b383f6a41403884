"""OpenTelemetry spans and structured JSON logs.

Spans: `http.request` (every request), `run.plan`, `run.step`, `run.summarise` and `aws.call` (every AWS
call the inventory makes). Configured by the standard variables: OTEL_SDK_DISABLED, OTEL_SERVICE_NAME and
OTEL_TRACES_EXPORTER. By default there is no exporter, so spans go nowhere and nothing touches the network;
`console` prints them; `otlp` needs opentelemetry-exporter-otlp-proto-http and OTEL_EXPORTER_OTLP_ENDPOINT.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from xops.core.errors import UsageError

_configured = False


def setup_tracing() -> None:
    global _configured
    if _configured or os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "xops-api")}))
    exporter_name = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower()
    if exporter_name == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter(out=sys.stderr)))
    elif exporter_name == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # type: ignore[import-not-found]
        except ImportError as exc:
            raise UsageError("OTEL_TRACES_EXPORTER=otlp but the OTLP exporter is not installed",
                             "pip install opentelemetry-exporter-otlp-proto-http, or unset OTEL_TRACES_EXPORTER") from exc
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    elif exporter_name not in ("none", ""):
        raise UsageError(f"OTEL_TRACES_EXPORTER={exporter_name!r} is not supported", "use none, console or otlp")
    trace.set_tracer_provider(provider)
    _configured = True


def tracer() -> trace.Tracer:
    return trace.get_tracer("xops")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra={...}` fields."""

    _skip = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "color_message"}

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        doc.update({k: v for k, v in record.__dict__.items() if k not in self._skip})
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            doc["trace_id"] = f"{span.trace_id:032x}"
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


def setup_logging(level: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("XOPS_LOG_LEVEL", "INFO")).upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
