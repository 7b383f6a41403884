"""Totals and the markdown summary of a scan (summary.md in the evidence, and the CLI's text)."""

from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import BaseModel

from xops.core import registry
from xops.core.models import PILLARS, Status
from xops.core.scan import ScanResult
from xops.security.untrusted import md, md_code


class PillarTotals(BaseModel):
    fail: int = 0
    error: int = 0
    passed: int = 0
    est_monthly_usd: float = 0.0


class ScanSummary(BaseModel):
    run_id: str
    accounts: list[str]
    regions: list[str]
    analyzers: int
    steps: int
    api_calls: int
    seconds: float
    fail: int
    error: int
    passed: int
    est_monthly_usd: float
    by_pillar: dict[str, PillarTotals]
    by_severity: dict[str, int]


def summarize(result: ScanResult) -> ScanSummary:
    by_pillar = {p: PillarTotals() for p in PILLARS}
    for f in result.findings:
        t = by_pillar[f.analyzer_id.split(".", 1)[0]]
        if f.status == Status.FAIL:
            t.fail += 1
            t.est_monthly_usd = round(t.est_monthly_usd + (f.est_monthly_usd or 0.0), 2)
        elif f.status == Status.ERROR:
            t.error += 1
        else:
            t.passed += 1
    fails = result.by_status(Status.FAIL)
    return ScanSummary(
        run_id=result.run_id, accounts=result.accounts, regions=result.regions,
        analyzers=len(result.analyzer_ids), steps=result.steps, api_calls=result.api_calls,
        seconds=round((result.finished_at - result.started_at).total_seconds(), 2),
        fail=len(fails), error=len(result.by_status(Status.ERROR)), passed=len(result.by_status(Status.PASS)),
        est_monthly_usd=round(sum(f.est_monthly_usd or 0.0 for f in fails), 2),
        by_pillar=by_pillar, by_severity=dict(Counter(f.severity.value for f in fails)),
    )


def summary_markdown(result: ScanResult, top: int = 15) -> str:
    s = summarize(result)
    lines = [
        f"# xOps scan {result.run_id}",
        "",
        f"- Caller: `{md_code(result.caller.get('arn', ''))}`",
        f"- Accounts: {', '.join(result.accounts)}; regions: {', '.join(result.regions)}",
        f"- Analyzers: {s.analyzers}; steps: {s.steps}; API calls: {s.api_calls}; {s.seconds:.1f} s",
        f"- Started {result.started_at.isoformat()}, finished {result.finished_at.isoformat()}",
        "",
        "## Totals",
        "",
        "| pillar | FAIL | est. $/month | ERROR | PASS |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for pillar, t in s.by_pillar.items():
        lines.append(f"| {pillar} | {t.fail} | {t.est_monthly_usd:,.2f} | {t.error} | {t.passed} |")
    lines.append(f"| **all** | **{s.fail}** | **{s.est_monthly_usd:,.2f}** | **{s.error}** | **{s.passed}** |")

    fails = result.by_status(Status.FAIL)
    if fails:
        lines += ["", f"## Top findings ({min(top, len(fails))} of {len(fails)})", "",
                  "| severity | analyzer | account | region | resource | $/month | finding |",
                  "| --- | --- | --- | --- | --- | ---: | --- |"]
        ranked = sorted(fails, key=lambda f: (-(f.est_monthly_usd or 0.0), -f.severity.rank))[:top]
        for f in ranked:
            usd = "" if f.est_monthly_usd is None else f"{f.est_monthly_usd:,.2f}"
            lines.append(f"| {f.severity.value} | {f.analyzer_id} | {f.account_id} | {f.region} | "
                         f"`{md_code(f.resource_id)}` | {usd} | {md(f.message)} |")
        lines += ["", "## What to do next", ""]
        grouped: dict[str, list] = defaultdict(list)
        for f in fails:
            grouped[f.analyzer_id].append(f)
        order = sorted(grouped, key=lambda a: (-sum(f.est_monthly_usd or 0 for f in grouped[a]),
                                               -grouped[a][0].severity.rank, a))
        for analyzer_id in order:
            meta = registry.get(analyzer_id).meta
            items = grouped[analyzer_id]
            usd = sum(f.est_monthly_usd or 0.0 for f in items)
            money = f", ${usd:,.2f}/month" if usd else ""
            first = items[0]
            cli = meta.remediation.cli_for(first.resource_id, first.region, first.account_id)
            lines += [f"- **{meta.title}** ({analyzer_id}): {len(items)} finding(s){money}. "
                      f"{meta.remediation.summary}", "", "  ```sh", *[f"  {c}" for c in cli.splitlines()], "  ```"]
    errors = result.by_status(Status.ERROR)
    if errors:
        lines += ["", f"## Errors ({len(errors)} steps could not run)", ""]
        for message, n in Counter(e.message for e in errors).most_common(10):
            lines.append(f"- {n} × {md(message)}")
    if result.framework:
        from xops.compliance.mapping import framework_report, load_framework

        fw = load_framework(result.framework)
        lines += ["", f"## {fw.title}", "", "| requirement | status | FAIL | PASS | ERROR |", "| --- | --- | ---: | ---: | ---: |"]
        for r in framework_report(fw, result.findings):
            lines.append(f"| {r.requirement_id} {md(r.title)} | {r.status} | {r.fail} | {r.passed} | {r.error} |")
    lines += ["", "## Evidence files", "",
              "findings.json (every finding, PASS included), findings.csv (the same as a table), "
              "manifest.json (sha256 of each file; check with `xops evidence verify <this folder>`).", ""]
    return "\n".join(lines)
