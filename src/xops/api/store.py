"""The run store: runs, steps, events, findings and audit records behind one SQLAlchemy layer.

Two engines, one schema:
- SQLite under the data dir (the default; one replica). Writers take `BEGIN IMMEDIATE` so concurrent
  writers queue on the lock instead of failing half-way. The journal mode is chosen by where the file
  lives: WAL on a local disk, but rollback journal (DELETE) on NFS/EFS, where WAL's shared memory is unsafe.
- PostgreSQL (`XOPS_DATABASE_URL`) for 2-8 replicas: a step is claimed with `FOR UPDATE SKIP LOCKED`, so
  any replica can run or resume any run, and SSE readers read events from here, so a client may reconnect
  to another replica.

Event ids are a per-run sequence allocated by `UPDATE runs SET event_seq = event_seq + n ... RETURNING`,
inside the transaction that writes the events: the run row lock orders writers, so a reader never sees
event N+1 committed before event N (no gap for a client resuming with Last-Event-ID).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, create_engine

from xops.evidence.chain import GENESIS, link

log = logging.getLogger("xops.api.store")
T = TypeVar("T")
metadata = MetaData()

# Run states. `interrupted` runs are resumed by any replica; the last three are terminal.
QUEUED, RUNNING, INTERRUPTED, FINISHED, FAILED, CANCELLED = (
    "queued", "running", "interrupted", "finished", "failed", "cancelled")
TERMINAL = (FINISHED, FAILED, CANCELLED)
# Step states. Crew and summarise steps wait `blocked` until the steps before them are done.
PENDING, CLAIMED, DONE, BLOCKED, SKIPPED = "pending", "running", "done", "blocked", "skipped"

runs = Table(
    "xops_runs", metadata,
    Column("id", String(64), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("request", JSON, nullable=False),
    Column("identity", JSON, nullable=False),
    Column("cost_centres", JSON, nullable=True),  # None = unrestricted; else only findings tagged with these
    Column("scope", JSON, nullable=True),  # resolved accounts/regions/caller, set by the plan step
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("steps_total", Integer, nullable=False, default=0),
    Column("steps_done", Integer, nullable=False, default=0),
    Column("event_seq", Integer, nullable=False, default=0),
    Column("answer", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("evidence_dir", Text, nullable=True),
)

steps = Table(
    "xops_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), ForeignKey("xops_runs.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # plan | analyze | crew | summarise
    # Claimed first: plan 0, then crew and summarise 1 (finish started runs), then analyze 2.
    Column("priority", Integer, nullable=False, default=2),
    Column("analyzer_id", String(128), nullable=False, default=""),  # analyze: analyzer id; crew: task name
    Column("account_id", String(32), nullable=False, default=""),
    Column("region", String(32), nullable=False, default=""),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("run_id", "seq", name="uq_step_seq"),
    Index("ix_steps_claim", "state", "priority", "id"),
)

# The output of a crew step, written in the transaction that marks the step done: a resumed run reads it
# instead of running the task again.
step_outputs = Table(
    "xops_step_outputs", metadata,
    Column("run_id", String(64), ForeignKey("xops_runs.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("output", JSON, nullable=False),
)

events = Table(
    "xops_events", metadata,
    Column("run_id", String(64), ForeignKey("xops_runs.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("type", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

findings = Table(
    "xops_findings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), ForeignKey("xops_runs.id"), nullable=False),
    Column("analyzer_id", String(128), nullable=False),
    Column("account_id", String(32), nullable=False),
    Column("region", String(32), nullable=False),
    Column("resource_id", String(1024), nullable=False),
    Column("status", String(8), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("severity_rank", Integer, nullable=False),
    Column("est_monthly_usd", Float, nullable=True),
    Column("cost_centre", String(128), nullable=True),
    Column("data", JSON, nullable=False),
    UniqueConstraint("run_id", "analyzer_id", "account_id", "region", "resource_id", name="uq_finding"),
)

audit = Table(
    "xops_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(32), nullable=False),
    Column("user", String(256), nullable=False),
    Column("role", String(32), nullable=False),
    Column("run_id", String(64), nullable=True),
    Column("scope", JSON, nullable=False),
    Column("detail", JSON, nullable=False),
    # The hash chain (xops.evidence.chain): position, the previous record's hash, this record's hash.
    Column("seq", Integer, nullable=True, unique=True),
    Column("prev", String(64), nullable=True),
    Column("hash", String(64), nullable=True),
)

# The chain's head: the last record's position and hash, updated with every record under a row lock (so
# records of all replicas form one chain, and removing the newest records is detected too).
audit_head = Table(
    "xops_audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

# API keys seen: the id and sha256 of each (never the key), when first and last used.
api_keys = Table(
    "xops_api_keys", metadata,
    Column("id", String(64), primary_key=True),
    Column("first_used_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=False),
)
AUDIT_FIELDS = ("at", "action", "user", "role", "run_id", "scope", "detail")


def now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


# -- engines ------------------------------------------------------------------------------------------
NETWORK_FILESYSTEMS = {"nfs", "nfs4", "efs", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "lustre"}


def filesystem_type(path: Path, mounts: str | None = None) -> str:
    """The type of the file system holding `path` (longest mount point prefix in /proc/mounts)."""
    target = str(path.resolve())
    best, kind = "", ""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1].replace("\\040", " ")
        if (target == mount or target.startswith(mount.rstrip("/") + "/")) and len(mount) >= len(best):
            best, kind = mount, parts[2]
    return kind


def sqlite_journal_mode(path: Path) -> str:
    """WAL on local disks; DELETE on network file systems (WAL needs shared memory that NFS cannot give)."""
    forced = os.environ.get("XOPS_SQLITE_JOURNAL_MODE")
    if forced:
        return forced.upper()
    return "DELETE" if filesystem_type(path.parent) in NETWORK_FILESYSTEMS else "WAL"


def make_engine(database_url: str | None, data_dir: Path) -> Engine:
    if database_url:
        url = database_url.replace("postgresql://", "postgresql+psycopg://", 1) \
            if database_url.startswith("postgresql://") else database_url
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "xops.db"
    mode = sqlite_journal_mode(path)
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 60, "check_same_thread": False},
                           pool_size=20, max_overflow=40)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA journal_mode={mode}")
        cur.execute("PRAGMA synchronous=NORMAL" if mode == "WAL" else "PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("xops_read"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


RETRYABLE_SQLSTATES = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def retryable(exc: BaseException) -> bool:
    """A transaction PostgreSQL aborted to break a deadlock (or a serialization failure): it rolled back
    whole, and running it again is the documented remedy.

    Deadlocks can happen: a claim's `FOR UPDATE SKIP LOCKED` may keep the lock of a row it looked at and
    did not take (the row changed under it) while it waits for the run row, which a step's writer holds
    while it updates that same row."""
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def retrying(fn: Callable[[], T], what: str, attempts: int = 3) -> T:
    """Call `fn` (whole transactions only); call it again when the database aborted it (`retryable`)."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if not retryable(exc) or attempt == attempts:
                raise
            log.warning("transaction aborted by the database; running it again",
                        extra={"what": what, "attempt": attempt, "error": str(exc)[:200]})
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ClaimedStep:
    id: int
    run_id: str
    seq: int
    kind: str
    analyzer_id: str
    account_id: str
    region: str
    attempts: int


