"""The run engine: a run is a plan of idempotent steps, claimed and run by worker threads of any replica.

Steps: `plan` (who am I, accounts, regions -> one `analyze` step per analyzer × account × region, one
`crew` step per task of the crew Flow when an LLM answers, then one `summarise` step), `analyze` (one
analyzer for one target: findings + events in one transaction, so a step is either wholly done or not at
all), `crew` (one task of `xops.crews.flow.CrewFlow`, resumed from the outputs of the earlier crew steps),
`summarise` (evidence folder + the crew's answer, or the deterministic one).

Secrets never go further than the analyzer that read them: findings are masked (`xops.security.secrets`) before
they are stored, so the events, the findings API, the evidence, the crews' LLM prompts and the answer only ever
see `[REDACTED:<kind>]`; so are the question (before it is stored, audited or sent to an LLM), the crews'
outputs and every error message.

SIGTERM (Fargate Spot): `drain` stops claiming, lets in-flight steps finish until the deadline, gives
back any that did not, and marks unfinished runs `interrupted`. Any replica (this one after a restart,
or another) resumes them from their first incomplete step: done steps are never run again.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import socket
import threading
import time
from datetime import timedelta
from typing import Any, cast

from pydantic import BaseModel, Field, ValidationError

from xops.answer.markdown import answer_markdown
from xops.answer.related import related_playbooks, remember_run
from xops.answer.router import Route
from xops.answer.router import route as route_question
from xops.api import store as st
from xops.api.audit import Audit
from xops.api.auth import Identity
from xops.api.bus import EventBus
from xops.api.settings import ApiSettings
from xops.api.store import ClaimedStep, Store
from xops.api.tags import cost_centres
from xops.api.telemetry import tracer
from xops.core import registry
from xops.core.aws import AwsContext, Target
from xops.core.contexts import ContextPool
from xops.core.errors import UsageError, XopsError
from xops.core.models import PILLARS, Finding, Pillar, Status
from xops.core.scan import (
    ScanRequest,
    ScanResult,
    Step,
    new_run_id,
    plan,
    prepare,
    resolve_analyzers,
    run_step,
    sort_findings,
)
from xops.core.scope import Scope
from xops.crews import config as crew_config
from xops.crews.runner import TaskOutput
from xops.llm.settings import load_llm_settings
from xops.security.secrets import redact, redact_finding, redact_value
from xops.security.untrusted import inert_markdown

log = logging.getLogger("xops.api.engine")
ANSWER_CHUNK = 400  # characters per answer.delta event


class RunRequest(BaseModel):
    """What to run. Analyzers come from `analyzers`, a `pillar`, a `framework`, or (none given) all."""

    model_config = {"extra": "forbid"}

    pillar: Pillar | None = None
    service: str | None = Field(None, max_length=64)
    analyzers: list[str] = Field(default_factory=list, max_length=1000)
    framework: str | None = Field(None, max_length=64)
    question: str | None = Field(None, max_length=4000)
    scope: Scope = Field(default_factory=Scope)
    params: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Parameters per analyzer id")
    mode: str = Field("auto", pattern="^(auto|deterministic|crew)$",
                      description="auto: crews when an LLM is configured, else deterministic")

    def scan_request(self) -> ScanRequest:
        return ScanRequest(analyzer_ids=self.analyzers, pillar=self.pillar, service=self.service,
                           framework=self.framework, params=self.params)


def validate_request(req: RunRequest) -> None:
    """Everything that can be checked without AWS: the scope (by its model), analyzers, framework, parameters."""
    if req.framework:
        from xops.compliance.mapping import list_frameworks

        if req.framework not in list_frameworks():
            raise UsageError(f"framework: unknown framework {req.framework!r}",
                             f"use one of: {', '.join(list_frameworks())}")
    prepare(req.scan_request())


class StepLost(Exception):
    """The step was given back (drain deadline) while we ran it: our result is discarded."""


class RunEngine:
    def __init__(self, store: Store, settings: ApiSettings, bus: EventBus, audit: Audit) -> None:
        self.store, self.settings, self.bus, self.audit = store, settings, bus, audit
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"
        self.draining = False
        self.drained = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._inflight: dict[int, ClaimedStep] = {}
        self._claiming = 0
        self._touched: set[str] = set()
        self._lock = threading.Lock()
        self._contexts: dict[str, AwsContext] = {}
        self._pool = ContextPool(settings.inventory_ttl_seconds)
        self.llm = load_llm_settings()

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> None:
        # One SQLite file = one replica: whatever was claimed before a crash is ours to re-run.
        lease = timedelta(0) if self.store.dialect == "sqlite" else timedelta(seconds=self.settings.step_lease_seconds)
        n = self.store.requeue_stale(lease)
        if n:
            log.info("requeued steps of a replica that stopped without draining", extra={"steps": n})
        for i in range(self.settings.workers):
            t = threading.Thread(target=self._work, name=f"xops-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        if self.llm.configured:  # CrewAI and LiteLLM take seconds to import: not in the first crew step
            threading.Thread(target=_import_crews, name="xops-crews-warm-up", daemon=True).start()

    def drain(self, deadline_seconds: float) -> list[str]:
        """Stop claiming, wait for in-flight steps, give back the rest, mark unfinished runs interrupted."""
        with self._lock:
            self.draining = True
        self._wake.set()
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            with self._lock:
                if not self._inflight and not self._claiming:
                    break
            time.sleep(0.05)
        with self._lock:
            leftover = list(self._inflight.values())
            touched = set(self._touched)
        for step in leftover:
            self.store.release_step(step.id)
        candidates = set(self.store.live_run_ids()) if self.store.dialect == "sqlite" else touched
        with self.store.write() as conn:
            interrupted = self.store.interrupt_unfinished(conn, sorted(candidates))
            for run_id in interrupted:
                self.store.append_events(conn, run_id, [("run.interrupted", {
                    "reason": "replica stopping (SIGTERM)", "resume": "automatic, from the first incomplete step"})])
        self.drained.set()
        self.bus.notify_all()
        log.info("drained", extra={"interrupted_runs": interrupted, "released_steps": [s.id for s in leftover]})
        return interrupted

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout=5)

    # -- submit / cancel ------------------------------------------------------------------------------
    def submit(self, req: RunRequest, ident: Identity) -> str:
        validate_request(req)
        if req.mode == "crew" and not self.llm.configured:
            raise UsageError("mode crew needs an LLM, and none is configured",
                             "set XOPS_LLM_PROVIDER (claude, bedrock or openai; see docs/crews.md), "
                             "or send mode auto or deterministic")
        run_id = new_run_id()
        body = cast(dict[str, Any], redact_value(req.model_dump(mode="json")))  # a pasted key goes no further
        if body.get("question"):
            body["question"] = body["question"][:4000]
        created = self.audit.entry("run.created", ident, run_id=run_id, detail=body)
        self.store.create_run(run_id, body, ident.model_dump(mode="json"), ident.cost_centres, audit_record=created)
        self.audit.append_line(created)
        self._wake.set()
        return run_id

    def cancel(self, run_id: str, ident: Identity) -> str:
        def write() -> str | None:
            with self.store.write() as conn:
                run = self.store.lock_run(conn, run_id)
                if run["state"] in st.TERMINAL:
                    return str(run["state"])
                self.store.set_run(conn, run_id, state=st.CANCELLED, finished_at=st.now())
                self.store.cancel_steps(conn, run_id)
                self.store.append_events(conn, run_id, [("run.cancelled", {"by": ident.user})])
            return None

        ended = st.retrying(write, what=f"cancel of run {run_id}")
        if ended is not None:
            return ended
        self.audit.record("run.cancelled", ident, run_id=run_id)
        with self._lock:
            self._contexts.pop(run_id, None)
        self.bus.notify(run_id)
        return st.CANCELLED

    # -- workers --------------------------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                claiming = not self.draining
                if claiming:
                    self._claiming += 1  # the drain waits for claims in progress before it interrupts runs
            if not claiming:
                self._stop.wait(0.2)
                continue
            try:
                step = st.retrying(functools.partial(self.store.claim_step, self.worker_id), what="claim")
            except Exception:
                log.exception("claim failed")
                step = None
                self._stop.wait(1.0)
            with self._lock:
                self._claiming -= 1  # a step claimed as the drain began is run: the drain waits for it
                if step is not None:
                    self._inflight[step.id] = step
                    self._touched.add(step.run_id)
            if step is None:
                if not self.draining:
                    self._wake.wait(0.25)
                    self._wake.clear()
                continue
            try:
                st.retrying(functools.partial(self._execute, step), what=f"step {step.seq} of run {step.run_id}")
            except StepLost:
                log.warning("step given back before it finished; discarded", extra={"step_id": step.id})
            except Exception as exc:  # a bug, not an AWS failure (those are ERROR findings): fail the run
                log.exception("step crashed", extra={"run_id": step.run_id, "step": step.seq})
                self._fail_run(step.run_id, f"internal error in step {step.seq}: {exc}",
                               "this is a bug in xOps: report it with the run id and the server log")
            finally:
                with self._lock:
                    self._inflight.pop(step.id, None)
            self.bus.notify(step.run_id)

    def _execute(self, step: ClaimedStep) -> None:
        run = self.store.get_run(step.run_id)
        assert run is not None
        if run["state"] in st.TERMINAL:
            with self.store.write() as conn:
                self.store.finish_step(conn, step)
            return
        if step.kind == "plan":
            with tracer().start_as_current_span("run.plan", attributes={"xops.run_id": step.run_id}):
                self._plan(step, run)
            return
        self.bus.notify(step.run_id)  # its step.started event was written with the claim
        if step.kind == "crew":
            with tracer().start_as_current_span("run.crew", attributes={
                    "xops.run_id": step.run_id, "xops.step": step.seq, "xops.task": step.analyzer_id}):
                self._crew(step, run)
        elif step.kind == "analyze":
            with tracer().start_as_current_span("run.step", attributes={
                    "xops.run_id": step.run_id, "xops.step": step.seq, "xops.analyzer_id": step.analyzer_id,
                    "aws.account_id": step.account_id, "aws.region": step.region}):
                self._analyze(step, run)
        else:
            with tracer().start_as_current_span("run.summarise", attributes={"xops.run_id": step.run_id}):
                self._summarise(step, run)

    @staticmethod
    def _step_info(step: ClaimedStep) -> dict[str, Any]:
        return st.step_info(step)

    def _context(self, run: dict[str, Any]) -> AwsContext:
        """One AwsContext (clients + inventory) per run in this replica, shared by runs of the same scope
        that start within XOPS_INVENTORY_TTL_SECONDS (a repeated question reads AWS once, not twice)."""
        with self._lock:
            aws = self._contexts.get(run["id"])
        if aws is not None:
            return aws
        scope = run["scope"] or {}
        req = run["request"]["scope"]
        aws = self._pool.get(Scope(accounts=scope.get("accounts") or req.get("accounts") or [],
                                   regions=scope.get("regions") or req.get("regions") or []))
        aws.scan_regions = scope.get("regions") or aws.scan_regions  # a run resumed here skips its plan step
        with self._lock:
            return self._contexts.setdefault(run["id"], aws)

    def _plan(self, step: ClaimedStep, run: dict[str, Any]) -> None:
        req = RunRequest.model_validate(run["request"])
        aws = self._context(run)
        try:
            caller = aws.check()
            accounts, regions = aws.accounts(), aws.regions()
        except XopsError as exc:
            with self.store.write() as conn:
                self.store.finish_step(conn, step)
            self._fail_run(run["id"], exc.message, exc.hint)
            return
        aws.scan_regions = regions
        route = routed(req)
        analyzers = registry.select(route.analyzer_ids) if route else resolve_analyzers(req.scan_request())
        routing = route.model_dump(mode="json") if route else None
        mode, note = self._mode(req)
        pillars = route.pillars if route else sorted({a.meta.pillar for a in analyzers}, key=PILLARS.index)
        tasks = crew_config.crew_tasks(pillars) if mode == "crew" else []
        planned = [{"analyzer_id": s.analyzer.meta.id, "account_id": s.target.account_id, "region": s.target.region}
                   for s in plan(aws, analyzers, accounts, regions)]
        with self.store.write() as conn:
            self.store.lock_run(conn, run["id"])
            if not self.store.finish_step(conn, step):
                raise StepLost(step.id)
            self.store.add_steps(conn, run["id"], planned, tasks)
            self.store.set_run(conn, run["id"], state=st.RUNNING, steps_total=len(planned),
                               scope={"accounts": accounts, "regions": regions, "caller": caller,
                                      "analyzers": [a.meta.id for a in analyzers], "route": routing,
                                      "mode": mode, "note": note, "crew": tasks})
            self.store.append_events(conn, run["id"], [
                ("run.started", {"run_id": run["id"], "question": req.question, "accounts": accounts,
                                 "regions": regions, "analyzers": [a.meta.id for a in analyzers],
                                 "total": len(planned), "mode": mode, "routing": routing, "crew": tasks,
                                 **({"note": note} if note else {})}),
                ("step.progress", {"done": 0, "total": len(planned)}),
            ])

    def _analyze(self, step: ClaimedStep, run: dict[str, Any]) -> None:
        req = RunRequest.model_validate(run["request"])
        aws = self._context(run)
        analyzer = registry.get(step.analyzer_id)
        try:
            params = analyzer.Params.model_validate(req.params.get(step.analyzer_id, {}))
        except ValidationError as exc:  # validated at submit; only a changed analyzer can get here
            raise UsageError(f"parameters of {step.analyzer_id} no longer validate: {exc}", "start a new run") from exc
        found = [masked_finding(f) for f in run_step(aws, Step(analyzer, Target(step.account_id, step.region)), params)]
        centres = cost_centres(aws, found, self.settings.cost_centre_tag)
        allowed = run["cost_centres"]
        rows, shown = [], []
        for f, cc in zip(found, centres, strict=True):
            if allowed is not None and cc not in allowed:
                continue
            rows.append({"analyzer_id": f.analyzer_id, "account_id": f.account_id, "region": f.region,
                         "resource_id": f.resource_id, "status": f.status.value, "severity": f.severity.value,
                         "severity_rank": f.severity.rank, "est_monthly_usd": f.est_monthly_usd, "cost_centre": cc,
                         "data": f.model_dump(mode="json")})
            if f.status != Status.PASS:
                shown.append({**f.model_dump(mode="json"), "cost_centre": cc})
        counts = {s.value: sum(1 for r in rows if r["status"] == s.value) for s in Status}
        with self.store.write() as conn:
            self.store.lock_run(conn, run["id"])
            if not self.store.finish_step(conn, step):
                raise StepLost(step.id)
            self.store.add_findings(conn, run["id"], rows)
            done = conn.execute(st.select(st.runs.c.steps_done, st.runs.c.steps_total)
                                .where(st.runs.c.id == run["id"])).one()
            batch: list[tuple[str, dict[str, Any]]] = [("step.finished", {**self._step_info(step), **counts})]
            if shown:
                batch.append(("finding", {"step": step.seq, "findings": shown}))
            batch.append(("step.progress", {"done": done[0], "total": done[1]}))
            self.store.append_events(conn, run["id"], batch)
            record = self.audit.entry("step.run", Identity.model_validate(run["identity"]), run_id=run["id"],
                                      detail={"step": step.seq, "analyzer_id": step.analyzer_id,
                                              "account_id": step.account_id, "region": step.region, **counts})
            self.store.add_audit(record, conn)
        self.audit.append_line(record)

    def _summarise(self, step: ClaimedStep, run: dict[str, Any]) -> None:
        from xops.evidence.store import EvidenceStore
        from xops.evidence.summary import summarize

        req = RunRequest.model_validate(run["request"])
        with self.store.read() as conn:
            found = [Finding.model_validate(d) for d in self.store.all_findings(conn, run["id"])]
        scope = run["scope"] or {}
        aws = self._context(run)
        result = ScanResult(run_id=run["id"], started_at=run["created_at"], finished_at=st.now(),
                            caller=scope.get("caller", {}), accounts=scope.get("accounts", []),
                            regions=scope.get("regions", []), analyzer_ids=scope.get("analyzers", []),
                            framework=req.framework, steps=run["steps_total"],
                            api_calls=len(aws.inventory.calls), findings=sort_findings(found))
        evidence = EvidenceStore(self.settings.data_dir)
        run_dir = evidence.root / run["id"]
        if not (run_dir / "manifest.json").exists():  # written by an earlier attempt that did not commit
            run_dir = evidence.write(result)
        route = Route.model_validate(scope["route"]) if scope.get("route") else None
        base = f"/v1/runs/{run['id']}/evidence"
        with self.store.read() as conn:
            outputs = self.store.outputs(conn, run["id"])
        done = [TaskOutput.model_validate(o) for o in outputs.values()]
        failed = next((o for o in done if o.error), None)
        composed = next((o for o in done if o.task == crew_config.COMPOSE), None)
        if composed and not failed:
            answer = crew_answer(composed.text, result, base)
        else:
            note = scope.get("note")
            if failed:
                note = (f"the LLM ({self.llm.describe()}) failed during the crew task {failed.task}: "
                        f"{failed.error}. This is the deterministic answer.")
            pillars = [req.pillar] if req.pillar else (route.pillars if route else [])
            related = related_playbooks(req.question, result.findings, pillars[0] if len(pillars) == 1 else None)
            answer = answer_markdown(req.question, result, evidence_base=base, route=route, note=note,
                                     related=related)
        s = summarize(result)
        counts = {"FAIL": s.fail, "PASS": s.passed, "ERROR": s.error, "est_monthly_usd": s.est_monthly_usd}
        files = sorted(p.name for p in run_dir.iterdir() if p.is_file())
        with self.store.write() as conn:
            self.store.lock_run(conn, run["id"])
            if not self.store.finish_step(conn, step):
                raise StepLost(step.id)
            self.store.set_run(conn, run["id"], state=st.FINISHED, finished_at=st.now(), answer=answer,
                               evidence_dir=str(run_dir))
            chunks = [answer[i:i + ANSWER_CHUNK] for i in range(0, len(answer), ANSWER_CHUNK)]
            self.store.append_events(conn, run["id"], [
                *[("answer.delta", {"text": c}) for c in chunks],
                ("run.finished", {"counts": counts, "evidence": [f"/v1/runs/{run['id']}/evidence/{n}" for n in files]}),
            ])
        with self._lock:
            self._contexts.pop(run["id"], None)
        remember_run(run["id"], (run_dir / "summary.md").read_text())

    def _mode(self, req: RunRequest) -> tuple[str, str | None]:
        """crew when asked for (or auto) and the LLM answers; else deterministic, with a note why."""
        if req.mode == "deterministic" or not self.llm.configured:
            return "deterministic", None
        from xops.llm.gateway import LlmUnavailable, check

        try:
            check(self.llm)
        except LlmUnavailable as exc:
            log.warning("LLM unavailable; deterministic answer", extra={"reason": exc.message})
            return "deterministic", f"{exc.message} ({exc.hint}). This is the deterministic answer."
        return "crew", None

    def _crew(self, step: ClaimedStep, run: dict[str, Any]) -> None:
        """One task of the crew Flow. Its output is stored with the step, so a resumed run never runs it again."""
        from xops.crews.tools import RunSource
        from xops.llm import offline

        with offline.heavy_imports():
            from xops.crews.flow import CrewFlow

        req = RunRequest.model_validate(run["request"])
        scope = run["scope"] or {}
        with self.store.read() as conn:
            found = [Finding.model_validate(d) for d in self.store.all_findings(conn, run["id"])]
            earlier = [TaskOutput.model_validate(o) for o in self.store.outputs(conn, run["id"]).values()]
        tasks = crew_config.tasks()
        out = CrewFlow(RunSource(found), self.llm).run_one(
            step.analyzer_id, id=run["id"], question=req.question or "What needs attention in this estate?",
            pillars=[p for t in scope.get("crew", []) if (p := tasks[t].pillar)],
            focus=(scope.get("route") or {}).get("focus", []), facts=run_facts(found),
            done={o.task: o for o in earlier})
        out = TaskOutput.model_validate(redact_value(out.model_dump(mode="json")))  # an LLM may echo a secret
        if out.error:  # the LLM failed (unreachable, timeout, refused): fall back, never fail the run
            log.warning("crew task failed; deterministic answer",
                        extra={"run_id": run["id"], "task": step.analyzer_id, "error": out.error})
        with self.store.write() as conn:
            self.store.lock_run(conn, run["id"])
            if not self.store.finish_step(conn, step):
                raise StepLost(step.id)
            self.store.put_output(conn, run["id"], step.seq, out.model_dump(mode="json", exclude_none=True))
            if out.error:
                self.store.skip_crew_steps(conn, run["id"])
            self.store.append_events(conn, run["id"], [("step.finished", {
                **self._step_info(step), "tool_calls": out.tool_calls, **({"error": out.error} if out.error else {})})])

    def _fail_run(self, run_id: str, message: str, hint: str) -> None:
        message, hint = redact(message)[0], redact(hint)[0]
        with self.store.write() as conn:
            run = self.store.lock_run(conn, run_id)
            if run["state"] in st.TERMINAL:
                return
            self.store.set_run(conn, run_id, state=st.FAILED, finished_at=st.now(), error=f"{message} ({hint})")
            self.store.cancel_steps(conn, run_id)
            self.store.append_events(conn, run_id, [("run.failed", {"message": message, "hint": hint})])
        with self._lock:
            self._contexts.pop(run_id, None)
        self.bus.notify(run_id)


def _import_crews() -> None:
    from xops.llm import offline

    try:
        with offline.heavy_imports():
            import xops.crews.flow  # noqa: F401
    except Exception:  # the first crew step will import it again and report what is wrong
        log.exception("importing the crews failed")


def masked_finding(f: Finding) -> Finding:
    """The finding with every secret in its text (message, evidence) masked; the same object when clean."""
    body = f.model_dump(mode="json")
    clean = redact_finding(body)
    return f if clean == body else Finding.model_validate(clean)


def run_facts(found: list[Finding]) -> str:
    """Totals of the run's findings, for the answer writer (deterministic numbers it may quote)."""
    fails = [f for f in found if f.status == Status.FAIL]
    parts = [f"{len(fails)} FAIL findings, est. ${sum(f.est_monthly_usd or 0 for f in fails):,.2f}/month in total"]
    for p in PILLARS:
        pf = [f for f in fails if f.analyzer_id.startswith(p + ".")]
        if pf:
            parts.append(f"{p}: {len(pf)} findings, ${sum(f.est_monthly_usd or 0 for f in pf):,.2f}/month")
    return "; ".join(parts)


def crew_answer(text: str, result: ScanResult, evidence_base: str) -> str:
    """The crew's answer, its grounding check against the run's findings, and the evidence links."""
    from xops.answer.grounding import check
    from xops.answer.markdown import evidence_links

    links = "\n".join(evidence_links(evidence_base))
    text = inert_markdown(redact(text)[0]).strip()  # an LLM's words: no secret, no raw HTML, no hidden link
    return f"{text}\n\n_{check(text, result.findings).note()}_\n\n### Evidence\n\n{links}\n"


def routed(req: RunRequest) -> Route | None:
    """A question without pillar, analyzers or framework is routed by the deterministic router."""
    if not req.question or req.pillar or req.analyzers or req.framework:
        return None
    return route_question(req.question)
