"""`./run sbom`: the CycloneDX SBOM of the product image (xops and every pinned dependency of
requirements/image.txt, with their sha256 hashes) into sbom/xops-image.cdx.json, reproducibly (no timestamp or
random serial: the same requirements give the same file). The Dockerfile ships it in the image at /app/sbom/.

Uses cyclonedx-bom (`cyclonedx-py requirements`), the CycloneDX project's own generator.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "requirements" / "image.txt"
OUT = REPO / "sbom" / "xops-image.cdx.json"


def generate(out: Path = OUT) -> dict:
    tool = shutil.which("cyclonedx-py", path=str(Path(sys.executable).parent)) or "cyclonedx-py"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "requirements", str(REQUIREMENTS), "--pyproject", str(REPO / "pyproject.toml"),  # nosec B603 # fixed argv
                    "--mc-type", "application", "--output-reproducible", "--of", "JSON", "-o", str(out)],
                   check=True, cwd=REPO, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    doc = json.loads(out.read_text())
    # torch is installed by the Dockerfile before image.txt (CPU build, pinned by version): listed too
    pin = re.search(r"torch==([\w.+]+)", (REPO / "Dockerfile").read_text())
    if pin:
        doc["components"].append({
            "bom-ref": "dockerfile-torch", "type": "library", "name": "torch", "version": pin.group(1),
            "purl": f"pkg:pypi/torch@{pin.group(1).replace('+', '%2B')}?repository_url=https://download.pytorch.org/whl/cpu",
            "description": "Dockerfile: the CPU build from PyTorch's CPU index, pinned by version (not by hash)"})
        out.write_text(json.dumps(doc, indent=2) + "\n")
    return doc


def hashed(component: dict) -> bool:
    return any(ref.get("hashes") for ref in component.get("externalReferences", []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write it (default {OUT.relative_to(REPO)})")
    args = parser.parse_args()
    doc = generate(args.out)
    n_hashed = sum(1 for c in doc.get("components", []) if hashed(c))
    print(f"SBOM: {args.out} (CycloneDX {doc['specVersion']}): {doc['metadata']['component']['name']} "
          f"{doc['metadata']['component']['version']} and {len(doc.get('components', []))} components, "
          f"{n_hashed} with sha256 hashes")


if __name__ == "__main__":
    main()
