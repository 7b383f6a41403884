"""`xops api serve`: the Runbooks API."""

from __future__ import annotations

from typing import Annotated

import typer

api_app = typer.Typer(help="The Runbooks API (FastAPI): runs, SSE events, findings, evidence, audit.",
                      no_args_is_help=True)


@api_app.command("serve")
def api_serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port")] = 8700,
) -> None:
    """Serve the API. Keys: XOPS_API_KEYS or XOPS_API_KEYS_FILE (else one is generated into the data dir).
    Store: SQLite under XOPS_DATA_DIR, or PostgreSQL via XOPS_DATABASE_URL."""
    from xops.api.server import serve
    from xops.api.settings import load_settings
    from xops.cli import fail
    from xops.core.errors import XopsError

    try:
        settings = load_settings()
    except XopsError as exc:
        raise fail(exc) from None
    if settings.api_key_file:
        typer.echo(f"API key (generated): {settings.api_key_file}", err=True)
    try:
        serve(settings, host, port)
    except XopsError as exc:
        raise fail(exc) from None
