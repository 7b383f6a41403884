"""A real `xops api serve` process on 127.0.0.1, an SSE reader, and the PostgreSQL used by the store tests."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.harness.sandbox import XOPS
from xops.sandbox.moto_server import free_port

KEY = "test-key-0123456789"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Event:
    id: int
    type: str
    data: dict[str, Any]


@dataclass
class ApiServer:
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def data_dir(self) -> Path:
        return Path(self.env["XOPS_DATA_DIR"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ApiServer:
        log = self.log_path.open("a")
        self.proc = subprocess.Popen([XOPS, "api", "serve", "--port", str(self.port)], env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"api exited {self.proc.returncode}: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("api did not come up in 60 s")

    def sigterm(self, timeout: float = 60) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def client(self, headers: dict[str, str] | None = None, key: str | None = KEY) -> httpx.Client:
        h = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=h | (headers or {}), timeout=60)

    def start_run(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> str:
        with self.client(headers) as c:
            r = c.post("/v1/runs", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["run_id"])

    def events(self, run_id: str, last_event_id: int | None = None, headers: dict[str, str] | None = None,
               stop: Callable[[Event], bool] | None = None) -> Iterator[Event]:
        """Events until the server ends the stream (or `stop(event)` is true after yielding it)."""
        h = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
        with self.client(h | (headers or {})) as c, c.stream("GET", f"/v1/runs/{run_id}/events",
                                                             timeout=httpx.Timeout(120, read=120)) as r:
            assert r.status_code == 200, r.read()
            assert r.headers["content-type"].startswith("text/event-stream")
            ev: dict[str, str] = {}
            for line in r.iter_lines():
                if line == "":
                    if "id" in ev:
                        event = Event(int(ev["id"]), ev["event"], json.loads(ev["data"]))
                        yield event
                        if stop and stop(event):
                            return
                    ev = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(":")
                    ev[name] = value[1:] if value.startswith(" ") else value

    def all_findings(self, run_id: str, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        with self.client(headers) as c:
            while True:
                r = c.get(f"/v1/runs/{run_id}/findings", params={**params, "offset": len(out), "limit": 1000})
                assert r.status_code == 200, r.text
                page = r.json()
                out.extend(page["findings"])
                if len(out) >= page["total"] or not page["findings"]:
                    return out


def run_started(evs: list[Event]) -> Event:
    """The run.started event (the plan) of a stream; run.queued comes before it."""
    return next(e for e in evs if e.type == "run.started")


def api_env(base: dict[str, str], data_dir: Path, **extra: str) -> dict[str, str]:
    # Knowledge warm-up (embedder + playbooks into Chroma, ~10 s of CPU per new data dir) is off except in
    # the tests of related playbooks, which turn it on.
    env = {**base, "XOPS_DATA_DIR": str(data_dir), "XOPS_API_KEYS": KEY, "XOPS_API_WORKERS": "2",
           "XOPS_DRAIN_SECONDS": "30", "XOPS_KNOWLEDGE": "off"}
    env.pop("XOPS_DATABASE_URL", None)
    return env | extra


def postgres_url() -> str:
    """The test PostgreSQL (XOPS_TEST_DATABASE_URL, else the machine's 127.0.0.1:5432/test)."""
    return os.environ.get("XOPS_TEST_DATABASE_URL", DEFAULT_PG)


@dataclass
class PgSchema:
    url: str  # with search_path set to a private schema
    name: str


def new_pg_schema() -> PgSchema:
    """A private schema in the test database, so tests never see each other's tables."""
    base = postgres_url()
    name = f"xops_t_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
    except psycopg.OperationalError as exc:
        raise RuntimeError(f"PostgreSQL at {base} does not answer ({exc}); `./run test` starts one when none "
                           "runs, or set XOPS_TEST_DATABASE_URL") from exc
    sep = "&" if "?" in base else "?"
    return PgSchema(f"{base}{sep}options=-csearch_path%3D{name}", name)


def drop_pg_schema(schema: PgSchema) -> None:
    with psycopg.connect(postgres_url(), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema.name} CASCADE")
