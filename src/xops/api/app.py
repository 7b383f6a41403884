"""The Runbooks API (FastAPI): runs, their SSE event streams, findings, evidence, analyzers, audit.

`create_app()` wires the store, engine, audit and event bus from `ApiSettings`; `xops api serve` runs it
under uvicorn with the SIGTERM drain (`xops.api.server`).
"""


import asyncio
import io
import json
import re
import time
import zipfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

from fastapi import Depends, FastAPI, Header, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from xops import __version__
from xops.answer.related import enabled as knowledge_enabled
from xops.answer.related import ready as knowledge_ready
from xops.answer.related import start_warm_up
from xops.api import problems
from xops.api import store as st
from xops.api.audit import Audit
from xops.api.auth import AuthError, Identity, check_key, identify, may_read
from xops.api.bus import EventBus
from xops.api.engine import RunEngine, RunRequest
from xops.api.guard import Guard, Limited, RateLimiter
from xops.api.keys import KeyRing
from xops.api.problems import Problem
from xops.api.settings import ApiSettings
from xops.api.store import Store
from xops.api.telemetry import tracer
from xops.core.errors import UsageError
from xops.core.models import Severity

TERMINAL_EVENTS = ("run.finished", "run.failed", "run.cancelled")
EVIDENCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
RETRY_AFTER_SECONDS = 30
KEY_TOUCH_SECONDS = 60.0  # a key's last-used time is written at most this often per replica


# -- response models ------------------------------------------------------------------------------------
class RunCreated(BaseModel):
    run_id: str
    state: str
    events: str = Field(description="SSE stream of this run")


class Progress(BaseModel):
    done: int
    total: int


class RunView(BaseModel):
    id: str
    state: Literal["queued", "running", "interrupted", "finished", "failed", "cancelled"]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    owner: str
    request: dict[str, Any]
    scope: dict[str, Any] | None
    progress: Progress
    counts: dict[str, Any]
    answer: str | None
    error: str | None
    evidence: list[str]
    steps: list[dict[str, Any]] | None = None


class FindingsPage(BaseModel):
    total: int
    offset: int
    limit: int
    findings: list[dict[str, Any]]


class AuditPage(BaseModel):
    total: int
    offset: int
    limit: int
    records: list[dict[str, Any]]


class ApprovalRequest(BaseModel):
    model_config = {"extra": "forbid"}

    run_id: str = Field(min_length=1, max_length=64)
    analyzer_id: str = Field(min_length=1, max_length=128)
    resource_id: str = Field(min_length=1, max_length=1024)
    note: str = Field("", max_length=2000)


class Approval(BaseModel):
    status: Literal["approved"]
    run_id: str
    analyzer_id: str
    resource_id: str
    remediation: str
    by: str


def sse_frame(ev: dict[str, Any]) -> str:
    return f"id: {ev['id']}\nevent: {ev['type']}\ndata: {json.dumps(ev['data'], default=str)}\n\n"


def analyzer_json(a: Any) -> dict[str, Any]:
    return {**a.meta.model_dump(mode="json"), "params": a.Params.model_json_schema()}


GUARD_CODES = (413, 429, 431)  # every route: body too large, rate limited (Retry-After), headers too large


def _problem_doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"description": "problem+json", "content": {"application/problem+json": {}}}
            for c in sorted({*codes, *GUARD_CODES})}


