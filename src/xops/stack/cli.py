"""`xops stack up`: the whole local stack, stopped with Ctrl-C."""

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

stack_app = typer.Typer(help="The whole local stack on the sandbox: AWS, API, MCP, mcpo, Pipelines, Open WebUI.",
                        no_args_is_help=True)


@stack_app.callback()
def _stack_group() -> None:
    """The whole local stack on the sandbox."""


@stack_app.command("up")
def stack_up(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Open WebUI's port on 127.0.0.1")] = 8080,
    data_dir: Annotated[Path, typer.Option(help="Keys, logs, Open WebUI data, evidence")] = Path("tmp/stack"),
    seed: Annotated[int, typer.Option(help="Seed of the sandbox estate")] = 42,
) -> None:
    """Start sandbox AWS, the Runbooks API, the MCP server, mcpo, the Pipelines server and Open WebUI with xOps
    installed; print the URL and the demo credentials; stop everything on Ctrl-C."""
    import json
    import sys

    from xops.core.errors import XopsError
    from xops.stack.processes import Children
    from xops.stack.up import start_stack

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    children = Children()
    code = 0
    try:
        info = start_stack(children, data_dir.resolve(), port, seed, lambda m: typer.echo(m, err=True))
        if not stop.is_set():
            typer.echo(f"\nxOps is ready: {info.url}\n  sign in as {info.email} / password {info.password}\n"
                       "  pick the model \"xOps FinOps\" and ask: what is wasting money?\n"
                       f"  logs: {info.data_dir / 'logs'}; Ctrl-C stops everything")
            typer.echo("stack " + json.dumps(info.urls))
            sys.stdout.flush()
            while not stop.wait(1):
                dead = [c.name for c in children.started if c.proc.poll() is not None]
                if dead:
                    typer.echo(f"error: {', '.join(dead)} stopped; see {info.data_dir / 'logs'}", err=True)
                    code = 6
                    break
    except XopsError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        code = exc.exit_code
    finally:
        typer.echo("stopping…", err=True)
        children.stop_all()
        typer.echo("stopped", err=True)
    raise typer.Exit(code)
