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


keys_app = typer.Typer(help="API keys: new keys for rotation, and which keys were used when.", no_args_is_help=True)
api_app.add_typer(keys_app, name="keys")


@keys_app.command("new")
def keys_new() -> None:
    """A new random key (give it to the client) and its `sha256:` line (put it in XOPS_API_KEYS_FILE next to
    the old key: both are valid until you remove the old one)."""
    from xops.api.keys import new_key

    key, line = new_key()
    typer.echo(f"key (for the client, shown once): {key}")
    typer.echo(f"for XOPS_API_KEYS / XOPS_API_KEYS_FILE:  {line}")


@keys_app.command("list")
def keys_list() -> None:
    """The configured keys (id, expiry; never the key) with their first and last use from the store."""
    from xops.api.settings import load_settings
    from xops.api.store import Store
    from xops.cli import fail
    from xops.core.errors import XopsError

    try:
        settings = load_settings()
    except XopsError as exc:
        raise fail(exc) from None
    uses = Store.open(settings.database_url, settings.data_dir).key_uses()
    for key in settings.api_keys:
        use = uses.get(key.id, {})
        last = use.get("last_used_at")
        typer.echo(f"{key.id}  sha256:{key.sha256[:12]}…  valid until: {key.not_after or 'no expiry'}  "
                   f"last used: {last.isoformat() if last else 'never'}")
