"""The deterministic mode in one call, without the Runbooks API: route, scan, answer (bench and tests)."""

from __future__ import annotations

from dataclasses import dataclass

from xops.answer.markdown import Related, answer_markdown
from xops.answer.router import Route, route
from xops.core.aws import AwsContext
from xops.core.scan import ScanRequest, ScanResult, scan


@dataclass
class Answer:
    route: Route
    result: ScanResult
    markdown: str


def ask(question: str, aws: AwsContext, *, related: list[Related] | None = None,
        evidence_base: str = "evidence") -> Answer:
    r = route(question)
    result = scan(aws, ScanRequest(analyzer_ids=r.analyzer_ids))
    return Answer(r, result, answer_markdown(question, result, evidence_base=evidence_base, route=r, related=related))
