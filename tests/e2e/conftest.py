"""The e2e tests share one real `xops sandbox up` process (the demo estate, seed 42)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.sandbox import RunningSandbox, start_running_sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    proc, sb = start_running_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield sb
    proc.terminate()
    proc.wait(timeout=30)
