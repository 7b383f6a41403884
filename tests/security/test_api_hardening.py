"""The hardened Runbooks API, over HTTP on a real `xops api serve`: size limits, rate limits, security headers,
hashed keys with rotation and expiry, and the hash-chained audit log with `xops audit verify`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness.api import KEY, ApiServer, api_env, drop_pg_schema, new_pg_schema
from tests.harness.sandbox import XOPS, clean_env
from xops.api.keys import key_hash

pytestmark = pytest.mark.xdist_group("security")
# AWS points at a closed port: runs fail at their plan step, which is all these tests need.
AWS = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_DEFAULT_REGION": "ap-southeast-2"}
SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy",
                    "strict-transport-security", "cross-origin-opener-policy", "permissions-policy")


def start(tmp: Path, **env: str) -> ApiServer:
    return ApiServer(api_env(clean_env(tmp) | AWS, tmp / "data", **env), tmp / "api.log").start()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ApiServer]:
    s = start(tmp_path, XOPS_API_MAX_BODY_BYTES="4096", XOPS_API_MAX_HEADER_BYTES="4096")
    yield s
    s.stop()


def problem(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["detail"] and (body.get("hint") or status == 401)
    return body


def test_bodies_and_headers_over_the_limits_are_refused_with_problems(server: ApiServer) -> None:
    with server.client() as c:
        body = problem(c.post("/v1/runs", content=b'{"question": "' + b"x" * 5000 + b'"}',
                              headers={"content-type": "application/json"}), 413)
        assert "4096" in body["detail"] and "XOPS_API_MAX_BODY_BYTES" in body["hint"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"question": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'

        problem(c.post("/v1/runs", content=chunks(), headers={"content-type": "application/json"}), 413)
        body = problem(c.get("/v1/runs", headers={"x-padding": "z" * 5000}), 431)
        assert "4096" in body["detail"]
        # under the limits everything works as before
        assert c.post("/v1/runs", json={"pillar": "finops", "question": "q"}).status_code == 201
        assert c.get("/v1/runs", headers={"x-padding": "z" * 1000}).status_code == 200


def test_every_response_carries_the_security_headers(server: ApiServer) -> None:
    with server.client() as c:
        responses = [c.get("/healthz"), c.get("/v1/runs"), c.get("/v1/runs/nope"), c.get("/openapi.json"),
                     c.post("/v1/runs", json={"pillar": "nope"}), c.get("/docs"),
                     c.post("/v1/runs", content=b"x" * 5000), httpx.get(f"{server.url}/v1/runs")]
    for r in responses:
        missing = [h for h in SECURITY_HEADERS if h not in r.headers]
        assert not missing, (r.request.url, r.status_code, missing)
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    assert responses[1].headers["cache-control"] == "no-store"
    assert "default-src 'none'" in responses[1].headers["content-security-policy"]
    assert "cdn.jsdelivr.net" in responses[5].headers["content-security-policy"]  # Swagger UI still loads


def test_rate_limits_answer_429_with_retry_after_and_recover(tmp_path: Path) -> None:
    other = "second-key-0123456789"
    s = start(tmp_path, XOPS_API_KEYS=f"{KEY},{other}", XOPS_API_RATE_LIMIT="5 per 3 seconds",
              XOPS_API_RUN_RATE_LIMIT="2/minute", XOPS_API_AUTH_FAILURE_LIMIT="3/minute")
    try:
        with s.client() as c, s.client(key=other) as d:
            codes = [c.get("/v1/runs").status_code for _ in range(8)]
            assert codes[:5] == [200] * 5 and codes[5:] == [429] * 3, codes
            limited = c.get("/v1/runs")
            body = problem(limited, 429)
            retry = int(limited.headers["retry-after"])
            assert 1 <= retry <= 3 and "5 per 3 seconds" in body["detail"] and f"retry after {retry} s" in body["hint"]
            assert d.get("/v1/runs").status_code == 200  # another key has its own budget
            time.sleep(retry + 0.5)
            assert c.get("/v1/runs").status_code == 200  # the window moved on: the key works again

            runs = [d.post("/v1/runs", json={"pillar": "finops"}).status_code for _ in range(3)]
            assert runs == [201, 201, 429], runs
            assert d.get("/v1/runs").status_code == 200  # the run budget does not stop reads
        bad = [httpx.get(f"{s.url}/v1/runs", headers={"Authorization": f"Bearer wrong-{i}"}) for i in range(5)]
        assert [r.status_code for r in bad] == [401, 401, 401, 429, 429]
        assert "retry-after" in bad[-1].headers
    finally:
        s.stop()


def test_keys_are_hashed_rotate_without_restart_and_expire(tmp_path: Path) -> None:
    old, new, gone = "old-key-0123456789", "new-key-9876543210", "expired-key-000000"
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": [
        {"id": "old", "sha256": key_hash(old)}, f"sha256:{key_hash(new)}",
        {"id": "gone", "key": gone, "not_after": "2020-01-01T00:00:00Z"}]}))
    env = api_env(clean_env(tmp_path) | AWS, tmp_path / "data", XOPS_API_KEYS_FILE=str(keys))
    env.pop("XOPS_API_KEYS")
    s = ApiServer(env, tmp_path / "api.log").start()
    try:
        assert s.client(key=old).get("/v1/runs").status_code == 200
        assert s.client(key=new).get("/v1/runs").status_code == 200  # both valid during the rollover
        body = problem(s.client(key=gone).get("/v1/runs"), 401)
        assert body["title"] == "API key expired" and "key gone was valid until 2020" in body["detail"]
        keys.write_text(json.dumps({"keys": [f"sha256:{key_hash(new)}"]}))  # the rollover is done
        deadline = time.monotonic() + 30
        while s.client(key=old).get("/v1/runs").status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert s.client(key=old).get("/v1/runs").status_code == 401  # refused, with no restart
        assert s.client(key=new).get("/v1/runs").status_code == 200
        with s.client(key=new) as c:
            records = c.get("/v1/audit", params={"action": "auth.refused"}).json()["records"]
            assert records and all("key_id" not in (r["scope"] or {}) for r in records)
            created = c.post("/v1/runs", json={"pillar": "finops"}).json()["run_id"]
            rec = c.get("/v1/audit", params={"run_id": created, "action": "run.created"}).json()["records"][0]
            assert rec["scope"]["key_id"] == f"key-{key_hash(new)[:8]}"  # which key did it, never the key
    finally:
        s.stop()
    listed = subprocess.run([XOPS, "api", "keys", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert f"key-{key_hash(new)[:8]}" in listed.stdout and "last used: 20" in listed.stdout
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert old.encode() not in data and new.encode() not in data  # stored hashed, never in clear


def verify(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([XOPS, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)


def test_audit_verify_detects_an_edited_and_a_deleted_record(tmp_path: Path) -> None:
    s = start(tmp_path)
    try:
        with s.client() as c:
            for _ in range(5):
                c.post("/v1/runs", json={"pillar": "finops", "question": "what is wasting money?"})
            c.get("/v1/runs/20261201T000000Z-000000/findings")
            httpx.get(f"{s.url}/v1/runs", headers={"Authorization": "Bearer wrong"})
            c.get("/v1/audit")
    finally:
        s.stop()
    env = s.env
    ok = verify(env)
    assert ok.returncode == 0 and "verified: the chain holds" in ok.stdout, ok.stdout + ok.stderr
    db = s.data_dir / "xops.db"
    n = sqlite3.connect(db).execute("SELECT count(*) FROM xops_audit").fetchone()[0]
    assert n == 6  # 5 run.created, 1 auth.refused

    with sqlite3.connect(db) as conn:  # an auditor's nightmare 1: a record quietly edited
        conn.execute("UPDATE xops_audit SET user = 'someone-else' WHERE seq = 2")
    edited = verify(env)
    assert edited.returncode == 20 and "record 2: content changed" in edited.stdout, edited.stdout
    assert "record 2: the store's copy differs from audit.jsonl" in edited.stdout

    with sqlite3.connect(db) as conn:  # 2: a record deleted (after putting the edit back)
        conn.execute("UPDATE xops_audit SET user = 'service' WHERE seq = 2")
    assert verify(env).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM xops_audit WHERE seq = 3")
    deleted = verify(env)
    assert deleted.returncode == 20 and "record 3: missing (deleted)" in deleted.stdout, deleted.stdout
    assert "record 4: does not follow the entry before it" in deleted.stdout

    with sqlite3.connect(db) as conn:  # 3: the newest records removed, head and all
        conn.execute(f"DELETE FROM xops_audit WHERE seq >= {n - 1}")
    tail = verify(env)
    assert tail.returncode == 20 and f"record(s) {n - 1}-{n}: missing" in tail.stdout, tail.stdout

    as_json = subprocess.run([XOPS, "audit", "verify", "--format", "json"], env=env, capture_output=True,
                             text=True, timeout=60)
    doc = json.loads(as_json.stdout)
    assert as_json.returncode == 20 and doc["ok"] is False and doc["head"] == n and doc["problems"]
    nothing = verify({**env, "XOPS_DATA_DIR": str(tmp_path / "elsewhere")})
    assert nothing.returncode == 20 and "no audit log here" in nothing.stderr


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_chain_holds_under_concurrent_writers(dialect: str, tmp_path: Path) -> None:
    from xops.api.audit import Audit
    from xops.api.audit_verify import verify_audit
    from xops.api.store import Store

    schema = new_pg_schema() if dialect == "postgresql" else None
    try:
        stores = [Store.open(schema.url if schema else None, tmp_path) for _ in range(2)]  # two "replicas"
        audits = [Audit(st, tmp_path / f"replica-{i}") for i, st in enumerate(stores)]

        def write(i: int) -> None:
            for n in range(40):
                audits[i % 2].record("findings.read", None, run_id=f"run-{i}", detail={"n": n})

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result = verify_audit(stores[0], tmp_path / "replica-0" / "audit" / "audit.jsonl")
        assert result.ok, result.problems
        assert result.records == result.chained == result.head == 160
    finally:
        if schema:
            drop_pg_schema(schema)
