"""`xops`: scan AWS with the analyzers, run the sandbox, verify evidence.

Exit codes: one per error family (src/xops/core/errors.py; the README's table lists them); 0 done.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xops import __version__
from xops.api.audit_cli import audit_app
from xops.api.cli import api_app
from xops.core.errors import FailOnThreshold, UsageError, XopsError
from xops.identity.cli import iam_app, identity_app
from xops.knowledge.cli import app as knowledge_app
from xops.mcp.cli import mcp_app, mcpo_app
from xops.owui.cli import owui_app
from xops.stack.cli import stack_app

app = typer.Typer(help="xOps: read-only FinOps, CloudOps and DevSecOps analyzers for AWS, with evidence.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
analyzers_app = typer.Typer(help="List and describe the analyzers.", no_args_is_help=True)
sandbox_app = typer.Typer(help="The local sandbox AWS estate (moto) with planted issues.", no_args_is_help=True)
evidence_app = typer.Typer(help="Check the evidence folders that scans write.", no_args_is_help=True)
frameworks_app = typer.Typer(help="Compliance framework mappings.", no_args_is_help=True)
app.add_typer(analyzers_app, name="analyzers")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(evidence_app, name="evidence")
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(mcp_app, name="mcp")
app.add_typer(mcpo_app, name="mcpo")
app.add_typer(iam_app, name="iam")
app.add_typer(identity_app, name="identity")
app.add_typer(api_app, name="api")
app.add_typer(audit_app, name="audit")
app.add_typer(knowledge_app, name="knowledge")
app.add_typer(owui_app, name="owui")
app.add_typer(stack_app, name="stack")


def _console(stderr: bool = False) -> Console:
    # Logs and pipes get a wide console: finding ids and resource ids should not fold.
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=200)


out = _console()
err = _console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def fail(exc: XopsError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
    if exc.hint:
        err.print(f"[yellow]hint:[/] {exc.hint}", highlight=False)
    return typer.Exit(exc.exit_code)


def parse_params(items: list[str]) -> dict[str, dict[str, Any]]:
    """`--param finops.ebs_snapshot_old.max_age_days=30` -> {"finops.ebs_snapshot_old": {"max_age_days": "30"}}."""
    params: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        analyzer_id, dot, field = key.rpartition(".")
        if not sep or not dot or analyzer_id.count(".") != 1:
            raise UsageError(f"--param {item!r} is not ANALYZER_ID.FIELD=VALUE",
                             "example: --param finops.ebs_snapshot_old.max_age_days=30")
        try:
            parsed: Any = json.loads(value)
        except ValueError:
            parsed = value
        params.setdefault(analyzer_id, {})[field] = parsed
    return params


def split_csv(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


@app.command()
def version() -> None:
    """Print the xOps version."""
    out.print(__version__)


@app.command()
def scan(
    pillar: Annotated[str | None, typer.Option(help="finops, cloudops or devsecops")] = None,
    analyzer: Annotated[list[str] | None, typer.Option("--analyzer", "-a", help="Analyzer id (repeatable)")] = None,
    service: Annotated[str | None, typer.Option(help="Only the analyzers of this AWS service, e.g. s3")] = None,
    framework: Annotated[str | None, typer.Option(help="Report per requirement, e.g. apra-cps-234")] = None,
    regions: Annotated[list[str] | None, typer.Option(help="Regions (comma-separated or repeated); "
                                                      "default XOPS_REGIONS or all enabled")] = None,
    accounts: Annotated[list[str] | None, typer.Option(help="Account ids, or 'all' for every Organization "
                                                       "member; default the caller's")] = None,
    assume_role: Annotated[str | None, typer.Option(help="Role assumed in other accounts (default "
                                                    "XOPS_ASSUME_ROLE or OrganizationAccountAccessRole)")] = None,
    param: Annotated[list[str] | None, typer.Option(help="ANALYZER_ID.FIELD=VALUE (repeatable)")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format")] = Format.table,
    out_path: Annotated[Path | None, typer.Option("--out", help="Write the output to this file")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include PASS findings in the output")] = False,
    workers: Annotated[int, typer.Option(min=1, max=128, help="Concurrent API calls")] = 16,
    fail_on: Annotated[str | None, typer.Option(help="Exit 10 if a FAIL has this severity or higher")] = None,
    no_evidence: Annotated[bool, typer.Option("--no-evidence", help="Do not write the evidence folder")] = False,
) -> None:
    """Run analyzers against AWS (or any AWS_ENDPOINT_URL) and report findings; writes evidence."""
    from xops.core.aws import AwsContext, AwsSettings
    from xops.core.models import PILLARS, Severity
    from xops.core.scan import ScanRequest
    from xops.core.scope import Scope

    try:
        if pillar is not None and pillar not in PILLARS:
            raise UsageError(f"unknown pillar {pillar!r}", f"use one of: {', '.join(PILLARS)}")
        threshold = None
        if fail_on is not None:
            if fail_on not in Severity.__members__:
                raise UsageError(f"--fail-on {fail_on!r} is not a severity", f"use one of: {', '.join(Severity)}")
            threshold = Severity(fail_on)
        request = ScanRequest(analyzer_ids=split_csv(analyzer), pillar=pillar, service=service, framework=framework,
                              params=parse_params(param or []))
        scope = Scope.parse(regions=split_csv(regions), accounts=split_csv(accounts))
        settings = AwsSettings(regions=scope.regions, accounts=scope.accounts, max_workers=workers,
                               **({"role_name": assume_role} if assume_role else {}))
        result = run_scan_with_progress(AwsContext(settings), request)
        run_dir = None if no_evidence else write_evidence(result)
        render(result, fmt, out_path, include_pass=all_, run_dir=run_dir)
    except XopsError as exc:
        raise fail(exc) from None
    if threshold is not None and any(f.status == "FAIL" and f.severity.rank >= threshold.rank for f in result.findings):
        raise typer.Exit(FailOnThreshold.exit_code)


def run_scan_with_progress(aws: Any, request: Any) -> Any:
    from xops.core.scan import scan as run

    with Progress(TextColumn("[bold]scanning[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, transient=True) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, step: Any) -> None:
            bar.update(task, completed=done, total=total, description=step.label)

        return run(aws, request, on_progress=progress)


def write_evidence(result: Any) -> Path:
    from xops.evidence.store import EvidenceStore
    from xops.settings import data_dir

    return EvidenceStore(data_dir()).write(result)


def render(result: Any, fmt: Format, out_path: Path | None, include_pass: bool, run_dir: Path | None) -> None:
    from xops.core.models import Status
    from xops.evidence.store import findings_csv
    from xops.evidence.summary import summarize

    shown = [f for f in result.findings if include_pass or f.status != Status.PASS]
    view = result.model_copy(update={"findings": shown})
    if fmt == Format.json:
        from xops.compliance.mapping import framework_json

        body = {"run": {k: v for k, v in result.model_dump(mode="json").items() if k != "findings"},
                "summary": summarize(result).model_dump(mode="json"),
                "framework": framework_json(result.framework, result.findings),
                "evidence_dir": str(run_dir) if run_dir else None,
                "findings": [f.model_dump(mode="json") for f in shown]}
        text = json.dumps(body, indent=2) + "\n"
    elif fmt == Format.csv:
        text = findings_csv(view)
    else:
        text = ""
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == Format.table:
            from xops.evidence.summary import summary_markdown
            text = summary_markdown(view)
        out_path.write_text(text)
        err.print(f"wrote {out_path}")
    elif text:
        sys.stdout.write(text)
    else:
        print_table(view)
        if result.framework:
            print_framework(result)
    if run_dir:
        err.print(f"evidence: {run_dir}", highlight=False)


def print_table(result: Any, top: int | None = None) -> None:
    """Findings (the `top` costliest/most severe, or all) then totals per pillar, then what to do next."""
    from collections import defaultdict

    from xops.core import registry
    from xops.core.models import Status
    from xops.evidence.summary import summarize

    s = summarize(result)
    rows = result.findings
    if top is not None:
        fails = [f for f in rows if f.status == Status.FAIL]
        rows = sorted(fails, key=lambda f: (-(f.est_monthly_usd or 0.0), -f.severity.rank))[:top]
    title = f"top {len(rows)} of {s.fail} findings" if top is not None else f"{s.fail} FAIL, {s.error} ERROR"
    table = Table(title=title, title_justify="left")
    widths = {"sev": 8, "account": 12, "region": 14, "$/month": 9}  # never squeezed
    for col in ("sev", "analyzer", "account", "region", "resource", "$/month", "finding"):
        table.add_column(col, justify="right" if col == "$/month" else "left", no_wrap=True, overflow="ellipsis",
                         min_width=widths.get(col), max_width=60 if col == "finding" else None)
    for f in rows:
        usd = "" if f.est_monthly_usd is None else f"{f.est_monthly_usd:,.2f}"
        style = {"FAIL": "", "ERROR": "yellow", "PASS": "green"}[f.status.value]
        table.add_row(f.severity.value if f.status == "FAIL" else f.status.value, f.analyzer_id, f.account_id,
                      f.region, f.resource_id, usd, f.message, style=style)
    out.print(table)
    totals = Table(title="totals", title_justify="left")
    for col in ("pillar", "FAIL", "est. $/month", "ERROR", "PASS"):
        totals.add_column(col, justify="left" if col == "pillar" else "right")
    for pillar, t in s.by_pillar.items():
        totals.add_row(pillar, str(t.fail), f"{t.est_monthly_usd:,.2f}", str(t.error), str(t.passed))
    totals.add_row("all", str(s.fail), f"{s.est_monthly_usd:,.2f}", str(s.error), str(s.passed), style="bold")
    out.print(totals)
    grouped: dict[str, list[Any]] = defaultdict(list)
    for f in result.findings:
        if f.status == Status.FAIL:
            grouped[f.analyzer_id].append(f)
    if grouped:
        out.print("[bold]what to do next[/] (`xops analyzers describe ID` for the CLI and Terraform fix):")
        order = sorted(grouped, key=lambda a: (-sum(f.est_monthly_usd or 0 for f in grouped[a]), a))
        for analyzer_id in order:
            meta = registry.get(analyzer_id).meta
            usd = sum(f.est_monthly_usd or 0 for f in grouped[analyzer_id])
            money = f", ${usd:,.2f}/month" if usd else ""
            out.print(f"  - {analyzer_id}: {len(grouped[analyzer_id])}{money}. {meta.remediation.summary}",
                      highlight=False)



def print_framework(result: Any) -> None:
    from xops.compliance.mapping import framework_json

    report = framework_json(result.framework, result.findings)
    assert report is not None
    table = Table(title=f"{report['title']} {report['version']}", title_justify="left")
    for col in ("requirement", "title", "status", "FAIL", "PASS", "ERROR"):
        table.add_column(col, justify="right" if col in ("FAIL", "PASS", "ERROR") else "left")
    colour = {"PASS": "green", "FAIL": "red", "ERROR": "yellow", "NOT_ASSESSED": "dim"}
    for r in report["requirements"]:
        table.add_row(r["requirement_id"], r["title"], f"[{colour[r['status']]}]{r['status']}[/]", str(r["fail"]),
                      str(r["passed"]), str(r["error"]))
    out.print(table)


# -- analyzers ------------------------------------------------------------------------------------------
@analyzers_app.command("list")
def analyzers_list(
    query: Annotated[str | None, typer.Argument(help="Words to search for (title, risk, service, resource type)")] = None,
    pillar: Annotated[str | None, typer.Option(help="finops, cloudops or devsecops")] = None,
    service: Annotated[str | None, typer.Option(help="AWS service, e.g. s3, ec2, iam")] = None,
    resource_type: Annotated[str | None, typer.Option(help="e.g. AWS::S3::Bucket")] = None,
    severity: Annotated[str | None, typer.Option(help="This severity or higher")] = None,
    framework: Annotated[str | None, typer.Option(help="Only analyzers mapped to this framework")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """List (or search) the analyzers of the catalogue."""
    from xops.core import registry

    try:
        chosen = registry.catalogue().select(pillar=pillar, service=service, resource_type=resource_type,
                                             severity=severity, framework=framework, query=query)
    except XopsError as exc:
        raise fail(exc) from None
    if fmt == Format.json:
        sys.stdout.write(json.dumps([a.meta.model_dump(mode="json") for a in chosen], indent=2) + "\n")
        return
    table = Table(title=f"{len(chosen)} analyzers")
    for col in ("id", "service", "severity", "scope", "title"):
        table.add_column(col)
    for a in chosen:
        table.add_row(a.meta.id, a.meta.service, a.meta.severity.value, a.meta.scope, a.meta.title)
    out.print(table)


@analyzers_app.command("describe")
def analyzers_describe(analyzer_id: str) -> None:
    """Everything about one analyzer: what it checks, permissions, parameters, remediation."""
    from xops.compliance.mapping import list_frameworks, load_framework
    from xops.core import registry

    try:
        a = registry.get(analyzer_id)
    except XopsError as exc:
        raise fail(exc) from None
    m = a.meta
    mapped = [f"{fw} {r.id}" for fw in list_frameworks() for r in load_framework(fw).requirements if m.id in r.analyzers]
    params = "\n".join(f"- `{name}` ({f.annotation.__name__ if hasattr(f.annotation, '__name__') else f.annotation}, "
                       f"default {f.default!r}): {f.description}" for name, f in a.Params.model_fields.items())
    text = "\n".join([
        f"# {m.id}", "", f"**{m.title}** — {m.pillar}, severity {m.severity.value}, {m.scope}, {m.service} {m.resource_type} ({m.kind} check)", "",
        f"**Risk.** {m.risk}", "", f"**Cost impact.** {m.cost_impact or 'none'}", "",
        f"**Permissions.** {', '.join(m.permissions)}", "", "**Parameters.**", "", params or "none", "",
        f"**Frameworks.** {', '.join(mapped) or 'none'}", "",
        f"**Remediation.** {m.remediation.summary}", "", "```sh", m.remediation.cli, "```", "",
        "```hcl", m.remediation.terraform, "```",
    ])
    out.print(Markdown(text))


# -- frameworks -----------------------------------------------------------------------------------------
@frameworks_app.command("list")
def frameworks_list() -> None:
    """List the compliance frameworks and how many requirements each maps."""
    from xops.compliance.mapping import list_frameworks, load_framework

    for fid in list_frameworks():
        fw = load_framework(fid)
        out.print(f"{fid}: {fw.title} {fw.version} ({len(fw.requirements)} requirements, "
                  f"{len(fw.analyzer_ids())} analyzers)", highlight=False)


# -- sandbox -------------------------------------------------------------------------------------------
@sandbox_app.command("up")
def sandbox_up(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0 = any free port)")] = 5050,
    scale: Annotated[int, typer.Option(min=1, max=100, help="Multiply the estate's resources")] = 1,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same estate")] = 42,
    truth: Annotated[Path | None, typer.Option(help="Where to write the ground-truth JSON")] = None,
    latency_ms: Annotated[float, typer.Option(min=0, max=10_000, help="Answer every call after this many ms "
                                              "(reads replayed from memory, from many threads, like AWS)")] = 0,
    jitter_ms: Annotated[float, typer.Option(min=0, max=10_000, help="± this many ms around --latency-ms")] = 0,
    throttle: Annotated[float, typer.Option(min=0, max=100_000, help="Calls a second per account, region and "
                                            "operation before AWS's throttling error (0: none)")] = 0,
    accounts: Annotated[int, typer.Option(min=1, max=200, help="Member accounts of the Organization")] = 1,
) -> None:
    """Start moto on 127.0.0.1, seed the demo estate, write the ground truth, and serve until stopped."""
    from xops.sandbox.latency import Conditions
    from xops.sandbox.runner import start_sandbox

    err.print(f"seeding the demo estate (scale {scale}, seed {seed})…")
    try:
        sb = start_sandbox(port=port, seed=seed, scale=scale, truth_path=truth,
                           conditions=Conditions(latency_ms, jitter_ms, throttle), members=accounts)
    except XopsError as exc:
        raise fail(exc) from None
    like_aws = (f"; every call after {latency_ms:g} ms (±{jitter_ms:g})" if latency_ms else "") + (
        f"; throttled above {throttle:g}/s per account, region and operation" if throttle else "")
    out.print(f"sandbox AWS ready at {sb.endpoint} ({len(sb.truth.issues)} planted issues, "
              f"accounts {', '.join(sb.truth.accounts.values())}; {sb.seconds:.1f} s{like_aws})", highlight=False)
    out.print(f"ground truth: {sb.truth_path}", highlight=False)
    out.print("# to scan it from another shell:", highlight=False)
    for k, v in sb.env().items():
        out.print(f"export {k}={v}", highlight=False)
    out.print("xops scan --accounts all", highlight=False)
    sys.stdout.flush()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    sb.server.stop()


# -- demo ----------------------------------------------------------------------------------------------
@app.command()
def demo(
    scale: Annotated[int, typer.Option(min=1, max=100, help="Multiply the estate's resources")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the demo estate")] = 42,
) -> None:
    """Start the sandbox estate, scan every account and region, print the summary, verify the evidence."""
    import os

    from xops.core.aws import AwsContext, AwsSettings
    from xops.core.scan import ScanRequest
    from xops.evidence.verify import verify_run
    from xops.sandbox.runner import start_sandbox

    try:
        err.print(f"starting the sandbox AWS estate (moto, scale {scale}, seed {seed})…")
        sb = start_sandbox(seed=seed, scale=scale)
        os.environ.update(sb.env())
        err.print(f"sandbox ready at {sb.endpoint}: 2 accounts, 3 regions, {len(sb.truth.issues)} planted "
                  f"issues ({sb.seconds:.1f} s)")
        try:
            result = run_scan_with_progress(AwsContext(AwsSettings(accounts=["all"])), ScanRequest())
            run_dir = write_evidence(result)
        finally:
            sb.server.stop()
        print_table(result, top=12)
        check = verify_run(run_dir)
    except XopsError as exc:
        raise fail(exc) from None
    found = {f.key for f in result.findings if f.status == "FAIL"}
    planted = {i.key for i in sb.truth.issues}
    out.print(f"\nplanted issues found: {len(found & planted)}/{len(planted)}; "
              f"reported but not planted: {len(found - planted)}", highlight=False)
    out.print(f"evidence: {run_dir} — verify: {'OK' if check.ok else 'FAILED'} "
              f"({check.checked_files} files, manifest in ledger)", highlight=False)
    if not check.ok:
        raise typer.Exit(5)


# -- evidence ------------------------------------------------------------------------------------------
@evidence_app.command("verify")
def evidence_verify(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by a scan")],
    ledger: Annotated[Path | None, typer.Option(help="Ledger file (default: ledger.jsonl next to the run)")] = None,
) -> None:
    """Recompute every sha256 of a run folder and check the manifest against the ledger (exit 5 if changed)."""
    from xops.evidence.verify import verify_run

    if not run_dir.is_dir():
        raise fail(UsageError(f"{run_dir} is not a folder", "pass a run folder, e.g. tmp/xops/runs/<run id>"))
    result = verify_run(run_dir, ledger)
    for note in result.notes:
        err.print(f"note: {note}", highlight=False)
    if result.ok:
        out.print(f"OK: {result.run_id}: {result.checked_files} files and the manifest match", highlight=False)
        return
    for problem in result.problems:
        out.print(f"CHANGED: {problem}", highlight=False)
    raise typer.Exit(5)


if __name__ == "__main__":  # pragma: no cover
    app()
