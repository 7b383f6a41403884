"""`xops audit verify`: the audit log's hash chain, checked (exit 20 when a record was edited or deleted)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

audit_app = typer.Typer(help="The Runbooks API's audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Recompute the audit log's hash chain in the store (XOPS_DATABASE_URL, else XOPS_DATA_DIR/xops.db) and
    compare it with this data dir's audit/audit.jsonl. Exit 20 and the list of records when any was edited,
    deleted or reordered."""
    from xops.api.audit_verify import verify_audit
    from xops.api.store import Store
    from xops.cli import fail
    from xops.core.errors import AuditChainError, UsageError
    from xops.settings import data_dir

    if fmt not in ("text", "json"):
        raise fail(UsageError(f"--format {fmt!r} is not known", "use --format text or --format json"))
    root = data_dir()
    database_url = os.environ.get("XOPS_DATABASE_URL") or None
    if not database_url and not (root / "xops.db").exists():
        raise fail(AuditChainError(f"no audit log here: {root / 'xops.db'} does not exist",
                                   "set XOPS_DATA_DIR to the API's data dir, or XOPS_DATABASE_URL to its store"))
    result = verify_audit(Store.open(database_url, root), root / "audit" / "audit.jsonl")
    if fmt == "json":
        typer.echo(result.model_dump_json(indent=2))
    else:
        typer.echo(f"audit log: {result.records} record(s), {result.chained} on the hash chain (head {result.head})")
        for note in result.notes:
            typer.echo(f"  note: {note}")
        for problem in result.problems:
            typer.echo(f"  CHANGED {problem}")
        typer.echo("verified: the chain holds" if result.ok else f"NOT verified: {len(result.problems)} problem(s)")
    if not result.ok:
        raise typer.Exit(AuditChainError.exit_code)
