"""Related playbooks for the deterministic answer, from the knowledge store (ChromaDB, local embedder).

The store is filled with the built-in playbooks and analyzer metadata by a warm-up thread when the API
starts (`XOPS_KNOWLEDGE=off` turns it off). Until that has finished, answers go out without the section:
retrieval never delays an answer by loading the embedder.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from xops.answer.markdown import Related
from xops.core import registry
from xops.core.models import Finding, Status

log = logging.getLogger("xops.answer.related")
_ready = threading.Event()


def enabled() -> bool:
    return os.environ.get("XOPS_KNOWLEDGE", "on").strip().lower() not in ("off", "0", "false", "no")


def warm_up() -> None:
    """Fill the knowledge store with the built-in sources (once per data dir) and load the embedder."""
    if not enabled():
        return
    try:
        from xops.knowledge.store import KnowledgeStore

        KnowledgeStore.default().search("warm up", k=1)
        _ready.set()
        log.info("knowledge ready")
    except Exception:  # the answer simply goes without playbooks
        log.exception("knowledge warm-up failed; answers will not list related playbooks")


def start_warm_up() -> threading.Thread | None:
    if not enabled():
        return None
    t = threading.Thread(target=warm_up, name="xops-knowledge-warm-up", daemon=True)
    t.start()
    return t


def ready() -> bool:
    return _ready.is_set()


def related_playbooks(question: str | None, findings: list[Finding], pillar: str | None, k: int = 3) -> list[Related]:
    """The playbooks closest to the question and the costliest/most severe failing analyzers."""
    if not ready():
        return []
    fails = [f for f in findings if f.status == Status.FAIL]
    top = sorted({f.analyzer_id for f in fails},
                 key=lambda a: -sum(f.est_monthly_usd or 0 for f in fails if f.analyzer_id == a))[:3]
    query = " ".join([question or "", *(registry.get(a).meta.title for a in top)]).strip()
    if not query:
        return []
    from xops.knowledge.store import KnowledgeStore

    try:
        hits = KnowledgeStore.default().search(query, k=k * 3, pillar=pillar, kind="playbook")
    except Exception:
        log.exception("knowledge search failed")
        return []
    seen: set[str] = set()
    out: list[Related] = []
    for h in hits:
        if h.title not in seen:
            seen.add(h.title)
            out.append(Related(title=h.title, source=h.source, text=h.text[:300]))
    return out[:k]


_remember = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xops-knowledge-run")


def remember_run(run_id: str, summary_md: str) -> None:
    """Past run summaries are knowledge too: queued to one background thread (embedding is CPU work that
    must not compete with running steps), skipped until the store is ready."""
    if not ready():
        return

    def add() -> None:
        from xops.knowledge.ingest import run_summary_chunks
        from xops.knowledge.store import KnowledgeStore

        try:
            KnowledgeStore.default().add(run_summary_chunks(run_id, summary_md))
        except Exception:
            log.exception("could not add the run summary to the knowledge store", extra={"run_id": run_id})

    _remember.submit(add)