def create_app(settings: ApiSettings, *, store: Store | None = None) -> FastAPI:
    store = store or Store.open(settings.database_url, settings.data_dir)
    bus = EventBus()
    audit = Audit(store, settings.data_dir)
    engine = RunEngine(store, settings, bus, audit)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        bus.bind(asyncio.get_running_loop())
        engine.start()
        start_warm_up()
        try:
            yield
        finally:
            if not engine.draining:
                await run_in_threadpool(engine.drain, 0.0)
            engine.stop()

    app = FastAPI(title="xOps Runbooks API", version=__version__, lifespan=lifespan,
                  description="Runs of read-only AWS analyzers with streamed progress, findings and evidence. "
                              "Every /v1 route needs `Authorization: Bearer <key>`; errors are problem+json.")
    keyring = KeyRing(settings.api_keys, settings.api_keys_path)
    limiter = RateLimiter(settings.rate_limit, settings.run_rate_limit, settings.auth_failure_limit,
                          settings.rate_limit_storage)
    touched: dict[str, float] = {}
    app.state.engine, app.state.store, app.state.audit, app.state.bus = engine, store, audit, bus
    app.state.keyring, app.state.limiter = keyring, limiter
    problems.install(app)

    @app.middleware("http")
    async def _span(request: Request, call_next: Any) -> Any:
        with tracer().start_as_current_span("http.request", attributes={
                "http.method": request.method, "http.target": request.url.path}) as span:
            response = await call_next(request)
            span.set_attribute("http.status_code", response.status_code)
            return response

    # outermost: size limits and security headers for every response, errors and docs included
    app.add_middleware(Guard, max_body_bytes=settings.max_body_bytes, max_header_bytes=settings.max_header_bytes)

    def too_many(exc: Limited, who: str) -> Problem:
        return Problem(429, "too many requests", f"{who} has used its budget of {exc.limit} ({exc.what})",
                       f"retry after {exc.retry_after} s; an admin sets XOPS_API_RATE_LIMIT / "
                       "XOPS_API_RUN_RATE_LIMIT", headers={"Retry-After": str(exc.retry_after)})

    def touch(key_id: str) -> None:
        now = time.monotonic()
        if now - touched.get(key_id, -KEY_TOUCH_SECONDS) >= KEY_TOUCH_SECONDS:
            touched[key_id] = now
            try:
                store.touch_key(key_id)
            except Exception:  # bookkeeping: never refuse a request because of it
                problems.log.warning("could not record the key's last use", extra={"key_id": key_id})

    bearer = HTTPBearer(auto_error=False, description="An xOps API key (XOPS_API_KEYS)")

    def caller(request: Request, _: Annotated[Any, Security(bearer)] = None) -> Identity:
        client = request.client.host if request.client else "unknown"
        try:
            key = check_key(keyring, request.headers.get("authorization"))
        except AuthError as exc:
            try:
                limiter.hit("auth_failures", client)
            except Limited as lim:
                raise too_many(lim, f"client {client}") from None
            refuse(request, exc)
        try:
            limiter.hit("requests", key.id)
        except Limited as lim:
            raise too_many(lim, f"API key {key.id}") from None
        touch(key.id)
        try:
            ident = identify(settings, {k.lower(): v for k, v in request.headers.items()})
        except AuthError as exc:
            refuse(request, exc)
        return ident.model_copy(update={"key_id": key.id})

    def refuse(request: Request, exc: AuthError) -> NoReturn:
        action = "auth.refused" if exc.status == 401 else "scope.refused"
        user = request.headers.get("x-openwebui-user-email") or request.headers.get("x-openwebui-user-id") or None
        audit.record(action, None, user=user, detail={"path": request.url.path, "reason": exc.title})
        raise Problem(exc.status, exc.title, exc.detail,
                      headers={"WWW-Authenticate": "Bearer"} if exc.status == 401 else None) from None

    Caller = Annotated[Identity, Depends(caller)]

    def readable_run(run_id: str, ident: Identity) -> dict[str, Any]:
        run = store.get_run(run_id)
        if run is None or not may_read(ident, run["identity"].get("user", ""), run["cost_centres"]):
            raise Problem(404, "unknown run", f"no run {run_id!r} is visible to you",
                          "list your runs with GET /v1/runs; run ids look like 20261201T103000Z-1a2b3c")
        return run

    def visible_centres(ident: Identity, run: dict[str, Any]) -> list[str] | None:
        if ident.cost_centres is None:
            return run["cost_centres"]
        return sorted(set(ident.cost_centres) & set(run["cost_centres"] or ident.cost_centres))

    def run_view(run: dict[str, Any], ident: Identity, with_steps: bool) -> RunView:
        evidence = []
        if run["evidence_dir"]:
            folder = Path(run["evidence_dir"])
            evidence = sorted(p.name for p in folder.iterdir() if p.is_file()) + ["evidence.zip"]
        return RunView(
            id=run["id"], state=run["state"], created_at=run["created_at"], updated_at=run["updated_at"],
            finished_at=run["finished_at"], owner=run["identity"].get("user", ""), request=run["request"],
            scope=run["scope"], progress=Progress(done=run["steps_done"], total=run["steps_total"]),
            counts=store.counts(run["id"], visible_centres(ident, run)), answer=run["answer"], error=run["error"],
            evidence=evidence, steps=store.step_states(run["id"]) if with_steps else None)

    # -- health ---------------------------------------------------------------------------------------
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["health"], responses=_problem_doc(503))
    def readyz() -> dict[str, str]:
        """Readiness: the store answers and this replica is not draining."""
        if engine.draining:
            raise Problem(503, "draining", "this replica is shutting down", "retry on another replica",
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        try:
            store.list_runs(limit=1)
        except Exception as exc:
            raise Problem(503, "store unavailable", f"the run store does not answer: {exc}",
                          "check XOPS_DATABASE_URL / the data dir") from exc
        knowledge = "ready" if knowledge_ready() else ("warming" if knowledge_enabled() else "off")
        return {"status": "ready", "store": store.dialect, "knowledge": knowledge}

    # -- analyzers ------------------------------------------------------------------------------------
    @app.get("/v1/analyzers", tags=["analyzers"], responses=_problem_doc(401, 422))
    def analyzers(_: Caller, pillar: Literal["finops", "cloudops", "devsecops"] | None = None,
                  service: Annotated[str | None, Query(max_length=64, description="AWS service, e.g. s3")] = None,
                  resource_type: Annotated[str | None, Query(max_length=128, description="e.g. AWS::S3::Bucket")] = None,
                  severity: Annotated[Severity | None, Query(description="this severity or higher")] = None,
                  framework: Annotated[str | None, Query(max_length=64)] = None,
                  q: Annotated[str | None, Query(max_length=200, description="free text (title, risk, service)")] = None,
                  ) -> list[dict[str, Any]]:
        """The analyzers of the catalogue matching every filter given, with their metadata and parameter schema."""
        from xops.core import registry

        chosen = registry.catalogue().select(pillar=pillar, service=service, resource_type=resource_type,
                                             framework=framework, severity=severity.value if severity else None, query=q)
        return [analyzer_json(a) for a in chosen]

    @app.get("/v1/analyzers/{analyzer_id}", tags=["analyzers"], responses=_problem_doc(401, 404))
    def analyzer(_: Caller, analyzer_id: Annotated[str, PathParam(max_length=128)]) -> dict[str, Any]:
        """One analyzer: its metadata, parameter schema and the framework requirements it maps to."""
        from xops.compliance.mapping import list_frameworks, load_framework
        from xops.core import registry

        try:
            a = registry.get(analyzer_id)
        except UsageError as exc:
            raise Problem(404, "no such analyzer", exc.message, exc.hint) from None
        mapped = [{"framework": fw, "requirement": r.id, "title": r.title}
                  for fw in list_frameworks() for r in load_framework(fw).requirements if a.meta.id in r.analyzers]
        return {**analyzer_json(a), "frameworks": mapped}

    # -- runs -----------------------------------------------------------------------------------------
    @app.post("/v1/runs", status_code=201, tags=["runs"], response_model=RunCreated,
              responses=_problem_doc(401, 403, 422, 503))
    def create_run(body: RunRequest, ident: Caller) -> RunCreated:
        """Start a run of analyzers (a pillar, ids, a framework, or all) over a scope. Returns at once."""
        try:
            limiter.hit("runs", ident.key_id)
        except Limited as lim:
            raise too_many(lim, f"API key {ident.key_id}") from None
        if engine.draining:
            raise Problem(503, "draining", "this replica is shutting down and takes no new runs",
                          f"retry in {RETRY_AFTER_SECONDS} s (another replica, or this one after restart)",
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        run_id = engine.submit(body, ident)
        return RunCreated(run_id=run_id, state=st.QUEUED, events=f"/v1/runs/{run_id}/events")

    @app.get("/v1/runs", tags=["runs"], responses=_problem_doc(401))
    def list_runs(ident: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[dict[str, Any]]:
        """Recent runs visible to the caller."""
        out = []
        for run in store.list_runs(limit=limit * 4):
            if may_read(ident, run["identity"].get("user", ""), run["cost_centres"]):
                out.append({"id": run["id"], "state": run["state"], "created_at": run["created_at"],
                            "owner": run["identity"].get("user", ""), "question": run["request"].get("question")})
        return out[:limit]

    @app.get("/v1/runs/{run_id}", tags=["runs"], response_model=RunView, responses=_problem_doc(401, 404))
    def get_run(run_id: str, ident: Caller, steps: bool = False) -> RunView:
        """State, progress, counts, the answer and the evidence files of one run."""
        return run_view(readable_run(run_id, ident), ident, steps)

    @app.get("/v1/runs/{run_id}/findings", tags=["runs"], response_model=FindingsPage,
             responses=_problem_doc(401, 404, 422))
    def run_findings(
        run_id: str, ident: Caller,
        status: Literal["FAIL", "PASS", "ERROR"] | None = None,
        severity: Annotated[Severity | None, Query(description="this severity or higher")] = None,
        analyzer: Annotated[str | None, Query(max_length=128)] = None,
        account: Annotated[str | None, Query(max_length=32)] = None,
        region: Annotated[str | None, Query(max_length=32)] = None,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> FindingsPage:
        """Findings of a run, most important first; filter and page with the query parameters."""
        run = readable_run(run_id, ident)
        total, rows = store.query_findings(run_id, visible_centres(ident, run), status=status,
                                           severity=severity.value if severity else None, analyzer_id=analyzer,
                                           account_id=account, region=region, offset=offset, limit=limit)
        audit.record("findings.read", ident, run_id=run_id, detail={"returned": len(rows), "total": total})
        return FindingsPage(total=total, offset=offset, limit=limit, findings=rows)

    @app.post("/v1/runs/{run_id}/cancel", tags=["runs"], responses=_problem_doc(401, 404))
    def cancel_run(run_id: str, ident: Caller) -> dict[str, str]:
        """Cancel a run: pending steps are skipped; steps already running finish."""
        readable_run(run_id, ident)
        return {"run_id": run_id, "state": engine.cancel(run_id, ident)}

    @app.get("/v1/runs/{run_id}/events", tags=["runs"], responses={
        200: {"description": "text/event-stream", "content": {"text/event-stream": {}}}, **_problem_doc(401, 404, 422)})
    async def run_events(
        run_id: str, ident: Caller, request: Request,
        last_event_id: Annotated[int | None, Header(ge=0, alias="Last-Event-ID")] = None,
        after: Annotated[int | None, Query(ge=0, description="same as the Last-Event-ID header")] = None,
    ) -> StreamingResponse:
        """Server-Sent Events of a run (ids are a per-run sequence). Reconnect with `Last-Event-ID` to continue
        with no gap and no duplicate, on this replica or another. Types: run.started, step.started,
        step.progress {done,total}, step.finished, finding, answer.delta, run.interrupted, run.resumed,
        run.finished, run.failed, run.cancelled. The stream ends after a terminal event."""
        await run_in_threadpool(readable_run, run_id, ident)
        start = last_event_id if last_event_id is not None else (after or 0)
        return StreamingResponse(_sse(run_id, start), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def _sse(run_id: str, last: int) -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        beat = time.monotonic()
        while True:
            drained = engine.drained.is_set()  # read before the events: the drain's own events are flushed
            rows = await run_in_threadpool(store.events_after, run_id, last)
            for ev in rows:
                last = ev["id"]
                yield sse_frame(ev)
                if ev["type"] in TERMINAL_EVENTS:
                    return
            if rows:
                continue
            if drained:
                yield ": this replica stopped; reconnect with Last-Event-ID to continue\n\n"
                return
            run = await run_in_threadpool(store.get_run, run_id)
            if run is None:
                return
            if run["state"] in st.TERMINAL:  # its terminal event committed with the state: read once more
                for ev in await run_in_threadpool(store.events_after, run_id, last):
                    yield sse_frame(ev)
                return
            if time.monotonic() - beat > 15:
                beat = time.monotonic()
                yield ": keep-alive\n\n"
            await bus.wait(run_id)

    # -- evidence -------------------------------------------------------------------------------------
    @app.get("/v1/runs/{run_id}/evidence/{name:path}", tags=["evidence"], responses={
        200: {"description": "the file (or evidence.zip: the whole folder with its manifest)"},
        **_problem_doc(400, 401, 404)})
    def evidence(run_id: str, name: str, ident: Caller) -> Response:
        """One evidence file of a finished run, or `evidence.zip` with every file and the manifest."""
        run = readable_run(run_id, ident)
        if not EVIDENCE_NAME.match(name):
            audit.record("evidence.refused", ident, run_id=run_id, detail={"name": name[:200]})
            raise Problem(400, "invalid evidence name", f"{name[:200]!r} is not an evidence file name",
                          "use a plain file name from GET /v1/runs/{id} 'evidence' (no folders, no '..')")
        if not run["evidence_dir"]:
            raise Problem(404, "no evidence yet", f"run {run_id} has state {run['state']}; evidence is written "
                          "when it finishes", "wait for the run.finished event")
        folder = Path(run["evidence_dir"]).resolve()
        if name == "evidence.zip":
            audit.record("evidence.read", ident, run_id=run_id, detail={"name": name})
            return Response(_zip(folder), media_type="application/zip",
                            headers={"Content-Disposition": f'attachment; filename="{run_id}.zip"'})
        path = folder / name
        if path.is_symlink() or not path.is_file() or path.resolve().parent != folder:
            audit.record("evidence.refused", ident, run_id=run_id, detail={"name": name})
            raise Problem(404, "no such evidence file", f"run {run_id} has no evidence file {name!r}",
                          "the files are listed in GET /v1/runs/{id} under 'evidence'")
        audit.record("evidence.read", ident, run_id=run_id, detail={"name": name})
        media = {".json": "application/json", ".csv": "text/csv", ".md": "text/markdown"}.get(path.suffix)
        return FileResponse(path, media_type=media or "application/octet-stream", filename=name)

    def _zip(folder: Path) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(_files(folder)):
                zf.write(p, f"{folder.name}/{p.name}")
        return buf.getvalue()

    def _files(folder: Path) -> Iterator[Path]:
        return (p for p in folder.iterdir() if p.is_file() and not p.is_symlink())

    # -- approvals and audit ----------------------------------------------------------------------------
    @app.post("/v1/approvals", status_code=201, tags=["approvals"], response_model=Approval,
              responses=_problem_doc(401, 403, 404, 422))
    def approve(body: ApprovalRequest, ident: Caller) -> Approval:
        """Approve the remediation of one finding. Refused unless an admin enabled writes (XOPS_ALLOW_WRITES).
        The approval is recorded in the audit; xOps itself never changes the account."""
        run = readable_run(body.run_id, ident)
        if not settings.allow_writes:
            audit.record("approval.refused", ident, run_id=run["id"], detail=body.model_dump())
            raise Problem(403, "writes are disabled", "remediation approvals are off on this server",
                          "an admin must set XOPS_ALLOW_WRITES=true to allow approvals")
        total, rows = store.query_findings(run["id"], visible_centres(ident, run), analyzer_id=body.analyzer_id,
                                           status="FAIL", limit=1000)
        match = next((f for f in rows if f["resource_id"] == body.resource_id), None)
        if match is None:
            raise Problem(404, "no such finding", f"run {run['id']} has no FAIL of {body.analyzer_id} for "
                          f"{body.resource_id!r}", "pick a finding from GET /v1/runs/{id}/findings?status=FAIL")
        from xops.core import registry

        meta = registry.get(body.analyzer_id).meta
        cli = meta.remediation.cli_for(match["resource_id"], match["region"], match["account_id"])
        audit.record("approval.requested", ident, run_id=run["id"], detail={**body.model_dump(), "remediation": cli})
        return Approval(status="approved", run_id=run["id"], analyzer_id=body.analyzer_id,
                        resource_id=body.resource_id, remediation=cli, by=ident.user)

    @app.get("/v1/audit", tags=["audit"], response_model=AuditPage, responses=_problem_doc(401, 403))
    def audit_log(
        ident: Caller,
        action: Annotated[str | None, Query(max_length=64)] = None,
        run_id: Annotated[str | None, Query(max_length=64)] = None,
        user: Annotated[str | None, Query(max_length=256)] = None,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> AuditPage:
        """Audit records, oldest first (admins only)."""
        if not ident.admin:
            audit.record("audit.refused", ident)
            raise Problem(403, "admins only", "the audit log is for admins", "ask an Open WebUI admin")
        total, rows = store.query_audit(action=action, run_id=run_id, user=user, offset=offset, limit=limit)
        return AuditPage(total=total, offset=offset, limit=limit, records=rows)

    # -- chat audit (the Open WebUI audit filter) --------------------------------------------------------
    class ChatAudit(BaseModel):
        model_config = {"extra": "forbid"}

        model: str = Field(max_length=256)
        prompt_sha256: str = Field(pattern="^[0-9a-f]{64}$")
        tool_ids: list[Annotated[str, Field(max_length=256)]] = Field(default_factory=list, max_length=100)
        tool_calls: list[Annotated[str, Field(max_length=256)]] = Field(default_factory=list, max_length=200)
        latency_ms: float | None = Field(None, ge=0)
        chat_id: str = Field("", max_length=128)
        message_id: str = Field("", max_length=128)

    @app.post("/v1/audit/chat", status_code=201, tags=["audit"], responses=_problem_doc(401, 403, 422))
    def audit_chat(body: ChatAudit, ident: Caller) -> dict[str, str]:
        """Record one Open WebUI chat as audit action `chat`: user (from the identity headers), model, the
        sha256 of the prompt (never the prompt), tool calls and latency."""
        audit.record("chat", ident, detail=body.model_dump())
        return {"status": "recorded"}

    return app

