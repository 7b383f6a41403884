"""Supply chain: the product image installs only hash-pinned requirements, and its SBOM lists exactly them."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "requirements" / "image.txt"
SBOM = REPO / "sbom" / "xops-image.cdx.json"


def pins(path: Path = IMAGE) -> dict[str, str]:
    """name -> version of every requirement in a requirements file (each must carry sha256 hashes)."""
    out: dict[str, str] = {}
    text = path.read_text().replace("\\\n", " ")
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
    for dep in ("boto3", "fastapi", "limits", "moto", "crewai", "litellm", "chromadb", "sympy", "setuptools"):
        assert dep in pinned, dep
    assert not any(n.startswith(("nvidia-", "triton", "cuda-")) for n in pinned)  # a CPU image
    mcpo = pins(REPO / "requirements" / "mcpo-image.txt")
    assert mcpo["mcpo"] == "0.0.20" and mcpo["mcp"].startswith("1.") and int(mcpo["fastapi"].split(".")[1]) < 145


def test_the_dockerfile_installs_only_with_hashes() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "--require-hashes" in text and "requirements/image.txt" in text
    core = text.split("FROM core AS mcpo")[0]
    for line in [line for line in text.replace("\\\n", " ").splitlines() if "pip install" in line]:
        for cmd in line.split("&&"):
            if "pip install" in cmd:
                assert "--require-hashes" in cmd or "--no-deps" in cmd, cmd.strip()  # nothing resolved unpinned
    assert "torch==2.13.0+cpu" in core and "download.pytorch.org/whl/cpu" in core
    assert "sbom/" in text


def test_the_sbom_lists_exactly_the_pinned_requirements() -> None:
    doc = json.loads(SBOM.read_text())
    assert doc["bomFormat"] == "CycloneDX" and doc["metadata"]["component"]["name"] == "xops"
    listed = {re.sub(r"[-_.]+", "-", c["name"]).lower(): c["version"] for c in doc["components"]}
    assert listed == {**pins(), "torch": "2.13.0+cpu"}, "run ./run sbom after changing requirements/image.txt"
    hashed = [c for c in doc["components"] if any(r.get("hashes") for r in c.get("externalReferences", []))]
    assert len(hashed) == len(pins())  # every pinned component with its sha256 hashes (torch: by version)