def step_info(step: ClaimedStep) -> dict[str, Any]:
    """What step.started / step.finished events say about a step."""
    info: dict[str, Any] = {"step": step.seq, "kind": step.kind}
    if step.kind == "analyze":
        info.update(analyzer_id=step.analyzer_id, account_id=step.account_id, region=step.region)
    elif step.kind == "crew":
        info["task"] = step.analyzer_id
    return info


class Store:
    """Every read and write of run state. Methods are small and transactional; callers never see SQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sqlite_writer = threading.Lock()
        metadata.create_all(engine)
        self._migrate()

    def _migrate(self) -> None:
        """Stores made before the audit chain: add its columns (older records stay unchained) and the head."""
        from sqlalchemy import inspect

        have = {c["name"] for c in inspect(self.engine).get_columns("xops_audit")}
        missing = [(n, k) for n, k in (("seq", "INTEGER"), ("prev", "VARCHAR(64)"), ("hash", "VARCHAR(64)"))
                   if n not in have]
        with self.read() as conn:
            head = conn.execute(select(audit_head.c.id).where(audit_head.c.id == 1)).first()
        if not missing and head is not None:
            return  # nothing to do: opening a store to read it (`xops audit verify`) writes nothing
        with self.write() as conn:
            for name, kind in missing:
                conn.exec_driver_sql(f"ALTER TABLE xops_audit ADD COLUMN {name} {kind}")
            conn.execute(self._insert_ignore(audit_head), [{"id": 1, "seq": 0, "hash": GENESIS}])

    @classmethod
    def open(cls, database_url: str | None, data_dir: Path) -> Store:
        return cls(make_engine(database_url, data_dir))

    def describe(self) -> str:
        if self.dialect == "sqlite":
            with self.read() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            return f"sqlite ({self.engine.url.database}, journal {mode})"
        return f"{self.dialect} ({self.engine.url.render_as_string(hide_password=True)})"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        if self.dialect == "sqlite":
            # One writer at a time in this process: waiting on a lock wakes at once, while SQLite's own
            # busy handler sleeps in growing steps (up to 100 ms) under contention.
            with self._sqlite_writer, self.engine.begin() as conn:
                yield conn
            return
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(xops_read=True) as conn, conn.begin():
            yield conn

    def _insert_ignore(self, table: Table) -> Any:
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()

    # -- runs -----------------------------------------------------------------------------------------
    def create_run(self, run_id: str, request: dict[str, Any], identity: dict[str, Any],
                   cost_centres: list[str] | None, audit_record: dict[str, Any] | None = None) -> None:
        """The run, its plan step, its run.queued event and (optionally) its audit record: one transaction."""
        t = now()
        with self.write() as conn:
            conn.execute(insert(runs).values(
                id=run_id, state=QUEUED, request=request, identity=identity, cost_centres=cost_centres,
                created_at=t, updated_at=t, steps_total=0, steps_done=0, event_seq=0))
            conn.execute(insert(steps).values(run_id=run_id, seq=0, kind="plan", priority=0, state=PENDING, attempts=0))
            self.append_events(conn, run_id, [("run.queued", {"run_id": run_id, "question": request.get("question")})])
            if audit_record is not None:  # last: the chain head's lock is held for the least time
                self.add_audit(audit_record, conn)

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self.read() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
        return _run_dict(row) if row else None

    def list_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.created_at.desc()).limit(limit)).mappings().all()
        return [_run_dict(r) for r in rows]

    def counts(self, run_id: str, cost_centres: list[str] | None) -> dict[str, Any]:
        q = select(findings.c.status, func.count(), func.coalesce(func.sum(findings.c.est_monthly_usd), 0.0)) \
            .where(findings.c.run_id == run_id).group_by(findings.c.status)
        if cost_centres is not None:
            q = q.where(findings.c.cost_centre.in_(cost_centres))
        with self.read() as conn:
            rows = conn.execute(q).all()
        out: dict[str, Any] = {"FAIL": 0, "PASS": 0, "ERROR": 0, "est_monthly_usd": 0.0}
        for status, n, usd in rows:
            out[status] = n
            if status == "FAIL":
                out["est_monthly_usd"] = round(float(usd), 2)
        return out

    # -- events ---------------------------------------------------------------------------------------
    def append_events(self, conn: Connection, run_id: str, items: Sequence[tuple[str, dict[str, Any]]]) -> list[int]:
        """Append events inside the caller's transaction; returns their ids (a per-run sequence)."""
        if not items:
            return []
        last = conn.execute(update(runs).where(runs.c.id == run_id)
                            .values(event_seq=runs.c.event_seq + len(items), updated_at=now())
                            .returning(runs.c.event_seq)).scalar_one()
        first = last - len(items) + 1
        t = now()
        conn.execute(insert(events), [
            {"run_id": run_id, "seq": first + i, "type": kind, "data": data, "created_at": t}
            for i, (kind, data) in enumerate(items)])
        return list(range(first, last + 1))

    def events_after(self, run_id: str, after: int, limit: int = 500) -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(select(events.c.seq, events.c.type, events.c.data)
                                .where(events.c.run_id == run_id, events.c.seq > after)
                                .order_by(events.c.seq).limit(limit)).all()
        return [{"id": r.seq, "type": r.type, "data": r.data} for r in rows]

    # -- steps ----------------------------------------------------------------------------------------
    def claim_step(self, worker: str) -> ClaimedStep | None:
        """Take the oldest pending step of any live run (row lock, SKIP LOCKED on PostgreSQL)."""
        live = select(runs.c.id).where(runs.c.state.in_((QUEUED, RUNNING, INTERRUPTED)))
        pick = (select(steps.c.id).where(steps.c.state == PENDING, steps.c.run_id.in_(live))
                .order_by(steps.c.priority, steps.c.id).limit(1).with_for_update(skip_locked=True))
        with self.write() as conn:
            row = conn.execute(update(steps).where(steps.c.id == pick.scalar_subquery())
                               .values(state=CLAIMED, claimed_by=worker, claimed_at=now(),
                                       attempts=steps.c.attempts + 1)
                               .returning(steps.c.id, steps.c.run_id, steps.c.seq, steps.c.kind,
                                          steps.c.analyzer_id, steps.c.account_id, steps.c.region,
                                          steps.c.attempts)).first()
            if row is None:
                return None
            claimed = ClaimedStep(*row)
            if claimed.kind != "plan":
                self.append_events(conn, claimed.run_id, [("step.started", step_info(claimed))])
            # Conditional flip: of two workers resuming the same run, only one gets the row back.
            resumed = conn.execute(update(runs).where(runs.c.id == claimed.run_id, runs.c.state == INTERRUPTED)
                                   .values(state=RUNNING, updated_at=now()).returning(runs.c.id)).first()
            if resumed is not None:
                self.append_events(conn, claimed.run_id, [("run.resumed", {"step": claimed.seq})])
        return claimed

    def release_step(self, step_id: int) -> None:
        """Give back a claimed step that did not finish by the drain deadline: it runs again, from scratch,
        here or elsewhere (its attempt still counts)."""
        with self.write() as conn:
            conn.execute(update(steps).where(steps.c.id == step_id, steps.c.state == CLAIMED)
                         .values(state=PENDING, claimed_by=None, claimed_at=None))

    def requeue_stale(self, older_than: timedelta) -> int:
        """Steps claimed longer ago than the lease (their replica died without draining) become pending."""
        cutoff = now() - older_than
        with self.write() as conn:
            res = conn.execute(update(steps).where(steps.c.state == CLAIMED, steps.c.claimed_at <= cutoff)
                               .values(state=PENDING, claimed_by=None, claimed_at=None))
        return res.rowcount or 0

    def add_steps(self, conn: Connection, run_id: str, planned: Sequence[dict[str, str]],
                  crew_tasks: Sequence[str] = ()) -> None:
        """Analyze steps (run concurrently), then crew steps, then summarise. Everything after the analyze
        steps waits `blocked` until the steps before it are done. The crew steps are the crew Flow's shape,
        a fan-out and a join: every crew task but the last (the routed crews' analyses) runs at once, and
        the last (the answer) waits for all of them."""
        rows = [{"run_id": run_id, "seq": i + 1, "kind": "analyze", "priority": 2, "state": PENDING, "attempts": 0,
                 **p} for i, p in enumerate(planned)]
        after = [("crew", t) for t in crew_tasks] + [("summarise", "")]
        for n, (kind, task) in enumerate(after):
            rows.append({"run_id": run_id, "seq": len(planned) + 1 + n, "kind": kind, "priority": 1,
                         "state": BLOCKED, "attempts": 0, "analyzer_id": task, "account_id": "", "region": ""})
        conn.execute(self._insert_ignore(steps), rows)
        if not planned:
            self._unblock_next(conn, run_id)

    def _unblock_next(self, conn: Connection, run_id: str) -> None:
        """Make the next blocked step(s) pending, unless a crew step is still open (the join waits for it).
        The crew's fan-out is unblocked together: every blocked crew step before the last crew step."""
        run_steps = select(steps.c.seq, steps.c.kind, steps.c.state).where(steps.c.run_id == run_id)
        rows = conn.execute(run_steps.order_by(steps.c.seq)).all()
        if any(r.kind == "crew" and r.state in (PENDING, CLAIMED) for r in rows):
            return
        blocked = [r for r in rows if r.state == BLOCKED]
        if not blocked:
            return
        first = blocked[0]
        last_crew = max((r.seq for r in rows if r.kind == "crew"), default=0)
        wave = [first.seq]
        if first.kind == "crew" and first.seq < last_crew:
            wave = [r.seq for r in blocked if r.kind == "crew" and r.seq < last_crew]
        conn.execute(update(steps).where(steps.c.run_id == run_id, steps.c.seq.in_(wave),
                                         steps.c.state == BLOCKED).values(state=PENDING))

    def skip_crew_steps(self, conn: Connection, run_id: str) -> None:
        """The LLM failed: the crew steps not started will not run; the summarise step may, once no crew step
        is running."""
        conn.execute(update(steps).where(steps.c.run_id == run_id, steps.c.kind == "crew",
                                         steps.c.state.in_((BLOCKED, PENDING))).values(state=SKIPPED))
        self._unblock_next(conn, run_id)

    def put_output(self, conn: Connection, run_id: str, seq: int, output: dict[str, Any]) -> None:
        conn.execute(self._insert_ignore(step_outputs), [{"run_id": run_id, "seq": seq, "output": output}])

    def outputs(self, conn: Connection, run_id: str) -> dict[int, dict[str, Any]]:
        rows = conn.execute(select(step_outputs.c.seq, step_outputs.c.output)
                            .where(step_outputs.c.run_id == run_id).order_by(step_outputs.c.seq)).all()
        return {r.seq: r.output for r in rows}

    def finish_step(self, conn: Connection, step: ClaimedStep) -> bool:
        """Mark a claimed step done; count it; after the last analyze step, and after a crew step, unblock
        what comes next (`_unblock_next`).

        Returns False when the step was no longer ours (released after a drain deadline): the caller
        must roll back.
        """
        res = conn.execute(update(steps).where(steps.c.id == step.id, steps.c.state == CLAIMED)
                           .values(state=DONE, finished_at=now()))
        if res.rowcount != 1:
            return False
        if step.kind == "analyze":
            done, total = conn.execute(update(runs).where(runs.c.id == step.run_id)
                                       .values(steps_done=runs.c.steps_done + 1)
                                       .returning(runs.c.steps_done, runs.c.steps_total)).one()
            if done >= total:
                self._unblock_next(conn, step.run_id)
        elif step.kind == "crew":
            self._unblock_next(conn, step.run_id)
        return True

    def step_states(self, run_id: str) -> list[dict[str, Any]]:
        with self.read() as conn:
            rows = conn.execute(select(steps).where(steps.c.run_id == run_id).order_by(steps.c.seq)).mappings().all()
        return [dict(r) for r in rows]

    def lock_run(self, conn: Connection, run_id: str) -> dict[str, Any]:
        q = select(runs).where(runs.c.id == run_id)
        if self.dialect == "postgresql":
            q = q.with_for_update()
        return dict(conn.execute(q).mappings().one())

    def set_run(self, conn: Connection, run_id: str, **values: Any) -> None:
        conn.execute(update(runs).where(runs.c.id == run_id).values(updated_at=now(), **values))

    def interrupt_unfinished(self, conn: Connection, run_ids: Sequence[str]) -> list[str]:
        """Runs among these that still have work: mark them interrupted. Returns their ids."""
        if not run_ids:
            return []
        open_steps = select(steps.c.run_id).where(steps.c.state.in_((PENDING, CLAIMED, BLOCKED)))
        rows = conn.execute(update(runs)
                            .where(runs.c.id.in_(run_ids), runs.c.state.in_((QUEUED, RUNNING)),
                                   runs.c.id.in_(open_steps))
                            .values(state=INTERRUPTED, updated_at=now()).returning(runs.c.id)).all()
        return [r[0] for r in rows]

    def cancel_steps(self, conn: Connection, run_id: str) -> None:
        conn.execute(update(steps).where(steps.c.run_id == run_id, steps.c.state.in_((PENDING, BLOCKED)))
                     .values(state=SKIPPED))

    def live_run_ids(self) -> list[str]:
        with self.read() as conn:
            return [r[0] for r in conn.execute(select(runs.c.id).where(runs.c.state.in_((QUEUED, RUNNING))))]

    # -- findings -------------------------------------------------------------------------------------
    def add_findings(self, conn: Connection, run_id: str, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            conn.execute(self._insert_ignore(findings), [{"run_id": run_id, **r} for r in rows])

    def query_findings(self, run_id: str, cost_centres: list[str] | None, *, status: str | None = None,
                       severity: str | None = None, analyzer_id: str | None = None, account_id: str | None = None,
                       region: str | None = None, offset: int = 0, limit: int = 100) -> tuple[int, list[dict[str, Any]]]:
        conds = [findings.c.run_id == run_id]
        if cost_centres is not None:
            conds.append(findings.c.cost_centre.in_(cost_centres))
        for col, value in ((findings.c.status, status), (findings.c.analyzer_id, analyzer_id),
                           (findings.c.account_id, account_id), (findings.c.region, region)):
            if value is not None:
                conds.append(col == value)
        if severity is not None:
            from xops.core.models import Severity
            conds.append(findings.c.severity_rank >= Severity(severity).rank)
        where = and_(*conds)
        with self.read() as conn:
            total = conn.execute(select(func.count()).select_from(findings).where(where)).scalar_one()
            rows = conn.execute(select(findings.c.data, findings.c.cost_centre).where(where)
                                .order_by(findings.c.status, findings.c.severity_rank.desc(),
                                          func.coalesce(findings.c.est_monthly_usd, 0.0).desc(), findings.c.id)
                                .offset(offset).limit(limit)).all()
        return total, [{**r.data, "cost_centre": r.cost_centre} for r in rows]

    def all_findings(self, conn: Connection, run_id: str) -> list[dict[str, Any]]:
        rows = conn.execute(select(findings.c.data).where(findings.c.run_id == run_id).order_by(findings.c.id)).all()
        return [r.data for r in rows]

    # -- audit ----------------------------------------------------------------------------------------
    def add_audit(self, record: dict[str, Any], conn: Connection | None = None) -> None:
        """Append one audit record to the chain (inside the caller's transaction when `conn` is given). The
        record gets its `seq`, `prev` and `hash` (so the JSON-lines copy carries them too)."""
        if conn is None:
            with self.write() as own:
                self.add_audit(record, own)
            return
        q = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
        if self.dialect == "postgresql":
            q = q.with_for_update()
        seq, prev = conn.execute(q).one()
        record.update(seq=seq + 1, prev=prev)
        record["hash"] = link(audit_body(record), prev)
        conn.execute(insert(audit).values(**record))
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=record["seq"], hash=record["hash"]))

    def audit_chain(self) -> tuple[list[dict[str, Any]], tuple[int, str]]:
        """Every audit record in order (chained ones by seq, older unchained ones first) and the chain's head."""
        with self.read() as conn:
            rows = conn.execute(select(audit).order_by(audit.c.seq.is_not(None), audit.c.seq, audit.c.id)).mappings().all()
            head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
        return [dict(r) for r in rows], (int(head.seq), str(head.hash))

    # -- API keys -------------------------------------------------------------------------------------
    def touch_key(self, key_id: str) -> None:
        """Record that a key was used now (its first use too)."""
        t = now()
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        stmt = dialect.insert(api_keys).values(id=key_id, first_used_at=t, last_used_at=t)
        with self.write() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"last_used_at": t}))

    def key_uses(self) -> dict[str, dict[str, datetime | None]]:
        with self.read() as conn:
            rows = conn.execute(select(api_keys)).mappings().all()
        return {r["id"]: {"first_used_at": _aware(r["first_used_at"]), "last_used_at": _aware(r["last_used_at"])}
                for r in rows}

    def query_audit(self, *, action: str | None, run_id: str | None, user: str | None,
                    offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        conds = []
        if action:
            conds.append(audit.c.action == action)
        if run_id:
            conds.append(audit.c.run_id == run_id)
        if user:
            conds.append(audit.c.user == user)
        where = and_(*conds) if conds else None
        count = select(func.count()).select_from(audit)
        rows_q = select(audit).order_by(audit.c.id).offset(offset).limit(limit)
        if where is not None:
            count, rows_q = count.where(where), rows_q.where(where)
        with self.read() as conn:
            total = conn.execute(count).scalar_one()
            rows = conn.execute(rows_q).mappings().all()
        return total, [{**dict(r), "at": _aware(r["at"]).astimezone(UTC).isoformat()} for r in rows]  # type: ignore[union-attr]


def audit_body(record: dict[str, Any]) -> dict[str, Any]:
    """What an audit record's hash covers: its position and fields, as JSON would hold them (UTC times)."""
    at = record["at"]
    if isinstance(at, datetime):
        at = (_aware(at) or at).astimezone(UTC).isoformat()
    body = {"seq": record["seq"], **{k: record[k] for k in AUDIT_FIELDS}, "at": at}
    return json.loads(json.dumps(body, default=str))


def _run_dict(row: Any) -> dict[str, Any]:
    d = dict(row)
    for key in ("created_at", "updated_at", "finished_at"):
        d[key] = _aware(d[key])
    return d


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str)
