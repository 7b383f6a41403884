"""The analyzer registry: one place every surface (CLI, API, MCP, crews) reads analyzers from."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from xops.core.analyzer import Analyzer
from xops.core.errors import UsageError
from xops.core.models import PILLARS

_REGISTRY: dict[str, Analyzer] = {}
_discovered = False


def register(cls: type[Analyzer]) -> type[Analyzer]:
    """Class decorator: validates the analyzer's contract and adds one instance to the registry."""
    meta = cls.meta
    if meta.id in _REGISTRY and type(_REGISTRY[meta.id]) is not cls:
        raise ValueError(f"duplicate analyzer id {meta.id!r} ({cls.__module__} and {_REGISTRY[meta.id].__module__})")
    if not meta.id.startswith(meta.pillar + "."):
        raise ValueError(f"analyzer id {meta.id!r} must start with its pillar {meta.pillar!r}")
    for name, field in cls.Params.model_fields.items():
        if not field.description:
            raise ValueError(f"{meta.id}: parameter {name!r} has no description")
    _REGISTRY[meta.id] = cls()
    return cls


def discover() -> None:
    """Import every module under xops.analyzers.<pillar> once, which registers their analyzers."""
    global _discovered
    if _discovered:
        return
    for pillar in PILLARS:
        package = importlib.import_module(f"xops.analyzers.{pillar}")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
    _discovered = True


def all_analyzers() -> list[Analyzer]:
    discover()
    return sorted(_REGISTRY.values(), key=lambda a: a.meta.id)


def get(analyzer_id: str) -> Analyzer:
    discover()
    try:
        return _REGISTRY[analyzer_id]
    except KeyError:
        close = [a for a in _REGISTRY if analyzer_id.split(".")[-1] in a]
        hint = f"did you mean {', '.join(close[:3])}?" if close else "run `xops analyzers list` to see the ids"
        raise UsageError(f"unknown analyzer id {analyzer_id!r}", hint) from None


def select(
    analyzer_ids: Iterable[str] | None = None, pillar: str | None = None
) -> list[Analyzer]:
    """Analyzers by explicit ids, or by pillar, or all. Unknown ids and pillars raise UsageError."""
    if pillar is not None and pillar not in PILLARS:
        raise UsageError(f"unknown pillar {pillar!r}", f"use one of: {', '.join(PILLARS)}")
    ids = list(analyzer_ids or [])
    if ids:
        chosen = [get(i) for i in dict.fromkeys(ids)]
        return [a for a in chosen if pillar is None or a.meta.pillar == pillar]
    return [a for a in all_analyzers() if pillar is None or a.meta.pillar == pillar]
