"""Fixtures shared by every test: the ones under tests/ and the ones in each analyzer's folder
(src/xops/analyzers/<pillar>/<name>/test_analyzer.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from tests.harness.aws import SandboxAws, analyzer_of
from tests.harness.openwebui import openwebui, openwebui_scim  # noqa: F401  (session fixtures: real Open WebUI)
from tests.harness.sandbox import RunningSandbox, start_running_sandbox

from xops.sandbox.moto_server import FAKE_CREDENTIALS, MotoServer


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    saved = dict(os.environ)
    os.environ.update(FAKE_CREDENTIALS)
    os.environ["XOPS_PRICING"] = "offline"
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "XOPS_REGIONS"):
        os.environ.pop(var, None)
    server = MotoServer().start()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    yield server
    server.stop()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def sandbox_aws(moto_server: MotoServer, request: pytest.FixtureRequest) -> SandboxAws:
    """One clean moto account (reset before each test); in an analyzer's folder, `run()` runs that analyzer."""
    moto_server.reset()
    return SandboxAws(moto_server, analyzer_id=analyzer_of(request.module.__name__))


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A real `xops sandbox up` process (the demo estate, seed 42), shared by the e2e and API tests of a worker."""
    proc, sb = start_running_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield sb
    proc.terminate()
    proc.wait(timeout=30)
