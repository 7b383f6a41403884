"""Check an LLM answer against the run: every resource id and $ amount it names must come from a finding."""

from __future__ import annotations

import re

from pydantic import BaseModel

from xops.core.models import Finding, Status

ID_PATTERN = re.compile(r"\b(?:i|vol|snap|eipalloc|nat|sg|vpc|subnet|ami|eni|igw|lt|rtb)-[0-9a-f]{8,17}\b"
                        r"|\barn:aws[\w-]*:[^\s`|)]+")
USD_PATTERN = re.compile(r"\$\s?([0-9][0-9,]*(?:\.[0-9]{1,2})?)")


class Grounding(BaseModel):
    ids: int
    amounts: int
    unverified_ids: list[str]
    unverified_amounts: list[str]

    @property
    def ok(self) -> bool:
        return not self.unverified_ids and not self.unverified_amounts

    def note(self) -> str:
        if self.ok:
            return (f"Grounding check: the {self.ids} resource id(s) and {self.amounts} $ amount(s) in this "
                    "answer all come from this run's findings.")
        parts = []
        if self.unverified_ids:
            parts.append("resource ids " + ", ".join(f"`{i}`" for i in self.unverified_ids[:10]))
        if self.unverified_amounts:
            parts.append("amounts " + ", ".join(f"${a}" for a in self.unverified_amounts[:10]))
        return f"**Grounding check: not found in this run's findings:** {'; '.join(parts)}. Trust the evidence files."


def known_amounts(findings: list[Finding]) -> set[float]:
    """Each finding's $, and the sums per analyzer, per pillar and in total (FAIL findings)."""
    fails = [f for f in findings if f.status == Status.FAIL and f.est_monthly_usd is not None]
    amounts = {round(f.est_monthly_usd or 0.0, 2) for f in fails}
    groups: dict[str, float] = {}
    for f in fails:
        for key in (f.analyzer_id, f.analyzer_id.split(".", 1)[0], "*"):
            groups[key] = groups.get(key, 0.0) + (f.est_monthly_usd or 0.0)
    amounts |= {round(v, 2) for v in groups.values()}
    return amounts


def check(text: str, findings: list[Finding]) -> Grounding:
    resource_ids = {f.resource_id for f in findings} | {f.resource_arn for f in findings if f.resource_arn}
    ids = sorted(set(ID_PATTERN.findall(text)))
    amounts = known_amounts(findings)
    named = sorted(set(USD_PATTERN.findall(text)))
    bad_ids = [i for i in ids if i not in resource_ids and not any(i in r for r in resource_ids)]
    bad_amounts = [a for a in named if not any(abs(float(a.replace(",", "")) - k) <= 0.01 for k in amounts)]
    return Grounding(ids=len(ids), amounts=len(named), unverified_ids=bad_ids, unverified_amounts=bad_amounts)
