"""Serve the Runbooks API under uvicorn with the Spot-interruption drain.

On SIGTERM (or the first Ctrl-C): stop taking runs (503 + Retry-After), close SSE streams, let running
steps finish for up to XOPS_DRAIN_SECONDS, give back the rest, mark unfinished runs interrupted, then exit 0.
A second Ctrl-C exits at once.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import uvicorn

from xops.api.app import create_app
from xops.api.settings import ApiSettings
from xops.api.telemetry import setup_logging, setup_tracing

log = logging.getLogger("xops.api.server")


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, settings: ApiSettings) -> None:
        super().__init__(config)
        self.settings = settings
        self._draining = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Not calling super(): uvicorn would re-raise the signal after shutdown and the exit code would be -15.
        if self._draining:
            if sig == signal.SIGINT:
                self.force_exit = True
            return
        self._draining = True
        threading.Thread(target=self._drain, name="xops-drain", daemon=True).start()

    def _drain(self) -> None:
        app = self.config.app
        engine = app.state.engine
        log.info("draining", extra={"deadline_seconds": self.settings.drain_seconds})
        engine.draining = True
        app.state.bus.notify_all()
        try:
            engine.drain(self.settings.drain_seconds)
        finally:
            self.should_exit = True


def serve(settings: ApiSettings, host: str, port: int) -> None:
    # Step workers are CPU-bound (botocore parsing); a shorter GIL switch interval keeps the event loop
    # (SSE, new runs) responsive while they work.
    sys.setswitchinterval(0.001)
    setup_logging()
    setup_tracing()
    app = create_app(settings)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=True,
                            timeout_graceful_shutdown=5, lifespan="on")
    server = DrainingServer(config, settings)
    log.info("xops api starting", extra={"host": host, "port": port, "store": app.state.store.describe(),
                                          "workers": settings.workers})
    server.run()
