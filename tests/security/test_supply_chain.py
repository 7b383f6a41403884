"""Supply chain: the product image installs only hash-pinned requirements, and its SBOM lists exactly them."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "requirements" / "image.txt"
SBOM = REPO / "sbom" / "xops-image.cdx.json"


def pins() -> dict[str, str]:
    """name -> version of every requirement in requirements/image.txt (each must carry sha256 hashes)."""
    out: dict[str, str] = {}
    text = IMAGE.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert m, f"not pinned with ==: {line[:80]}"
        assert "--hash=sha256:" in line, f"no hash: {m.group(1)}"
        out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return out


def test_every_image_requirement_is_pinned_with_a_hash() -> None:
    pinned = pins()
    assert len(pinned) > 100
    for dep in ("boto3", "fastapi", "limits", "moto", "crewai", "litellm", "chromadb", "torch", "setuptools"):
        assert dep in pinned, dep
    assert pinned["torch"].endswith("+cpu")  # never the CUDA build


def test_the_dockerfile_installs_only_with_hashes() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "--require-hashes" in text and "requirements/image.txt" in text
    installs = [line for line in text.replace("\\\n", " ").splitlines() if "pip install" in line]
    for line in installs:
        for cmd in line.split("&&"):
            if "pip install" in cmd and "--upgrade pip" not in cmd:
                assert "--require-hashes" in cmd or "--no-deps" in cmd, cmd.strip()
    assert "sbom/" in text


def test_the_sbom_lists_exactly_the_pinned_requirements() -> None:
    doc = json.loads(SBOM.read_text())
    assert doc["bomFormat"] == "CycloneDX" and doc["metadata"]["component"]["name"] == "xops"
    listed = {re.sub(r"[-_.]+", "-", c["name"]).lower(): c["version"] for c in doc["components"]}
    assert listed == pins(), "run ./run sbom after changing requirements/image.txt"
    assert all(c.get("hashes") for c in doc["components"])  # each component with its sha256
