"""`xops knowledge ingest PATH...` and `xops knowledge search "..."` (registered in xops.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The knowledge store (ChromaDB): playbooks, analyzer metadata, run summaries, your documents.",
                  no_args_is_help=True)


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="Files (md, txt, pdf, csv) or folders")]) -> None:
    """Chunk, embed (local model, CPU) and store documents; adding the same content twice is harmless."""
    from rich.progress import Progress

    from xops.core.errors import XopsError
    from xops.knowledge.ingest import expand, file_chunks
    from xops.knowledge.store import KnowledgeStore

    try:
        files = expand(paths)
        if not files:
            raise typer.BadParameter("no md, txt, pdf or csv files found there")
        store = KnowledgeStore.default()
        total = 0
        with Progress(transient=False) as bar:
            job = bar.add_task("ingesting", total=len(files))
            for f in files:
                chunks = list(file_chunks(f))
                total += store.add(chunks)
                bar.update(job, advance=1, description=f"{f.name} ({len(chunks)} chunks)")
    except XopsError as exc:
        typer.echo(f"error: {exc.message}\n  hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    typer.echo(f"ingested {total} chunks from {len(files)} file(s); the store holds {store.count()} chunks")


@app.command()
def search(query: Annotated[str, typer.Argument(help="What to look for")],
           k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many chunks")] = 5,
           pillar: Annotated[str | None, typer.Option(help="finops, cloudops or devsecops")] = None) -> None:
    """The chunks closest to the query (cosine distance, smaller is closer)."""
    from xops.core.errors import XopsError
    from xops.knowledge.store import KnowledgeStore

    if pillar is not None and pillar not in ("finops", "cloudops", "devsecops"):
        raise typer.BadParameter(f"unknown pillar {pillar!r}: use finops, cloudops or devsecops", param_hint="--pillar")
    try:
        hits = KnowledgeStore.default().search(query, k=k, pillar=pillar)
    except XopsError as exc:
        typer.echo(f"error: {exc.message}\n  hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    for h in hits:
        typer.echo(f"[{h.distance:.3f}] {h.title} ({h.source})\n{h.text}\n")
