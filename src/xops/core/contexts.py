"""Warm AWS contexts: the API and the MCP servers reuse one AwsContext (clients, inventory, resources) per
scope for a few seconds, so a repeated question reads AWS once. A context that met a transient failure
(throttling, 5xx, network) is not reused; answers such as AccessDenied are facts and are kept."""

from __future__ import annotations

import threading
import time

from xops.core.aws import AwsContext, AwsSettings
from xops.core.scope import Scope


class ContextPool:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._items: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[float, AwsContext]] = {}
        self._lock = threading.Lock()

    def get(self, scope: Scope) -> AwsContext:
        """The warm context of this scope when it is younger than `ttl` and clean, else a new one."""
        now = time.monotonic()
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if now - v[0] < self.ttl}
            item = self._items.get(scope.key())
            if item is not None and not item[1].inventory.has_transient_errors():
                return item[1]
            aws = AwsContext(AwsSettings(regions=scope.regions, accounts=scope.accounts))
            if self.ttl > 0:
                self._items[scope.key()] = (now, aws)
            return aws

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
