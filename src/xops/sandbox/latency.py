"""A sandbox that behaves like AWS under load: every call answered after a latency, from many threads, and
over-rate calls throttled per account, region and operation.

moto is one Python process (~26 ms of CPU a call), so against the bare sandbox every scanner is bound by
moto and a fast scanner cannot be told from a slow one. Here a read is answered by moto once and then
replayed from memory, each answer held for `latency_ms` (± `jitter_ms`) in its own thread, so N
concurrent calls take about one latency, as on AWS. Calls that change state go to moto (and forget the
replayed answers); polling calls (`Generate*`, such as the IAM credential report) always go to moto.
With `throttle_rps`, each (account, region, operation) has a token bucket of that rate (burst: one
second's worth): a call that finds it empty gets the service's own throttling error (EC2
RequestLimitExceeded, query Throttling, JSON ThrottlingException, S3 SlowDown), which botocore retries.
"""

from __future__ import annotations

import io
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs

from xops.sandbox.answers import CREDENTIAL

READS = ("Describe", "Get", "List", "Lookup", "Search", "BatchGet", "Head")
LIVE = ("Generate",)  # polled until AWS has built something: never replayed
STATS_PATH = "/xops-sandbox/stats"  # GET: what the sandbox saw (replayed, forwarded, throttled, peak in flight)


@dataclass(frozen=True)
class Conditions:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    throttle_rps: float = 0.0

    @property
    def active(self) -> bool:
        return self.latency_ms > 0 or self.throttle_rps > 0


@dataclass
class Stats:
    """What the sandbox saw: calls answered from memory or by moto, throttled, and the peak in flight."""

    replayed: int = 0
    forwarded: int = 0
    throttled: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> dict[str, int]:
        with self.lock:
            return {"replayed": self.replayed, "forwarded": self.forwarded, "throttled": self.throttled,
                    "peak_in_flight": self.peak_in_flight}


class Bucket:
    """A token bucket: `rate` tokens a second, at most `rate` stored."""

    def __init__(self, rate: float) -> None:
        self.rate, self.tokens, self.at = rate, rate, time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def _call(environ: dict[str, Any], body: bytes) -> tuple[str, str, bool]:
    """(protocol family, operation, is a read) of a request, from what it carries."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    method = environ.get("REQUEST_METHOD", "GET")
    if "." in target:
        op = target.rsplit(".", 1)[-1]
        return "json", op, op.startswith(READS) and not op.startswith(LIVE)
    if method == "POST" and body and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        op = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        if op:
            return "query", op, op.startswith(READS) and not op.startswith(LIVE)
    path = environ.get("PATH_INFO", "")
    if path.startswith("/service/") and "/operation/" in path:
        op = path.rsplit("/", 1)[-1]
        return "cbor", op, op.startswith(READS) and not op.startswith(LIVE)
    query = environ.get("QUERY_STRING", "").split("&")[0].split("=")[0]
    return "rest", f"{method} {query or path.count('/')}", method in ("GET", "HEAD")


def _throttled(family: str, signing: str) -> tuple[str, list[tuple[str, str]], bytes]:
    request_id = str(uuid.uuid4())
    if family == "query" and signing == "ec2":
        body = (f"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded."
                f"</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")
        return "503 Service Unavailable", [("Content-Type", "text/xml")], body.encode()
    if family == "query":
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return "400 Bad Request", [("Content-Type", "text/xml")], body.encode()
    if signing == "s3":
        body = (f"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
                f"<RequestId>{request_id}</RequestId></Error>")
        return "503 Slow Down", [("Content-Type", "application/xml")], body.encode()
    body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
    return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "ThrottlingException"),
                               ("x-amzn-RequestId", request_id)], body


class AwsLike:
    """WSGI middleware in front of the sandbox (planted answers, then moto): latency, replay, throttling."""

    def __init__(self, app: Any, conditions: Conditions) -> None:
        self.app, self.conditions = app, conditions
        self.stats = Stats()
        self._answers: dict[tuple[Any, ...], tuple[str, list[tuple[str, str]], bytes]] = {}
        self._buckets: dict[tuple[str, str, str, str], Bucket] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == STATS_PATH:
            data = json.dumps({**self.stats.as_dict(), **asdict(self.conditions)}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        m = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        if m is None or not self.conditions.active:
            if environ.get("PATH_INFO") == "/moto-api/reset":
                self.forget()
            return self.app(environ, start_response)
        access_key, region, signing = m.groups()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        family, op, read = _call(environ, body)
        with self.stats.lock:
            self.stats.in_flight += 1
            self.stats.peak_in_flight = max(self.stats.peak_in_flight, self.stats.in_flight)
        try:
            if self.conditions.throttle_rps > 0 and not self._bucket(access_key, region, signing, op).take():
                with self.stats.lock:
                    self.stats.throttled += 1
                status, headers, data = _throttled(family, signing)
            else:
                status, headers, data = self._answer(environ, body, read, (access_key, region, signing, op))
            self._wait()
        finally:
            with self.stats.lock:
                self.stats.in_flight -= 1
        start_response(status, [(k, v) for k, v in headers if k.lower() != "content-length"]
                       + [("Content-Length", str(len(data)))])
        return [data]

    def forget(self) -> None:
        with self._lock:
            self._answers.clear()

    def _bucket(self, access_key: str, region: str, signing: str, op: str) -> Bucket:
        from xops.sandbox.answers import account_of

        key = (account_of(access_key), region, signing, op)
        with self._lock:
            if key not in self._buckets:
                self._buckets[key] = Bucket(self.conditions.throttle_rps)
            return self._buckets[key]

    def _wait(self) -> None:
        c = self.conditions
        if c.latency_ms > 0:
            time.sleep(max(0.0, c.latency_ms + random.uniform(-c.jitter_ms, c.jitter_ms)) / 1000)  # noqa: S311

    def _answer(self, environ: dict[str, Any], body: bytes, read: bool, who: tuple[str, ...]
                ) -> tuple[str, list[tuple[str, str]], bytes]:
        from xops.sandbox.answers import account_of

        key = (account_of(who[0]), who[1], environ.get("REQUEST_METHOD"), environ.get("HTTP_HOST"),
               environ.get("PATH_INFO"), environ.get("QUERY_STRING"), environ.get("HTTP_X_AMZ_TARGET"), body)
        if read:
            with self._lock:
                known = self._answers.get(key)
            if known is not None:
                with self.stats.lock:
                    self.stats.replayed += 1
                return known
        answer = self._forward(environ)
        with self.stats.lock:
            self.stats.forwarded += 1
        with self._lock:
            if not read:
                self._answers.clear()  # the state changed: what was recorded may be stale
            elif not answer[0].startswith("5"):
                self._answers[key] = answer
        return answer

    def _forward(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        seen: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            seen["status"], seen["headers"] = status, headers
            return lambda _data: None

        chunks = self.app(environ, start)
        try:
            data = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return seen["status"], list(seen["headers"]), data
