"""Route a question to pillar(s) and analyzers: keywords plus similarity with the local embedder.

Keywords decide when they are clear; the embedder (cosine similarity of the question with each analyzer's
title, risk and cost impact) breaks ties, catches questions without our words ("are we paying for things
nobody uses?"), and names the analyzers closest to the question (`focus`). A question about the whole
estate ("full posture", "everything") or one that matches nothing goes to every pillar.
"""

from __future__ import annotations

import re
import threading
from typing import Literal

from pydantic import BaseModel, Field

from xops.core import registry
from xops.core.models import PILLARS, Pillar

KEYWORDS: dict[Pillar, tuple[str, ...]] = {
    "finops": ("cost", "costs", "costly", "money", "spend", "spending", "spent", "waste", "wasting", "wasted",
               "saving", "savings", "save", "bill", "billing", "budget", "cheaper", "expensive", "price",
               "pricing", "dollar", "dollars", "$", "finops", "idle", "unused", "unattached", "rightsize",
               "rightsizing", "gp2", "gp3", "lifecycle", "paying", "pay", "spike", "optimi[sz]e"),
    "cloudops": ("reliability", "reliable", "resilience", "resilient", "backup", "backups", "restore",
                 "recovery", "availability", "multi-az", "outage", "downtime", "operations", "operational",
                 "cloudops", "monitoring", "alarm", "alarms", "alert", "alerts", "logging", "logs",
                 "retention", "tag", "tags", "tagging", "runtime", "runtimes", "deprecated", "versioning",
                 "flow logs", "certificate", "certificates", "expiring", "pitr", "hygiene"),
    "devsecops": ("security", "secure", "insecure", "devsecops", "vulnerable", "vulnerability", "exposed",
                  "exposure", "public", "encryption", "encrypted", "unencrypted", "encrypt", "iam", "mfa",
                  "password", "credentials", "access key", "access keys", "admin", "administrator",
                  "ssh", "rdp", "open port", "open ports", "internet", "attack", "breach", "compliance",
                  "compliant", "cis", "kms", "rotation", "imds", "imdsv1", "cloudtrail", "audit", "risk",
                  "risky", "threat", "hardening", "least privilege"),
}
WHOLE_ESTATE = ("posture", "everything", "overall", "all pillars", "whole estate", "full scan", "full review",
                "health check", "all findings", "all issues", "every issue", "anything wrong")
PILLAR_TEXT: dict[Pillar, str] = {
    "finops": "cloud cost, waste, savings and money spent on unused or idle resources",
    "cloudops": "operations, reliability, backups, monitoring, logging, tagging and availability",
    "devsecops": "security, encryption, public exposure, identity and access, credentials and compliance",
}
SIMILAR_PILLAR = 0.06  # another pillar is routed too when its score is within this of the best one
MIN_SIMILARITY = 0.20  # below this (and no keyword) the question is not about any one pillar


class Route(BaseModel):
    pillars: list[Pillar]
    analyzer_ids: list[str]
    method: Literal["keywords", "keywords+similarity", "similarity", "whole-estate", "no-match"]
    keywords: dict[str, list[str]] = Field(default_factory=dict, description="Matched words per pillar")
    scores: dict[str, float] = Field(default_factory=dict, description="Combined score per pillar")
    focus: list[str] = Field(default_factory=list, description="Analyzers closest to the question, best first")

    def describe(self) -> str:
        names = ", ".join(p for p in self.pillars)
        why = {"keywords": "keywords", "keywords+similarity": "keywords and similarity",
               "similarity": "similarity with the analyzers' descriptions", "whole-estate": "a whole-estate question",
               "no-match": "no pillar matched, so every pillar"}[self.method]
        return f"{names} (by {why})"


def _matches(question: str, words: tuple[str, ...]) -> list[str]:
    q = question.lower()
    found = []
    for w in words:
        pattern = re.escape(w) if w == "$" else r"\b" + w + r"\b"
        if re.search(pattern, q):
            found.append(w)
    return found


class _Vectors:
    """Embeddings of the analyzers' descriptions and the pillars' texts, computed once per process."""

    _lock = threading.Lock()
    ids: list[str] = []
    vectors: list[list[float]] = []
    pillar_vectors: dict[str, list[float]] = {}

    @classmethod
    def load(cls) -> None:
        with cls._lock:
            if cls.ids:
                return
            from xops.knowledge import embedder

            analyzers = registry.all_analyzers()
            texts = [f"{a.meta.title}. {a.meta.risk} {a.meta.cost_impact}" for a in analyzers]
            vecs = embedder.embed(texts + [PILLAR_TEXT[p] for p in PILLARS])
            cls.vectors = vecs[: len(analyzers)]
            cls.pillar_vectors = dict(zip(PILLARS, vecs[len(analyzers):], strict=True))
            cls.ids = [a.meta.id for a in analyzers]


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def similarity_scores(question: str) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """(pillar -> similarity, analyzers ranked by similarity) with the local embedder."""
    from xops.knowledge import embedder

    _Vectors.load()
    q = embedder.embed([question])[0]
    ranked = sorted(((aid, _dot(q, v)) for aid, v in zip(_Vectors.ids, _Vectors.vectors, strict=True)),
                    key=lambda t: -t[1])
    per_pillar: dict[str, float] = {}
    for p in PILLARS:
        best = max(s for aid, s in ranked if aid.startswith(p + "."))
        per_pillar[p] = round(max(best, _dot(q, _Vectors.pillar_vectors[p])), 4)
    return per_pillar, ranked


def route(question: str, *, use_embedder: bool | None = None) -> Route:
    """Pillars and analyzers for a question. `use_embedder=None`: use it when it is installed."""
    from xops.knowledge import embedder

    text = question.strip()
    if not text:
        raise ValueError("empty question")
    every = [a.meta.id for a in registry.all_analyzers()]
    if _matches(text, WHOLE_ESTATE):
        return Route(pillars=list(PILLARS), analyzer_ids=every, method="whole-estate",
                     keywords={"*": _matches(text, WHOLE_ESTATE)})
    hits = {p: _matches(text, KEYWORDS[p]) for p in PILLARS}
    hits = {p: h for p, h in hits.items() if h}
    use = embedder.available() if use_embedder is None else use_embedder
    sims: dict[str, float] = {}
    ranked: list[tuple[str, float]] = []
    if use:
        sims, ranked = similarity_scores(text)
    scores = {p: round(min(len(hits.get(p, [])), 3) * 0.25 + sims.get(p, 0.0), 4) for p in PILLARS}
    if not hits and (not sims or max(sims.values()) < MIN_SIMILARITY):
        return Route(pillars=list(PILLARS), analyzer_ids=every, method="no-match", scores=scores,
                     focus=[a for a, _ in ranked[:3]])
    best = max(scores.values())
    most = max((len(h) for h in hits.values()), default=0)
    pillars = [p for p in PILLARS if (p in hits or not hits)
               and (scores[p] >= best - SIMILAR_PILLAR or (most > 0 and len(hits.get(p, [])) == most))]
    method = "keywords+similarity" if hits and sims else ("keywords" if hits else "similarity")
    analyzer_ids = [a for a in every if a.split(".", 1)[0] in pillars]
    focus = [a for a, _ in ranked if a.split(".", 1)[0] in pillars][:3]
    return Route(pillars=pillars, analyzer_ids=analyzer_ids, method=method, keywords=hits, scores=scores,
                 focus=focus)
