"""The run store on both engines (SQLite file, real PostgreSQL): concurrent claims, event ids, idempotent
findings, stale claims, resume, and the SQLite journal mode chosen by file system."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import ProgrammingError

from tests.harness.api import drop_pg_schema, new_pg_schema
from xops.api import store as st
from xops.api.store import Store, filesystem_type, make_engine, sqlite_journal_mode


def _pg_store(tmp_path: Path) -> Iterator[Store]:
    schema = new_pg_schema()
    s = Store.open(schema.url, tmp_path)
    try:
        yield s
    finally:
        s.engine.dispose()
        drop_pg_schema(schema)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store.open(None, tmp_path)
        yield s
        s.engine.dispose()
        return
    yield from _pg_store(tmp_path)


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    yield from _pg_store(tmp_path)


def _run(store: Store, run_id: str, n_steps: int) -> None:
    store.create_run(run_id, {"scope": {}}, {"user": "t"}, None)
    with store.write() as conn:
        store.add_steps(conn, run_id, [{"analyzer_id": f"a{i}", "account_id": "1", "region": "r"}
                                       for i in range(n_steps)])
        store.set_run(conn, run_id, state=st.RUNNING, steps_total=n_steps)


def test_concurrent_workers_claim_each_step_exactly_once(store: Store) -> None:
    _run(store, "r1", 120)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (step := store.claim_step(name)) is not None:
            with lock:
                claimed.append(step.id)
            if step.kind == "analyze":
                with store.write() as conn:
                    assert store.finish_step(conn, step)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = Counter(claimed)
    assert set(counts.values()) == {1}
    # plan + 120 analyze steps + the summarise step (unblocked by the last analyze step)
    assert len(counts) == 122
    states = Counter(s["state"] for s in store.step_states("r1"))
    assert states == {"done": 120, "running": 2}  # plan and summarise were claimed, not finished here
    assert store.get_run("r1")["steps_done"] == 120


def test_event_ids_are_gapless_under_concurrent_writers(store: Store) -> None:
    _run(store, "r2", 1)

    def writer(n: int) -> None:
        for i in range(15):
            with store.write() as conn:
                store.append_events(conn, "r2", [("t", {"w": n, "i": i, "k": k}) for k in range(3)])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    evs = store.events_after("r2", 1, limit=1000)  # after run.queued
    assert [e["id"] for e in evs] == list(range(2, 6 * 15 * 3 + 2))
    # each batch is contiguous: a reader never sees half a batch, nor batches interleaved
    for start in range(0, len(evs), 3):
        batch = evs[start:start + 3]
        assert len({(e["data"]["w"], e["data"]["i"]) for e in batch}) == 1
    assert [e["id"] for e in store.events_after("r2", 200)] == list(range(201, 272))


def test_findings_are_unique_per_run_analyzer_account_region_resource(store: Store) -> None:
    _run(store, "r3", 1)
    row = {"analyzer_id": "finops.x", "account_id": "1", "region": "r", "resource_id": "vol-1", "status": "FAIL",
           "severity": "high", "severity_rank": 3, "est_monthly_usd": 5.0, "cost_centre": "platform",
           "data": {"analyzer_id": "finops.x", "resource_id": "vol-1"}}
    for _ in range(2):  # a step re-run after a crash writes the same findings again
        with store.write() as conn:
            store.add_findings(conn, "r3", [row, {**row, "resource_id": "vol-2"}])
    total, rows = store.query_findings("r3", None)
    assert total == 2
    assert store.query_findings("r3", ["payments"])[0] == 0
    assert store.counts("r3", ["platform"]) == {"FAIL": 2, "PASS": 0, "ERROR": 0, "est_monthly_usd": 10.0}


def test_stale_claims_are_requeued_and_interrupted_runs_resume_once(store: Store) -> None:
    _run(store, "r4", 4)
    plan = store.claim_step("dead-replica")
    first = store.claim_step("dead-replica")
    assert plan is not None and plan.kind == "plan" and first is not None
    assert store.requeue_stale(timedelta(hours=1)) == 0  # still within the lease
    assert store.requeue_stale(timedelta(0)) == 2
    with store.write() as conn:
        assert store.interrupt_unfinished(conn, ["r4"]) == ["r4"]
    assert store.get_run("r4")["state"] == st.INTERRUPTED
    got = [store.claim_step("new") for _ in range(3)]
    assert [s.id for s in got if s] == [plan.id, first.id, first.id + 1]
    assert store.get_run("r4")["state"] == st.RUNNING
    kinds = [e["type"] for e in store.events_after("r4", 0)]
    assert kinds.count("run.resumed") == 1 and kinds.count("step.started") == 3  # analyze steps, not the plan
    assert got[0].attempts == 2  # it had started on the dead replica
    store.release_step(got[2].id)  # the drain deadline passed: pending again, the attempt still counts
    again = next(s for s in store.step_states("r4") if s["id"] == got[2].id)
    assert again["state"] == "pending" and again["attempts"] == 1


def _crew_run(store: Store, run_id: str) -> None:
    store.create_run(run_id, {"scope": {}}, {"user": "t"}, None)
    with store.write() as conn:
        store.add_steps(conn, run_id, [{"analyzer_id": "a0", "account_id": "1", "region": "r"}],
                        ["finops_analysis", "devsecops_analysis", "compose_answer"])
        store.set_run(conn, run_id, state=st.RUNNING, steps_total=1)


def _states(store: Store, run_id: str) -> dict[str, str]:
    return {s["analyzer_id"] or s["kind"]: s["state"] for s in store.step_states(run_id) if s["kind"] != "analyze"}


def _finish(store: Store, step: st.ClaimedStep) -> None:
    with store.write() as conn:
        assert store.finish_step(conn, step)


def test_crew_steps_fan_out_then_join(store: Store) -> None:
    _crew_run(store, "r5")
    claims = [store.claim_step("w"), store.claim_step("w")]
    assert [c.kind for c in claims if c] == ["plan", "analyze"]
    assert store.claim_step("w") is None  # the crew waits for the analyze steps
    _finish(store, claims[1])
    finops, devsecops = store.claim_step("w"), store.claim_step("w")  # both crews at once
    assert finops and devsecops and {finops.analyzer_id, devsecops.analyzer_id} == {"finops_analysis",
                                                                                    "devsecops_analysis"}
    assert store.claim_step("w") is None  # the answer waits for both
    _finish(store, finops)
    assert _states(store, "r5")["compose_answer"] == "blocked" and store.claim_step("w") is None
    _finish(store, devsecops)
    compose = store.claim_step("w")
    assert compose is not None and compose.analyzer_id == "compose_answer"
    assert _states(store, "r5")["summarise"] == "blocked"
    _finish(store, compose)
    last = store.claim_step("w")
    assert last is not None and last.kind == "summarise"


def test_a_failed_crew_skips_the_answer_and_summarises_after_its_sibling(store: Store) -> None:
    _crew_run(store, "r6")
    store.claim_step("w")
    _finish(store, store.claim_step("w"))  # the analyze step
    failed, sibling = store.claim_step("w"), store.claim_step("w")
    assert failed and sibling
    with store.write() as conn:
        assert store.finish_step(conn, failed)
        store.skip_crew_steps(conn, "r6")
    assert _states(store, "r6") == {"plan": "running", failed.analyzer_id: "done", sibling.analyzer_id: "running",
                                    "compose_answer": "skipped", "summarise": "blocked"}
    assert store.claim_step("w") is None  # no summary while a crew step still runs
    _finish(store, sibling)
    last = store.claim_step("w")
    assert last is not None and last.kind == "summarise"


def _real_deadlock(store: Store) -> Exception:
    """Two transactions that lock two step rows in opposite orders: PostgreSQL aborts one of them."""
    _run(store, "dl", 2)
    ids = [s["id"] for s in store.step_states("dl") if s["kind"] == "analyze"]
    barrier, errors = threading.Barrier(2), []

    def lock(first: int, second: int) -> None:
        try:
            with store.write() as conn:
                conn.execute(update(st.steps).where(st.steps.c.id == first).values(claimed_by="x"))
                barrier.wait(timeout=10)
                conn.execute(update(st.steps).where(st.steps.c.id == second).values(claimed_by="x"))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lock, args=pair) for pair in ((ids[0], ids[1]), (ids[1], ids[0]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 1, errors
    return errors[0]


def test_a_transaction_aborted_by_a_deadlock_is_run_again(pg_store: Store) -> None:
    store = pg_store  # SQLite has one writer at a time: no deadlock there
    deadlock = _real_deadlock(store)
    assert st.retryable(deadlock)
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise deadlock
        return "done"

    assert st.retrying(flaky, what="test") == "done" and len(calls) == 2
    calls.clear()

    def always() -> str:
        calls.append(1)
        raise deadlock

    with pytest.raises(type(deadlock)):
        st.retrying(always, what="test", attempts=3)
    assert len(calls) == 3
    with pytest.raises(ProgrammingError) as bad, store.write() as conn:
        conn.exec_driver_sql("SELECT * FROM no_such_table")
    assert not st.retryable(bad.value)  # other errors are not retried


def test_sqlite_journal_mode_follows_the_file_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mounts = "overlay / overlay rw 0 0\n127.0.0.1:/ /mnt/efs nfs4 rw 0 0\n/dev/sda1 /mnt/efs/local ext4 rw 0 0\n"
    assert filesystem_type(Path("/mnt/efs/xops/x.db"), mounts) == "nfs4"
    assert filesystem_type(Path("/mnt/efs/local/x.db"), mounts) == "ext4"
    assert filesystem_type(Path("/srv/x.db"), mounts) == "overlay"
    monkeypatch.setattr(st, "filesystem_type", lambda path, mounts=None: "nfs4")
    assert sqlite_journal_mode(tmp_path / "x.db") == "DELETE"
    nfs = Store(make_engine(None, tmp_path / "nfs"))
    assert "journal delete" in nfs.describe()
    monkeypatch.setattr(st, "filesystem_type", lambda path, mounts=None: "ext4")
    local = Store(make_engine(None, tmp_path / "local"))
    assert "journal wal" in local.describe()
    monkeypatch.setenv("XOPS_SQLITE_JOURNAL_MODE", "truncate")
    assert sqlite_journal_mode(tmp_path / "x.db") == "TRUNCATE"
