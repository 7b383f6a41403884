"""`xops owui build | install | uninstall`: the Open WebUI surface."""

from typing import Annotated

import typer

owui_app = typer.Typer(help="Open WebUI: build the single-file functions/tools, install or remove xOps.",
                       no_args_is_help=True)

Url = Annotated[str, typer.Option("--url", help="Open WebUI base URL, e.g. http://127.0.0.1:8080")]
Token = Annotated[str | None, typer.Option("--token", envvar="XOPS_OWUI_TOKEN", help="An admin's bearer token")]
Email = Annotated[str | None, typer.Option("--email", help="Admin email (instead of --token)")]
Password = Annotated[str | None, typer.Option("--password", envvar="XOPS_OWUI_PASSWORD", help="Admin password")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Say what would change; change nothing")]


def _fail(message: str, hint: str = "", code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    if hint:
        typer.echo(f"hint: {hint}", err=True)
    return typer.Exit(code)


@owui_app.command("build")
def owui_build(check: Annotated[bool, typer.Option("--check", help="Fail if a committed file differs")] = False) -> None:
    """Generate functions/*.py and tools/*.py from src/xops/owui (shared code inlined)."""
    from xops.core.errors import XopsError
    from xops.owui.build import build

    try:
        changed = build(check=check)
    except XopsError as exc:
        raise _fail(exc.message, exc.hint) from None
    if check and changed:
        raise _fail(f"out of date: {', '.join(changed)}", "run `xops owui build` and commit the files", code=1)
    typer.echo(("rebuilt: " + ", ".join(changed)) if changed and not check else "up to date")


def _print(report: object, verb: str) -> None:
    changes = report.changes  # type: ignore[attr-defined]
    prefix = "would " if report.dry_run else ""  # type: ignore[attr-defined]
    for change in changes:
        typer.echo(f"{prefix}{change}")
    if not changes:
        typer.echo(f"nothing to change: xOps is already {verb}")


@owui_app.command("install")
def owui_install(
    url: Url,
    api_url: Annotated[str, typer.Option("--api-url", help="The xOps Runbooks API as Open WebUI reaches it")],
    api_key: Annotated[str, typer.Option("--api-key", envvar="XOPS_API_KEY", help="An xOps API key")],
    token: Token = None,
    email: Email = None,
    password: Password = None,
    accounts: Annotated[str, typer.Option(help="Default accounts of the xOps models ('all', ids, or empty)")] = "",
    regions: Annotated[str, typer.Option(help="Default regions of the xOps models (comma list)")] = "",
    mcpo_url: Annotated[str | None, typer.Option(help="mcpo base URL (registers /finops, /cloudops, /devsecops)")]
    = None,
    mcpo_key: Annotated[str | None, typer.Option(envvar="XOPS_MCPO_API_KEY", help="mcpo API key")] = None,
    mcp_url: Annotated[str | None, typer.Option(help="The native MCP server's URL (…/mcp)")] = None,
    mcp_token: Annotated[str | None, typer.Option(envvar="XOPS_MCP_TOKEN", help="Its bearer token")] = None,
    pipelines_url: Annotated[str | None, typer.Option(help="The Pipelines server (…:9099), registered as a "
                                                           "connection")] = None,
    pipelines_key: Annotated[str | None, typer.Option(envvar="PIPELINES_API_KEY", help="Its API key")] = None,
    pipelines_secret: Annotated[str | None, typer.Option(envvar="XOPS_PIPELINES_SECRET", help="Signs the user "
                                                         "for the Pipelines server (its XOPS_PIPELINES_SECRET)")] = None,
    dry_run: DryRun = False,
) -> None:
    """Install or update xOps in Open WebUI: functions, tool, valves, tool servers, model entries."""
    from pydantic import ValidationError

    from xops.core.errors import XopsError
    from xops.owui.install import InstallSpec, install

    if not token and not (email and password):
        raise _fail("no Open WebUI credentials", "pass --token, or --email and --password of an admin")
    if mcpo_url and not mcpo_key:
        raise _fail("--mcpo-url needs --mcpo-key (or XOPS_MCPO_API_KEY)")
    if pipelines_url and not (pipelines_key and pipelines_secret):
        raise _fail("--pipelines-url needs --pipelines-key and --pipelines-secret (or PIPELINES_API_KEY and "
                    "XOPS_PIPELINES_SECRET)")
    if mcp_url and not mcp_token:
        raise _fail("--mcp-url needs --mcp-token (or XOPS_MCP_TOKEN)")
    try:
        spec = InstallSpec(url=url, token=token, email=email, password=password, api_url=api_url, api_key=api_key,
                           accounts=accounts, regions=regions, mcpo_url=mcpo_url, mcpo_key=mcpo_key, mcp_url=mcp_url,
                           mcp_token=mcp_token, pipelines_url=pipelines_url, pipelines_key=pipelines_key,
                           pipelines_secret=pipelines_secret)
        report = install(spec, dry_run=dry_run)
    except ValidationError as exc:
        raise _fail(f"invalid options: {exc}") from None
    except XopsError as exc:
        raise _fail(exc.message, exc.hint, exc.exit_code) from None
    _print(report, "installed")


@owui_app.command("pipelines")
def owui_pipelines(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 9099,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
) -> None:
    """Serve pipelines/ with the Open WebUI Pipelines server (.venv-pipelines). Environment: PIPELINES_API_KEY,
    XOPS_API_URL, XOPS_API_KEY, XOPS_PIPELINES_SECRET (the scope filter's pipelines_secret)."""
    import os
    import sys

    from xops.core.errors import XopsError
    from xops.owui.pipelines_server import launch
    from xops.settings import data_dir

    try:
        argv, cwd, env = launch(host, port, data_dir(), dict(os.environ))
    except XopsError as exc:
        raise _fail(exc.message, exc.hint, exc.exit_code) from None
    typer.echo(f"Pipelines server: http://{host}:{port}/v1/models (key required)", err=True)
    sys.stdout.flush()
    os.chdir(cwd)
    os.execve(argv[0], argv, env)  # nosec B606 # our own server's argv, built above; no shell


@owui_app.command("uninstall")
def owui_uninstall(url: Url, token: Token = None, email: Email = None, password: Password = None,
                   dry_run: DryRun = False) -> None:
    """Remove what `xops owui install` added (and nothing else)."""
    from xops.core.errors import XopsError
    from xops.owui.install import uninstall

    if not token and not (email and password):
        raise _fail("no Open WebUI credentials", "pass --token, or --email and --password of an admin")
    try:
        report = uninstall(url, token, email, password, dry_run=dry_run)
    except XopsError as exc:
        raise _fail(exc.message, exc.hint, exc.exit_code) from None
    _print(report, "removed")
