"""Turn files into chunks: markdown/text split at headings and paragraphs, PDF pages, CSV rows.

Sources: the packaged playbooks (one per analyzer family), the analyzers' metadata, past run summaries,
and whatever `xops knowledge ingest PATH...` is given (md, txt, pdf, csv).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from xops.core.errors import UsageError
from xops.knowledge.store import Chunk

MAX_CHARS = 900
SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".csv")


def chunk_id(source: str, text: str) -> str:
    return hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()[:32]


def split_text(text: str, max_chars: int = MAX_CHARS) -> list[tuple[str, str]]:
    """(heading, chunk) pairs: a chunk never spans two sections and stays under max_chars when it can."""
    out: list[tuple[str, str]] = []
    heading, buf = "", ""
    for block in text.replace("\r\n", "\n").split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            if buf:
                out.append((heading, buf))
            heading = block.splitlines()[0].lstrip("#").strip()
            rest = "\n".join(block.splitlines()[1:]).strip()
            buf = f"{heading}\n{rest}".strip() if rest else heading
            continue
        if buf and len(buf) + len(block) + 2 > max_chars:
            out.append((heading, buf))
            buf = f"{heading}\n{block}" if heading else block
        else:
            buf = f"{buf}\n\n{block}" if buf else block
    if buf:
        out.append((heading, buf))
    return [(h, c) for h, c in out if c != h]  # a heading alone says nothing


def _pillar_of(name: str) -> str:
    return next((p for p in ("finops", "cloudops", "devsecops") if name.startswith(p)), "")


def file_chunks(path: Path, kind: str = "document") -> Iterator[Chunk]:
    suffix = path.suffix.lower()
    source = path.name
    if suffix not in SUFFIXES:
        raise UsageError(f"{path}: cannot ingest {suffix or 'files without a suffix'}",
                         f"give {', '.join(SUFFIXES)} files (or a folder holding them)")
    try:
        if suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            for n, page in enumerate(reader.pages, start=1):
                for _, text in split_text(page.extract_text() or ""):
                    yield Chunk(id=chunk_id(f"{source}#{n}", text), text=text, title=f"{path.stem} p.{n}",
                                source=f"{source} page {n}", kind=kind, pillar=_pillar_of(path.stem))
            return
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", "check the path and its permissions") from exc
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(raw)))
        header = rows[0] if rows else []
        for n, row in enumerate(rows[1:], start=2):
            text = "; ".join(f"{h}: {v}" for h, v in zip(header, row, strict=False) if v)
            if text:
                yield Chunk(id=chunk_id(f"{source}#{n}", text), text=text, title=f"{path.stem} row {n}",
                            source=f"{source} row {n}", kind=kind, pillar=_pillar_of(path.stem))
        return
    title = path.stem
    for heading, text in split_text(raw):
        yield Chunk(id=chunk_id(source, text), text=text, title=f"{title}: {heading}" if heading else title,
                    source=source, kind=kind, pillar=_pillar_of(path.stem))


def expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder", "check the path")
    return files


def builtin_chunks() -> list[Chunk]:
    """Our playbooks (package data) and one chunk per analyzer (what it checks, why, how to fix)."""
    from xops.core import registry

    chunks: list[Chunk] = []
    folder = resources.files("xops.knowledge").joinpath("playbooks")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            chunks += list(file_chunks(Path(str(entry)), kind="playbook"))
    for a in registry.all_analyzers():
        m = a.meta
        text = (f"{m.title} ({m.id}, {m.pillar}, severity {m.severity.value}). Why it matters: {m.risk} "
                f"{('Cost: ' + m.cost_impact) if m.cost_impact else ''} Fix: {m.remediation.summary}")
        chunks.append(Chunk(id=chunk_id(f"analyzer:{m.id}", text), text=text, title=m.title,
                            source=f"analyzer {m.id}", kind="analyzer", pillar=m.pillar))
    return chunks


def run_summary_chunks(run_id: str, summary_md: str) -> list[Chunk]:
    return [Chunk(id=chunk_id(f"run:{run_id}", text), text=text, title=f"run {run_id}: {h}" if h else f"run {run_id}",
                  source=f"run {run_id} summary.md", kind="run") for h, text in split_text(summary_md)]
