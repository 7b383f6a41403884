"""Process-wide settings read from the environment (one place, so every surface agrees)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Where runs, evidence and the sandbox ground truth live: XOPS_DATA_DIR, default ./tmp/xops."""
    return Path(os.environ.get("XOPS_DATA_DIR", "tmp/xops")).resolve()
