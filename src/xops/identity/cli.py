"""`xops iam ...`: the least-privilege IAM policy for the scanner; `xops identity sync`: IdC -> Open WebUI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from xops.identity.iam_policy import DEFAULT_MEMBER_ROLE, MANAGED_POLICY_MAX_CHARS

iam_app = typer.Typer(help="Least-privilege IAM for the scanner, generated from the analyzer registry.",
                      no_args_is_help=True)


@iam_app.command("policy")
def iam_policy(
    out: Annotated[Path | None, typer.Option(help="Write the policy JSON here (more files NAME-2.json, ... "
                                             "only if it exceeds IAM's size limit); default: stdout")] = None,
    member_role: Annotated[str, typer.Option(help="Role name the scanner assumes in member accounts")] = DEFAULT_MEMBER_ROLE,
    max_chars: Annotated[int, typer.Option(min=200, max=10240, help="Size limit per document "
                                           "(IAM managed policy: 6144 characters without whitespace)")] = MANAGED_POLICY_MAX_CHARS,
) -> None:
    """Print (or write) the read-only IAM policy covering every registered analyzer and the scanner."""
    from xops.core.errors import XopsError
    from xops.identity.iam_policy import build_policies, render, write_policies

    try:
        documents = build_policies(member_role=member_role, max_chars=max_chars)
        if out is None:
            if len(documents) > 1:
                raise typer.BadParameter(f"the policy needs {len(documents)} documents; give --out FILE.json")
            sys.stdout.write(render(documents[0]))
            return
        paths = write_policies(out, documents)
    except XopsError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    actions = sum(len(s["Action"]) for d in documents for s in d["Statement"])
    typer.echo(f"wrote {', '.join(str(p) for p in paths)} ({actions} actions)", err=True)


identity_app = typer.Typer(help="IAM Identity Center -> Open WebUI: users, groups and cost centres over SCIM.",
                           no_args_is_help=True)


@identity_app.command("sync")
def identity_sync(
    openwebui: Annotated[str, typer.Option("--openwebui", envvar="XOPS_OPENWEBUI_URL",
                                           help="Open WebUI base URL (its SCIM endpoint is /api/v1/scim/v2)")],
    scim_token: Annotated[str, typer.Option("--scim-token", envvar="XOPS_SCIM_TOKEN",
                                            help="Open WebUI's SCIM_TOKEN (prefer the env var: it stays out of `ps`)")],
    identity_store_id: Annotated[str | None, typer.Option(help="d-...; default: the one IdC instance's store")] = None,
    region: Annotated[str | None, typer.Option(help="IdC home region; default AWS_REGION/AWS_DEFAULT_REGION")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the diff, change nothing")] = False,
    cost_centre_attribute: Annotated[str, typer.Option(
        help="IdC user attribute holding the cost centre: enterprise.<field> or UserType, Title, NickName"
    )] = "enterprise.costCenter",
    cost_centre_group_prefix: Annotated[str, typer.Option(
        help="Each cost centre becomes the Open WebUI group PREFIX<cost centre>")] = "cost-centre:",
    cost_centres_out: Annotated[Path | None, typer.Option(
        help="Write the API's ABAC group mapping (YAML for XOPS_COST_CENTRES_FILE) here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of the diff")] = False,
) -> None:
    """Create, update and deactivate (never delete) Open WebUI users and groups so they match IdC.

    Exit: 0 in sync; 2 bad option; 3 no AWS credentials; 4 AWS unreachable; 7 Open WebUI refused or failed
    a change (the diff says what was applied; re-run to complete).
    """
    from xops.core.aws import new_session
    from xops.core.errors import UsageError, XopsError
    from xops.identity.directory import check_cost_centre_attribute, find_identity_store, read_directory
    from xops.identity.scim import ScimClient
    from xops.identity.sync import render, sync

    try:
        if not cost_centre_group_prefix.strip() or "," in cost_centre_group_prefix:
            raise UsageError(f"--cost-centre-group-prefix {cost_centre_group_prefix!r} is empty or has a comma",
                             "use a short prefix without commas (group names travel in a comma list), "
                             "e.g. cost-centre:")
        check_cost_centre_attribute(cost_centre_attribute)
        session = new_session(region=region)
        region = region or session.region_name or "us-east-1"
        store = identity_store_id or find_identity_store(session, region)
        directory = read_directory(session, store, region, cost_centre_attribute)
        with ScimClient(openwebui, scim_token) as client:
            report = sync(directory, client, dry_run=dry_run, group_prefix=cost_centre_group_prefix)
        if cost_centres_out is not None:
            write_cost_centres(cost_centres_out, report.cost_centre_groups)
    except XopsError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(render(report))
    if cost_centres_out is not None:
        typer.echo(f"wrote {cost_centres_out} ({len(report.cost_centre_groups)} cost-centre groups)", err=True)
    if not report.complete:
        raise typer.Exit(7)


def write_cost_centres(path: Path, groups: dict[str, list[str]]) -> None:
    """The `groups:` part of the API's ABAC mapping (XOPS_COST_CENTRES_FILE), written atomically."""
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("# written by `xops identity sync`: Open WebUI group -> cost centres it may see\n"
                   + yaml.safe_dump({"groups": dict(sorted(groups.items()))}, sort_keys=False))
    tmp.replace(path)
