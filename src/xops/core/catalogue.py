"""The catalogue: the one way every surface (CLI, API, MCP, Open WebUI, crews) finds analyzers.

`select` filters by ids, pillar, service, resource type, framework, severity (that severity or higher,
everywhere) and free text; unknown ids, pillars and frameworks are usage errors that say what exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xops.core.analyzer import Analyzer
from xops.core.errors import UsageError
from xops.core.models import PILLARS, Severity

WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


class Catalogue:
    """A set of analyzers with one selection function. The product's is `registry.catalogue()`; tests
    build their own (e.g. 300 generated analyzers for the MCP tool-count test)."""

    def __init__(self, analyzers: Iterable[Analyzer]) -> None:
        self._by_id: dict[str, Analyzer] = {}
        for a in analyzers:
            if a.meta.id in self._by_id:
                raise ValueError(f"duplicate analyzer id {a.meta.id!r}")
            if not a.meta.id.startswith(a.meta.pillar + "."):
                raise ValueError(f"analyzer id {a.meta.id!r} must start with its pillar {a.meta.pillar!r}")
            self._by_id[a.meta.id] = a
        self._ordered = sorted(self._by_id.values(), key=lambda a: a.meta.id)
        self._words = {a.meta.id: words(" ".join((a.meta.id.replace("_", " "), a.meta.title, a.meta.risk,
                                                  a.meta.service, a.meta.resource_type.replace("::", " "))))
                       for a in self._ordered}

    def __len__(self) -> int:
        return len(self._ordered)

    def all(self) -> list[Analyzer]:
        return list(self._ordered)

    def ids(self) -> list[str]:
        return [a.meta.id for a in self._ordered]

    def services(self) -> list[str]:
        return sorted({a.meta.service for a in self._ordered})

    def get(self, analyzer_id: str) -> Analyzer:
        try:
            return self._by_id[analyzer_id]
        except KeyError:
            close = [a for a in self._by_id if analyzer_id.split(".")[-1] in a]
            hint = (f"did you mean {', '.join(close[:3])}?" if close else
                    "the ids are listed by `xops analyzers list`, GET /v1/analyzers and the list_analyzers tool")
            raise UsageError(f"unknown analyzer id {analyzer_id!r}", hint) from None

    def select(self, ids: Iterable[str] | None = None, pillar: str | None = None, service: str | None = None,
               resource_type: str | None = None, framework: str | None = None, severity: str | None = None,
               query: str | None = None) -> list[Analyzer]:
        """Analyzers matching every filter given (none: all). `ids` keep their order; `query` ranks by how
        many of its words an analyzer's id, title, risk, service and resource type contain."""
        if pillar is not None and pillar not in PILLARS:
            raise UsageError(f"unknown pillar {pillar!r}", f"use one of: {', '.join(PILLARS)}")
        if service is not None and service not in self.services():
            raise UsageError(f"unknown service {service!r}", f"use one of: {', '.join(self.services())}")
        floor = None
        if severity is not None:
            try:
                floor = Severity(severity).rank
            except ValueError:
                raise UsageError(f"unknown severity {severity!r}", f"use one of: {', '.join(Severity)}") from None
        wanted = list(dict.fromkeys(ids or []))
        chosen = [self.get(i) for i in wanted] if wanted else list(self._ordered)
        if framework is not None:
            from xops.compliance.mapping import load_framework

            mapped = set(load_framework(framework).analyzer_ids())
            chosen = [a for a in chosen if a.meta.id in mapped]
        chosen = [a for a in chosen
                  if (pillar is None or a.meta.pillar == pillar) and (service is None or a.meta.service == service)
                  and (resource_type is None or a.meta.resource_type == resource_type)
                  and (floor is None or a.meta.severity.rank >= floor)]
        if query:
            asked = words(query)
            scored = [(len(asked & self._words[a.meta.id]), a) for a in chosen]
            chosen = [a for score, a in sorted(scored, key=lambda s: (-s[0], s[1].meta.id)) if score > 0]
        return chosen
