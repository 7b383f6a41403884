"""`xops iam ...`: the least-privilege IAM policy for the scanner."""

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
