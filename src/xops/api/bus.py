"""Wake SSE streams of this replica as soon as a worker thread writes an event for their run.

Streams also poll the store (every POLL_SECONDS), which is how they see events written by other replicas.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict

POLL_SECONDS = 0.5


class EventBus:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def notify(self, run_id: str) -> None:
        """Thread-safe: called from worker threads."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with self._lock:
            waiters = list(self._waiters.get(run_id, ()))
        for ev in waiters:
            loop.call_soon_threadsafe(ev.set)

    def notify_all(self) -> None:
        with self._lock:
            run_ids = list(self._waiters)
        for run_id in run_ids:
            self.notify(run_id)

    async def wait(self, run_id: str, timeout: float = POLL_SECONDS) -> None:
        ev = asyncio.Event()
        with self._lock:
            self._waiters[run_id].add(ev)
        try:
            await asyncio.wait_for(ev.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters[run_id].discard(ev)
                if not self._waiters[run_id]:
                    del self._waiters[run_id]
