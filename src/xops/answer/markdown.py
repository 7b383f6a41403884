"""The deterministic answer: totals, the top findings by $ or severity with resource ids, what to do next
(from each analyzer's remediation), related playbooks from the knowledge store, and the evidence links.

Every number and resource id in it comes from the run's findings; nothing is generated.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from xops.answer.router import Route
from xops.core import registry
from xops.core.models import PILLARS, Finding, Status
from xops.core.scan import ScanResult
from xops.evidence.store import EVIDENCE_FILES
from xops.security.untrusted import clip, inert_markdown, md, md_code

# The run folder's files (the evidence store's list) and the API's zip of the folder.
LINKED_EVIDENCE = (*EVIDENCE_FILES, "evidence.zip")


def evidence_links(evidence_base: str) -> list[str]:
    """Markdown list items linking each evidence file under the API's evidence route."""
    return [f"- [{n}]({evidence_base}/{n})" for n in LINKED_EVIDENCE]
IDS_PER_ACTION = 50  # resource ids named per recommended action
PILLAR_NAMES = {"finops": "FinOps", "cloudops": "CloudOps", "devsecops": "DevSecOps"}


class Related(BaseModel):
    """A knowledge chunk shown under 'Related playbooks' (title + where it came from)."""

    title: str
    source: str
    text: str = ""


def _usd(value: float | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def ranked_fails(fails: list[Finding], money_first: bool) -> list[Finding]:
    """FinOps questions rank by $ then severity; the others by severity then $."""
    if money_first:
        return sorted(fails, key=lambda f: (-(f.est_monthly_usd or 0.0), -f.severity.rank, f.analyzer_id, f.resource_id))
    return sorted(fails, key=lambda f: (-f.severity.rank, -(f.est_monthly_usd or 0.0), f.analyzer_id, f.resource_id))


def answer_markdown(question: str | None, result: ScanResult, *, evidence_base: str, route: Route | None = None,
                    related: list[Related] | None = None, note: str | None = None, top: int = 10) -> str:
    pillars = sorted({a.split(".", 1)[0] for a in result.analyzer_ids}, key=PILLARS.index)
    fails = result.by_status(Status.FAIL)
    errors = result.by_status(Status.ERROR)
    total_usd = round(sum(f.est_monthly_usd or 0.0 for f in fails), 2)
    money_first = pillars == ["finops"] or (route is not None and "finops" in route.pillars[:1])
    lines: list[str] = []
    if note:
        # our words around an LLM's or endpoint's error text: that text may act on nothing (HTML, links, images)
        lines += [f"> **Note:** {inert_markdown(clip(note, 1000), code_urls=False)}", ""]
    if question:
        lines += [f"**Question:** {md(question, 1000)}", ""]
    scope = f"{len(result.accounts)} account(s) ({', '.join(result.accounts)}), {len(result.regions)} region(s)"
    routed = f" Routed to {route.describe()}." if route else ""
    lines += [f"I ran {len(result.analyzer_ids)} {'/'.join(PILLAR_NAMES[p] for p in pillars)} analyzers over "
              f"{scope}.{routed}", ""]
    if not fails:
        lines.append(f"**No issues found** ({len(result.by_status(Status.PASS))} checks passed).")
    else:
        money = f", with an estimated **{_usd(total_usd)}/month** of waste or savings" if total_usd else ""
        lines.append(f"**{len(fails)} issue(s) found{money}.**")
    lines += ["", "| pillar | issues | est. $/month | errors | passed |", "| --- | ---: | ---: | ---: | ---: |"]
    for p in pillars:
        pf = [f for f in fails if f.analyzer_id.startswith(p + ".")]
        usd = round(sum(f.est_monthly_usd or 0.0 for f in pf), 2)
        lines.append(f"| {PILLAR_NAMES[p]} | {len(pf)} | {usd:,.2f} | "
                     f"{sum(1 for f in errors if f.analyzer_id.startswith(p + '.'))} | "
                     f"{sum(1 for f in result.by_status(Status.PASS) if f.analyzer_id.startswith(p + '.'))} |")
    if fails:
        shown = ranked_fails(fails, money_first)[:top]
        by = "estimated $ then severity" if money_first else "severity then estimated $"
        lines += ["", f"### Top findings ({len(shown)} of {len(fails)}, by {by})", "",
                  "| severity | resource | account | region | $/month | finding |",
                  "| --- | --- | --- | --- | ---: | --- |"]
        for f in shown:
            lines.append(f"| {f.severity.value} | `{md_code(f.resource_id)}` | {md(f.account_id)} | {md(f.region)} | "
                         f"{_usd(f.est_monthly_usd)} | {md(f.message)} |")
        lines += ["", "### What to do next", ""]
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for f in fails:
            grouped[f.analyzer_id].append(f)
        order = sorted(grouped, key=lambda a: (-sum(f.est_monthly_usd or 0 for f in grouped[a]) if money_first else 0,
                                               -grouped[a][0].severity.rank,
                                               -sum(f.est_monthly_usd or 0 for f in grouped[a]), a))
        for n, analyzer_id in enumerate(order, start=1):
            meta = registry.get(analyzer_id).meta
            items = grouped[analyzer_id]
            usd = round(sum(f.est_monthly_usd or 0.0 for f in items), 2)
            money = f", {_usd(usd)}/month" if usd else ""
            ids = ", ".join(f"`{md_code(f.resource_id)}`" for f in items[:IDS_PER_ACTION])
            if len(items) > IDS_PER_ACTION:
                ids += f" and {len(items) - IDS_PER_ACTION} more (findings.csv has them all)"
            first = items[0]
            cli = meta.remediation.cli_for(first.resource_id, first.region, first.account_id)
            lines += [f"{n}. **{meta.title}** — {len(items)} resource(s){money}: {ids}. {meta.remediation.summary}",
                      "", "   ```sh", *[f"   {c}" for c in cli.splitlines()], "   ```"]
            if meta.remediation.writes:
                lines.append("   (changes the account: needs an approval, `POST /v1/approvals`)")
    if errors:
        lines += ["", f"### Could not check ({len(errors)} step(s))", ""]
        seen: set[str] = set()
        for e in errors:
            if e.message not in seen and len(seen) < 5:
                seen.add(e.message)
                lines.append(f"- {e.analyzer_id} in {md(e.account_id)}/{md(e.region)}: {md(e.message)}")
    if related:
        lines += ["", "### Related playbooks", ""]
        for r in related:
            lines.append(f"- {md(r.title)} ({md(r.source)})")
    lines += ["", "### Evidence", ""]
    lines += evidence_links(evidence_base)
    return "\n".join(lines) + "\n"
