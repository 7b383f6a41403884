"""The sandbox answers what moto lacks, from planted data, over HTTP like any AWS endpoint.

moto 5.2 does not mock some services at all (Compute Optimizer, Savings Plans, Cost Optimization Hub,
Health, Access Analyzer, DLM) and lacks operations of others (most of Cost Explorer, Service Quotas
listings, SSM patch states, some EC2/RDS calls). A planter plants the answer such a call must give in an
account and region (`ANSWERS.plant(...)`, or `plot.answer(...)`); the sandbox's HTTP server then answers
that call itself, serialized in the service's own protocol (JSON, REST-JSON, RPC-v2 CBOR, query XML, EC2
XML), and passes everything else to moto. The analyzers therefore run their real client code; nothing is
stubbed in the client.

A planted answer is the operation's output as boto3 would return it (a dict; or a function of the request
parameters returning one). Answers are kept in this process (the one running moto) and cleared by moto's
reset.
"""

from __future__ import annotations

import io
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs

from botocore import xform_name
from botocore.model import OperationModel, Shape

Answer = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]
ANY = "*"
CREDENTIAL = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def _model(service: str) -> Any:
    from xops.resources.ops import _session

    return _session().get_service_model(service)


class Answers:
    """Planted answers by (signing name, API operation, account, region); ANY matches every account/region."""

    def __init__(self) -> None:
        self._answers: dict[tuple[str, str, str, str], Answer] = {}
        self._services: dict[str, str] = {}  # signing name -> boto3 service name
        self._lock = threading.Lock()

    def plant(self, service: str, operation: str, answer: Answer, *, account: str = ANY, region: str = ANY) -> None:
        """The answer `service`.`operation` (boto3 names, e.g. "compute-optimizer",
        "get_ec2_instance_recommendations") gives in this account and region (ANY: every one)."""
        model = _model(service)
        api = {xform_name(n): n for n in model.operation_names}
        if operation not in api:
            raise ValueError(f"{service} has no operation {operation!r}")
        with self._lock:
            self._services[model.signing_name] = service
            self._answers[(model.signing_name, api[operation], account, region)] = answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._services.clear()

    def service_of(self, signing: str) -> str | None:
        """The boto3 name of a service with planted answers, by its signing name (None: nothing planted)."""
        with self._lock:
            return self._services.get(signing)

    def find(self, signing: str, operation: str, account: str, region: str) -> Answer | None:
        with self._lock:
            for key in ((signing, operation, account, region), (signing, operation, account, ANY),
                        (signing, operation, ANY, region), (signing, operation, ANY, ANY)):
                if key in self._answers:
                    return self._answers[key]
        return None


ANSWERS = Answers()


# -- which call is this? ---------------------------------------------------------------------------------
def _operation(service: str, environ: dict[str, Any], body: bytes) -> tuple[str, dict[str, Any], str] | None:
    """(API operation name, request parameters, protocol) of a request. The protocol is the one the client
    chose (a model may offer several, e.g. RPC-v2 CBOR and JSON): the answer must be in that one."""
    model = _model(service)
    path = environ.get("PATH_INFO", "")
    m = re.match(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$", path)
    if m and environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        return m.group(1), {}, "smithy-rpc-v2-cbor"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if "." in target:
        return target.rsplit(".", 1)[-1], json.loads(body or b"{}"), "json"
    if model.protocol in ("query", "ec2"):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        return (form["Action"], form, model.protocol) if "Action" in form else None
    method = environ.get("REQUEST_METHOD", "GET")
    for name in model.operation_names:
        http = model.operation_model(name).http
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(http["requestUri"].split("?")[0])) + "/?$"
        if http.get("method") == method and re.match(pattern, path):
            return name, json.loads(body or b"{}"), "rest-json"
    return None


def account_of(access_key: str) -> str:
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


# -- answers in the service's own protocol ---------------------------------------------------------------
def _xml(shape: Shape, value: Any, name: str) -> str:
    if shape.type_name == "structure":
        inner = ""
        for member, member_shape in shape.members.items():
            if member in value and value[member] is not None:
                child = member_shape.serialization.get("name", member)
                if member_shape.type_name == "list" and member_shape.serialization.get("flattened"):
                    inner += "".join(_xml(member_shape.member, v, child) for v in value[member])
                else:
                    inner += _xml(member_shape, value[member], child)
        return f"<{name}>{inner}</{name}>"
    if shape.type_name == "list":
        item = shape.member.serialization.get("name", "member")
        return f"<{name}>{''.join(_xml(shape.member, v, item) for v in value)}</{name}>"
    if shape.type_name == "map":
        key, val = shape.key.serialization.get("name", "key"), shape.value.serialization.get("name", "value")
        entries = "".join(f"<entry>{_xml(shape.key, k, key)}{_xml(shape.value, v, val)}</entry>" for k, v in value.items())
        return f"<{name}>{entries}</{name}>"
    if shape.type_name == "timestamp":
        text = value.isoformat() if isinstance(value, datetime) else str(value)
    elif shape.type_name == "boolean":
        text = "true" if value else "false"
    else:
        text = str(value)
    return f"<{name}>{escape(text, quote=False)}</{name}>"


def serialize(op: OperationModel, answer: dict[str, Any], protocol: str) -> tuple[bytes, list[tuple[str, str]]]:
    """The HTTP body and headers of one answer, as the real service would send them in `protocol`."""
    from botocore.serialize import create_serializer

    shape = op.output_shape
    request_id = str(uuid.uuid4())
    if protocol in ("query", "ec2"):
        body = "".join(_xml(m, answer[k], m.serialization.get("name", k)) for k, m in
                       (shape.members.items() if shape is not None else []) if k in answer)
        wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
        if protocol == "ec2":
            xml = f"<{op.name}Response><requestId>{request_id}</requestId>{body}</{op.name}Response>"
        else:
            result = f"<{wrapper}>{body}</{wrapper}>" if wrapper else body
            xml = (f"<{op.name}Response>{result}<ResponseMetadata><RequestId>{request_id}</RequestId>"
                   f"</ResponseMetadata></{op.name}Response>")
        return xml.encode(), [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    if protocol == "smithy-rpc-v2-cbor":
        data = create_serializer(protocol, include_validation=False)._serialize_body_params(answer, shape) if shape is not None else b""
        return data, [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                      ("x-amzn-RequestId", request_id)]
    data = create_serializer("rest-json", include_validation=False)._serialize_body_params(answer, shape) if shape is not None else b"{}"
    kind = (f"application/x-amz-json-{op.service_model.metadata.get('jsonVersion', '1.1')}" if protocol == "json"
            else "application/json")
    return data, [("Content-Type", kind), ("x-amzn-RequestId", request_id)]


class PlantedAnswers:
    """WSGI middleware in front of moto: answer planted calls, pass the rest (and clear answers on reset)."""

    def __init__(self, app: Any, answers: Answers = ANSWERS) -> None:
        self.app, self.answers = app, answers

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/moto-api/reset":
            self.answers.clear()
        m = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = self.answers.service_of(m.group(3)) if m else None
        if m is None or service is None:
            return self.app(environ, start_response)
        access_key, region, signing = m.groups()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again when the call is passed on
        call = _operation(service, environ, body)
        answer = None if call is None else self.answers.find(signing, call[0], account_of(access_key), region)
        if call is None or answer is None:
            return self.app(environ, start_response)
        op_name, params, protocol = call
        data, headers = serialize(_model(service).operation_model(op_name),
                                  answer(params) if callable(answer) else answer, protocol)
        start_response("200 OK", [*headers, ("Content-Length", str(len(data)))])
        return [data]
