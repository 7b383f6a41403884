"""The knowledge store: one Chroma collection, embedded (PersistentClient under the data dir) by default,
or a Chroma server (`chroma run`) at XOPS_CHROMA_URL when several replicas share it.

Vectors come from the local embedder (`xops.knowledge.embedder`), computed here and handed to Chroma, so
the collection never needs an embedding function of Chroma's own (which would download a model).
The built-in sources (our playbooks and the analyzers' metadata) are added on first use.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from xops.core.errors import UsageError
from xops.llm import offline
from xops.settings import data_dir

COLLECTION = "xops-knowledge"


class Chunk(BaseModel):
    id: str
    text: str
    title: str
    source: str
    kind: str  # playbook | analyzer | run | document
    pillar: str = ""


class Hit(Chunk):
    distance: float


def _client() -> Any:
    with offline.heavy_imports():
        import chromadb
        from chromadb.config import Settings

    chroma_settings = Settings(anonymized_telemetry=False)
    url = os.environ.get("XOPS_CHROMA_URL")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"XOPS_CHROMA_URL {url!r} is not an http(s) URL", "e.g. http://127.0.0.1:8000")
        return chromadb.HttpClient(host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 80),
                                   ssl=parts.scheme == "https", settings=chroma_settings)
    path = data_dir() / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class KnowledgeStore:
    _default: KnowledgeStore | None = None
    _lock = threading.Lock()

    def __init__(self, client: Any) -> None:
        self.client = client
        self.collection = client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"},
                                                          embedding_function=None)
        self._builtin_checked = False

    @classmethod
    def default(cls) -> KnowledgeStore:
        """One store per process (and data dir / URL), with the built-in sources in it."""
        with cls._lock:
            if cls._default is None:
                cls._default = cls(_client())
            store = cls._default
        store.ensure_builtin()
        return store

    @classmethod
    def reset_default(cls) -> None:
        with cls._lock:
            cls._default = None

    def count(self) -> int:
        return int(self.collection.count())

    def add(self, chunks: list[Chunk], batch: int = 256) -> int:
        """Upsert chunks (ids are content hashes, so adding twice is harmless). Returns how many."""
        from xops.knowledge import embedder

        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            self.collection.upsert(
                ids=[c.id for c in part], documents=[c.text for c in part],
                embeddings=embedder.embed([c.text for c in part]),
                metadatas=[{"title": c.title, "source": c.source, "kind": c.kind, "pillar": c.pillar} for c in part])
        return len(chunks)

    def search(self, query: str, k: int = 5, pillar: str | None = None, kind: str | None = None) -> list[Hit]:
        from xops.knowledge import embedder

        if not query.strip():
            raise UsageError("empty search query", "give a few words, e.g. 'unattached EBS volumes'")
        if self.count() == 0:
            return []
        conds: list[dict[str, Any]] = []
        if pillar:
            conds.append({"pillar": {"$in": [pillar, ""]}})
        if kind:
            conds.append({"kind": kind})
        where = conds[0] if len(conds) == 1 else ({"$and": conds} if conds else None)
        res = self.collection.query(query_embeddings=embedder.embed([query]), n_results=k, where=where)
        hits = []
        for cid, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                        res["distances"][0], strict=True):
            hits.append(Hit(id=cid, text=doc, distance=round(float(dist), 4), title=str(meta.get("title", "")),
                            source=str(meta.get("source", "")), kind=str(meta.get("kind", "")),
                            pillar=str(meta.get("pillar", ""))))
        return hits

    def ensure_builtin(self) -> None:
        """Add the packaged playbooks and the analyzers' metadata once (their ids are content hashes)."""
        if self._builtin_checked:
            return
        from xops.knowledge.ingest import builtin_chunks

        chunks = builtin_chunks()
        have = set(self.collection.get(ids=[c.id for c in chunks], include=[])["ids"])
        missing = [c for c in chunks if c.id not in have]
        if missing:
            self.add(missing)
        self._builtin_checked = True
