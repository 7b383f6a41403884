"""MCP prompts: ready-made reviews that tell the model which xOps tools to call and what to report."""

from __future__ import annotations

from dataclasses import dataclass

from xops.core.errors import UsageError
from xops.core.models import Pillar


@dataclass(frozen=True)
class PromptSpec:
    name: str
    title: str
    description: str
    pillar: Pillar | None  # None: every server has it
    template: str


ARGUMENTS = {"regions": "Comma-separated AWS regions (default: XOPS_REGIONS or every enabled region)",
             "accounts": "Comma-separated account ids, or 'all' (default: the caller's account)"}

PROMPTS = (
    PromptSpec(
        "finops_monthly_review", "Monthly FinOps review",
        "Find this month's avoidable AWS spend, ranked by dollars, with the fix for each item.", "finops",
        "Run the monthly FinOps review of AWS{scope}.\n"
        "1. Call run_scan with pillar \"finops\"{args} (it writes an evidence folder).\n"
        "2. From its findings, list the ten costliest FAIL items: resource, account, region, $/month, what is "
        "wrong; then the total estimated monthly savings.\n"
        "3. For the three biggest, call describe_analyzer and give the CLI fix; say which need approval.\n"
        "4. List any ERROR findings as checks that could not run, with what to check.\n"
        "End with the run id so the evidence can be audited.",
    ),
    PromptSpec(
        "security_posture_brief", "Security posture brief",
        "A one-page DevSecOps brief: exposed resources, weak identity controls, missing encryption.", "devsecops",
        "Write a security posture brief for AWS{scope}.\n"
        "1. Call run_scan with pillar \"devsecops\"{args}.\n"
        "2. Group the FAIL findings by severity (critical first): exposure (public resources, open admin "
        "ports), identity (MFA, old keys, admin policies, password policy), encryption and logging.\n"
        "3. For each critical or high item give the resource, account, region and the fix.\n"
        "4. Say plainly what could not be checked (ERROR findings).\n"
        "End with the run id of the evidence.",
    ),
    PromptSpec(
        "cloudops_reliability_check", "CloudOps reliability check",
        "Backups, multi-AZ, alarms, logs and certificates: what would hurt in an incident.", "cloudops",
        "Check the operational readiness of AWS{scope}.\n"
        "1. Call run_scan with pillar \"cloudops\"{args}.\n"
        "2. Report FAIL findings as risks during an incident (no backups or PITR, single-AZ databases, alarms "
        "with no actions, logs never expiring, certificates about to expire, missing flow logs).\n"
        "3. Order by severity and give each fix.\n"
        "End with the run id of the evidence.",
    ),
    PromptSpec(
        "compliance_report", "Compliance framework report",
        "Per-requirement status of a compliance framework (e.g. apra-cps-234, cis-aws-foundations).", None,
        "Report compliance with the {framework} framework for AWS{scope}.\n"
        "1. Call run_scan with framework \"{framework}\"{args}.\n"
        "2. Table each requirement: id, title, status (PASS/FAIL/ERROR/NOT_ASSESSED) and the failing resources.\n"
        "3. Summarise what must be fixed first.\n"
        "End with the run id of the evidence.",
    ),
)


def server_prompts(pillars: tuple[Pillar, ...]) -> list[PromptSpec]:
    return [p for p in PROMPTS if p.pillar is None or p.pillar in pillars]


def prompt_arguments(spec: PromptSpec) -> dict[str, str]:
    args = dict(ARGUMENTS)
    if "{framework}" in spec.template:
        args = {"framework": "Framework id, e.g. apra-cps-234 or cis-aws-foundations", **args}
    return args


def render_prompt(spec: PromptSpec, arguments: dict[str, str]) -> str:
    from xops.compliance.mapping import list_frameworks

    known = prompt_arguments(spec)
    stray = sorted(set(arguments) - set(known))
    if stray:
        raise UsageError(f"unknown argument(s) for prompt {spec.name}: {', '.join(stray)}",
                         f"use: {', '.join(known)}")
    regions = [r.strip() for r in arguments.get("regions", "").split(",") if r.strip()]
    accounts = [a.strip() for a in arguments.get("accounts", "").split(",") if a.strip()]
    framework = arguments.get("framework", "").strip()
    if "framework" in known and framework not in list_frameworks():
        raise UsageError(f"prompt {spec.name}: framework {framework!r} is unknown",
                         f"use one of: {', '.join(list_frameworks())}")
    scope = "".join([f" in regions {', '.join(regions)}" if regions else "",
                     f" for accounts {', '.join(accounts)}" if accounts else ""])
    args = "".join([f", regions {regions}" if regions else "", f", accounts {accounts}" if accounts else ""])
    return spec.template.format(scope=scope, args=args.replace("'", '"'), framework=framework)
