"""Schema-driven fuzzing of the live API's OpenAPI (schemathesis + hypothesis): no input gives a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.harness.api import KEY, ApiServer, api_env
from tests.harness.sandbox import clean_env

pytestmark = pytest.mark.xdist_group("api")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    tmp = tmp_path_factory.mktemp("fuzz")
    # AWS points at a closed port: fuzzed runs fail fast at their plan step (a run.failed, not a 5xx).
    env = api_env(clean_env(tmp) | {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "testing",
                                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "ap-southeast-2"},
                  Path(tmp) / "data")
    server = ApiServer(env, Path(tmp) / "api.log").start()
    yield server
    server.stop()


def test_no_input_gives_a_server_error(fuzz_server: ApiServer) -> None:
    """Every operation, 25 generated requests each (schemathesis strategies driven by hypothesis)."""
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    seen: dict[str, set[int]] = {}

    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case) -> None:
            if case.path.endswith("/events"):
                case.headers = {**(case.headers or {}), "Last-Event-ID": "0"}
            response = case.call_and_validate(base_url=fuzz_server.url, headers={"Authorization": f"Bearer {KEY}"},
                                              checks=[not_a_server_error], timeout=30)
            seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
            if response.status_code >= 400:
                ctype = response.headers.get("content-type") or [""]
                assert ctype[0] == "application/problem+json", response.text
                body = response.json()
                assert body["detail"] and body["status"] == response.status_code

        call()
    assert len(seen) == len(operations)
    assert any(422 in codes for codes in seen.values())  # the fuzzer did reach validation
