"""Shared inventory: each distinct API call (account, region, service, operation, parameters) is made once
per scan, whichever analyzers need it, and every analyzer reads the same cached answer.

Thread-safe: concurrent callers of the same key wait for the first one. Failures are cached too, so ten
analyzers reading an unsupported API produce ten ERROR findings from one failed call, not ten calls.
Every call actually made is recorded in `calls` (the benchmark replays them to measure the API floor).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry import trace

if TYPE_CHECKING:
    from xops.core.aws import AwsContext, Target


@dataclass(frozen=True)
class ApiCall:
    """One API call made for the inventory (a paginated list counts as one call of `pages` pages)."""

    account_id: str
    region: str
    service: str
    operation: str
    params: str  # canonical JSON of the parameters
    paginated: bool
    result_key: str
    pages: int
    seconds: float


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None
    error: BaseException | None = None
    paginated: bool = False
    pages: int = 1


class Inventory:
    def __init__(self, aws: AwsContext) -> None:
        self._aws = aws
        self._entries: dict[tuple[str, ...], _Entry] = {}
        self._guard = threading.Lock()
        self.calls: list[ApiCall] = []

    def has_transient_errors(self) -> bool:
        """True when a call failed in a way that may pass (throttling, 5xx, network): such an inventory is
        not shared with later runs. Answers like NoSuchLifecycleConfiguration (4xx) are facts, not failures."""
        with self._guard:
            errors = [e.error for e in self._entries.values() if e.done and e.error is not None]
        return any(_transient(err) for err in errors)

    def list(self, at: Target, service: str, operation: str, result_key: str, **params: Any) -> list[dict[str, Any]]:
        """All items of a (paginated) describe/list call, e.g. list(at, "ec2", "describe_volumes", "Volumes")."""
        return self._cached(at, service, operation, params, result_key)

    def call(self, at: Target, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One non-paginated call's response; a ClientError (e.g. 'not configured') is cached and re-raised."""
        return self._cached(at, service, operation, params, "")

    def fresh(self, at: Target, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One call made every time (for polling, e.g. until a report is ready); recorded, never cached."""
        started = time.perf_counter()
        try:
            with _span(at, service, operation):
                return getattr(self._aws.client(at, service), operation)(**params)  # type: ignore[no-any-return]
        finally:
            self.calls.append(ApiCall(at.account_id, at.region, service, operation,
                                      json.dumps(params, sort_keys=True, default=str), False, "", 1,
                                      time.perf_counter() - started))

    def _cached(self, at: Target, service: str, operation: str, params: dict[str, Any], result_key: str) -> Any:
        canonical = json.dumps(params, sort_keys=True, default=str)
        key = (at.account_id, at.region, service, operation, canonical, result_key)
        with self._guard:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
        if not entry.done:
            with entry.lock:
                if not entry.done:
                    self._fill(entry, at, service, operation, params, canonical, result_key)
        if entry.error is not None:
            raise entry.error
        return entry.value

    def _fill(
        self, entry: _Entry, at: Target, service: str, operation: str, params: dict[str, Any], canonical: str,
        result_key: str,
    ) -> None:
        started = time.perf_counter()
        try:
            with _span(at, service, operation):
                self._fetch(entry, at, service, operation, params, result_key)
        except Exception as exc:  # cached and re-raised to every reader; the scanner turns it into ERROR
            entry.error = exc
        finally:
            entry.done = True
            self.calls.append(
                ApiCall(at.account_id, at.region, service, operation, canonical, entry.paginated, result_key,
                        entry.pages, time.perf_counter() - started)
            )

    def _fetch(self, entry: _Entry, at: Target, service: str, operation: str, params: dict[str, Any],
               result_key: str) -> None:
        client = self._aws.client(at, service)
        if result_key and client.can_paginate(operation):
            entry.paginated, entry.pages = True, 0
            items: list[dict[str, Any]] = []
            for page in client.get_paginator(operation).paginate(**params):
                entry.pages += 1
                items.extend(page.get(result_key, []))
            entry.value = items
        elif result_key:
            entry.value = getattr(client, operation)(**params).get(result_key, [])
        else:
            entry.value = getattr(client, operation)(**params)


def _span(at: Target, service: str, operation: str) -> Any:
    """An OpenTelemetry span per AWS call (a no-op unless the API configured a tracer provider)."""
    return trace.get_tracer("xops").start_as_current_span(
        "aws.call", attributes={"aws.service": service, "aws.operation": operation, "aws.region": at.region,
                                "aws.account_id": at.account_id})


THROTTLING = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
              "RequestThrottled", "SlowDown"}


def _transient(err: BaseException) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(err, ClientError):
        return True
    status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return status >= 500 or err.response.get("Error", {}).get("Code", "") in THROTTLING
