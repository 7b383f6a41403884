"""API tests share one real sandbox process (the demo estate) and start their own `xops api serve`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.api import ApiServer, PgSchema, api_env, drop_pg_schema, new_pg_schema
from tests.harness.sandbox import RunningSandbox


@pytest.fixture(scope="session")
def api_sandbox(sandbox: RunningSandbox) -> RunningSandbox:
    """The shared demo estate (the root conftest.py); API tests only read it."""
    return sandbox


@pytest.fixture(scope="session")
def reference(api_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`xops scan --accounts all --format json` (every pillar): what an API run must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "scan.json"
    res = api_sandbox.xops("scan", "--accounts", "all", "--all", "--format", "json", "--out", str(out),
                           "--no-evidence")
    assert res.returncode == 0, res.stderr
    return json.loads(Path(out).read_text())


@pytest.fixture
def api(api_sandbox: RunningSandbox, tmp_path: Path) -> Iterator[ApiServer]:
    server = ApiServer(api_env(api_sandbox.env, tmp_path / "data"), tmp_path / "api.log").start()
    yield server
    server.stop()


@pytest.fixture
def pg_schema() -> Iterator[PgSchema]:
    schema = new_pg_schema()
    yield schema
    drop_pg_schema(schema)


def finding_keys(findings: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(f["analyzer_id"], f["account_id"], f["region"], f["resource_id"], f["status"], f["est_monthly_usd"])
            for f in findings}
